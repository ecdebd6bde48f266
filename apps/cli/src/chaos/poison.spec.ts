import { validatorFor } from '@staysync/contracts';
import { parserV1 } from '@staysync/source-airbnb';
import { POISON_ACCOUNT, poisonMessages, poisonStage } from './poison';

describe('chaos poison', () => {
  const messages = poisonMessages(12, '2026-12-05', '2026-12-05T10:00:00.000Z');
  const ofKind = (stage: string) => messages.filter((m) => poisonStage(m.key) === stage);

  it('makes the three kinds in turn, each key naming its stage', () => {
    expect(messages.map((m) => poisonStage(m.key))).toEqual(
      Array.from({ length: 4 }, () => ['decode', 'validate', 'parse']).flat(),
    );
    expect(new Set(messages.map((m) => m.key)).size).toBe(12);
    expect(poisonStage('airbnb:123:ChartQuery')).toBeNull();
  });

  it('decode: bytes that are not JSON', () => {
    for (const m of ofKind('decode')) expect(() => JSON.parse(m.value.toString('utf8'))).toThrow();
  });

  it('validate: JSON the raw envelope schema refuses', () => {
    for (const m of ofKind('validate'))
      expect(validatorFor('raw.airbnb')(JSON.parse(m.value.toString('utf8'))).valid).toBe(false);
  });

  it('parse: schema-valid envelopes the Airbnb parser refuses', () => {
    for (const m of ofKind('parse')) {
      const envelope = JSON.parse(m.value.toString('utf8'));
      expect(validatorFor('raw.airbnb')(envelope).valid).toBe(true);
      expect(envelope.accountId).toBe(POISON_ACCOUNT);
      expect(() => parserV1.parse(envelope)).toThrow();
    }
  });
});
