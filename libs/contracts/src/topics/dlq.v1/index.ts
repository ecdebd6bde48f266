import schema from './schema.json';

export { schema as deadLetterSchema };

/** Where the message failed: decoding bytes, schema validation, the source parser, or loading into the database. */
export type DeadLetterStage = 'decode' | 'validate' | 'parse' | 'load';

/** Value of `dlq.v1` (mirrors ./schema.json). The Kafka key is the original message's key. */
export interface DeadLetter {
  schemaVersion: 1;
  originalTopic: string;
  partition: number;
  /** int64 as a decimal string */
  offset: string;
  /** original message timestamp (ms since epoch, decimal string) */
  timestamp: string;
  key: string | null;
  /** the original bytes: text when valid UTF-8, else base64 (see valueEncoding); null for a tombstone */
  value: string | null;
  valueEncoding: 'utf8' | 'base64';
  headers: Record<string, string | string[]>;
  error: { message: string; kind: string };
  stage: DeadLetterStage;
  parserVersion: number | null;
  consumerGroup: string;
  /** ISO-8601 */
  failedAt: string;
}

/** Dead letters keep the original key: one key's failures stay in order. */
export function deadLetterKey(letter: Pick<DeadLetter, 'key'>): string | null {
  return letter.key;
}

export const exampleDeadLetter: DeadLetter = {
  schemaVersion: 1,
  originalTopic: 'raw.airbnb.v1',
  partition: 3,
  offset: '1042',
  timestamp: '1714539792345',
  key: 'airbnb:acc-42:ChartQuery:12345678:CONVERSION:p3_impressions:2024-04-01..2024-04-30:2024-05-01',
  value: '{"schemaVersion":1,"jobId":"not-a-uuid"}',
  valueEncoding: 'utf8',
  headers: {},
  error: {
    message: '/jobId must match format "uuid"; (root) must have required property \'source\'',
    kind: 'poison',
  },
  stage: 'validate',
  parserVersion: null,
  consumerGroup: 'staysync-loader',
  failedAt: '2024-05-01T05:05:00.000Z',
};
