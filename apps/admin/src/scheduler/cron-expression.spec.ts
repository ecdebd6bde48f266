import { isSyncCron, normalizeCron } from './cron-expression';

describe('sync_cron', () => {
  it.each(['30 6 * * *', '0 */6 * * *', '0 0 * * 1-5', '0 30 6 * * *', '15 7 1 * *', '0 * * * *'])(
    'accepts %s',
    (expression) => {
      expect(isSyncCron(expression)).toBe(true);
    },
  );

  it.each([
    ['not a cron', 'not a cron'],
    ['four fields', '* * * *'],
    ['seven fields', '0 0 0 0 0 0 0'],
    ['a value out of range', '61 * * * *'],
    ['a date that never comes', '0 0 31 2 *'],
    ['every minute', '* * * * *'],
    ['every second', '* * * * * *'],
    ['twice within an hour', '0,30 6 * * *'],
    ['not a string', 42],
  ])('rejects %s', (_name, expression) => {
    expect(isSyncCron(expression)).toBe(false);
  });

  it('normalizes spacing', () => {
    expect(normalizeCron('  30   6 * *\t* ')).toBe('30 6 * * *');
  });
});
