import type { RawEnvelope } from '@staysync/core';
import schema from './raw-envelope.schema.json';

/** One schema for every `raw.<source>.v1` topic; the TypeScript type is `RawEnvelope` in @staysync/core. */
export { schema as rawEnvelopeSchema };
export type { RawEnvelope };

/** The envelope's request identity (it already includes the scrape date), so compaction keeps one response per request and day. */
export function rawEnvelopeKey(envelope: Pick<RawEnvelope, 'requestKey'>): string {
  return envelope.requestKey;
}

/**
 * What a raw topic is partitioned by: the rows a response writes belong to its account and resource
 * (an Airbnb listing), so every response for one listing lands in one partition and is loaded by one
 * consumer at a time. Two loaders then never write the same rows concurrently (no lock waits, no
 * deadlocks), and a listing's responses load in the order they were fetched. The key stays the
 * request identity, so compaction works as before.
 */
export function rawPartitionKey(envelope: Pick<RawEnvelope, 'source' | 'accountId' | 'resourceId'>): string {
  return `${envelope.source}:${envelope.accountId}:${envelope.resourceId ?? ''}`;
}

export const exampleRawEnvelope: RawEnvelope = {
  schemaVersion: 1,
  jobId: '6f1c2a9e-3d4b-4c5d-8e7f-9a0b1c2d3e4f',
  source: 'airbnb',
  accountId: 'acc-42',
  operation: 'ChartQuery',
  resourceId: '12345678',
  requestKey: 'airbnb:acc-42:ChartQuery:12345678:CONVERSION:p3_impressions:2024-04-01..2024-04-30:2024-05-01',
  variables: { listingId: '12345678', metric: 'p3_impressions' },
  window: { start: '2024-04-01', end: '2024-04-30' },
  scrapeDate: '2024-05-01',
  fetchedAt: '2024-05-01T05:03:12.345Z',
  httpStatus: 200,
  body: { data: { porygon: { getPerformanceMetrics: { metrics: [] } } } },
};
