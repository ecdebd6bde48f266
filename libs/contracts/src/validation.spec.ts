import { exampleAccountEvent, exampleDeadLetter, exampleSyncCommand } from './index';
import { validatorFor } from './validation';

describe('Contracts > validatorFor', () => {
  it('refuses a secret slipped into an account event, naming the field but not its value', () => {
    const leaky = {
      ...exampleAccountEvent,
      account: { ...exampleAccountEvent.account, password: 'hunter2' },
    };
    const result = validatorFor('accounts.events')(leaky);
    expect(result).toEqual({
      valid: false,
      errors: ["/account must NOT have additional properties: 'password'"],
    });
    expect(JSON.stringify(result)).not.toContain('hunter2');
  });

  it('reports every problem as `instancePath message`', () => {
    const { jobId: _jobId, ...withoutJobId } = exampleSyncCommand;
    const result = validatorFor('sync.commands')({
      ...withoutJobId,
      mode: 'sometimes',
      requestedAt: 'yesterday',
      window: { start: '2024-02-30', end: '2024-03-01' },
    });
    expect(result.valid).toBe(false);
    expect(!result.valid && result.errors.sort()).toEqual(
      [
        "(root) must have required property 'jobId'",
        '/mode must be equal to one of the allowed values: backfill, incremental, full',
        '/requestedAt must match format "date-time"',
        '/window/start must match format "date"',
      ].sort(),
    );
  });

  it('checks the schema version, nullable types and formats inside nullable fields', () => {
    const result = validatorFor('dlq')({ ...exampleDeadLetter, schemaVersion: 2, parserVersion: 1.5 });
    expect(!result.valid && result.errors).toEqual([
      '/schemaVersion must be equal to constant: 1',
      '/parserVersion must be integer or null',
    ]);
    const lastSync = validatorFor('accounts.events')({
      ...exampleAccountEvent,
      account: { ...exampleAccountEvent.account, lastSyncAt: 'never' },
    });
    expect(!lastSync.valid && lastSync.errors).toEqual(['/account/lastSyncAt must match format "date-time"']);
  });

  it('rejects values that are not objects at all', () => {
    expect(validatorFor('sync.events')('hello')).toEqual({ valid: false, errors: ['(root) must be object'] });
  });
});
