import type { DeadLetterStage } from './figures';

/** The account the parse poison claims (digits, like upstream ids; no such account exists). */
export const POISON_ACCOUNT = '999999999';
export const POISON_KEY_PREFIX = 'chaos-poison';

export interface PoisonMessage {
  key: string;
  value: Buffer;
}

const KINDS: DeadLetterStage[] = ['decode', 'validate', 'parse'];

/**
 * `count` poison messages for a raw topic, the three kinds in turn; each key names the stage that must
 * dead-letter it (`chaos-poison:<stage>:<n>`):
 * - decode: bytes that are not a JSON value (invalid UTF-8, truncated JSON, plain text);
 * - validate: JSON that breaks the raw envelope's schema (a field missing, a wrong type, a wrong version);
 * - parse: schema-valid envelopes whose bodies lack the structure the parser knows (shape drift,
 *   an upstream error page): the loader dead-letters them at `parse` and keeps them in the raw store.
 */
export function poisonMessages(count: number, scrapeDate: string, fetchedAt: string): PoisonMessage[] {
  return Array.from({ length: count }, (_, i) => {
    const stage = KINDS[i % KINDS.length];
    const n = Math.floor(i / KINDS.length);
    const key = `${POISON_KEY_PREFIX}:${stage}:${n}`;
    return { key, value: poisonValue(stage, n, key, scrapeDate, fetchedAt) };
  });
}

/** The stage a poison key asks for, or null for a key that is not the poison's. */
export function poisonStage(key: string | null): DeadLetterStage | null {
  if (!key?.startsWith(`${POISON_KEY_PREFIX}:`)) return null;
  const stage = key.split(':')[1];
  return (KINDS as string[]).includes(stage) ? (stage as DeadLetterStage) : null;
}

function poisonValue(
  stage: DeadLetterStage,
  n: number,
  key: string,
  scrapeDate: string,
  fetchedAt: string,
): Buffer {
  if (stage === 'decode') {
    const variants = [
      Buffer.from([0xff, 0xfe, 0x7b, 0x80, n % 256]),
      Buffer.from(`{"schemaVersion":1,"jobId":"${n}`),
      Buffer.from(`not json ${n}`),
    ];
    return variants[n % variants.length];
  }
  const envelope = {
    schemaVersion: 1,
    jobId: null,
    source: 'airbnb',
    accountId: POISON_ACCOUNT,
    operation: n % 2 === 0 ? 'ChartQuery' : 'ListOfMetricsQuery',
    resourceId: `9${String(n).padStart(8, '0')}`,
    requestKey: key,
    variables: {},
    window: { start: scrapeDate, end: scrapeDate },
    scrapeDate,
    fetchedAt,
    httpStatus: 200,
    body: {} as unknown,
  };
  if (stage === 'validate') {
    const variants: Array<Record<string, unknown>> = [
      { ...envelope, requestKey: undefined },
      { ...envelope, httpStatus: '200' },
      { ...envelope, schemaVersion: 2 },
    ];
    return Buffer.from(JSON.stringify(variants[n % variants.length]));
  }
  const bodies = [
    { data: { porygon: null } },
    { data: { porygon: { unknownField: n } } },
    { data: { porygon: { getPerformanceComponents: { components: [{ __typename: 'SomethingElse' }] } } } },
    '<html><body>Access denied</body></html>',
  ];
  return Buffer.from(JSON.stringify({ ...envelope, body: bodies[n % bodies.length] }));
}
