import schema from './schema.json';

export { schema as syncEventSchema };

/**
 * Produced from ops.sync_jobs changes (see migration sync_events): job.queued {mode, trigger},
 * job.started {mode, trigger, scrapeDate}, resource.finished {resourceId, planned, fetched, failed}
 * (one per listing / resource when the fetch completes), job.finished {status, planned, fetched,
 * loaded, failed, deadLettered, durationMs, errorCode, error}. The other types are reserved.
 */
export type SyncEventType =
  | 'job.queued'
  | 'resource.finished'
  | 'job.finished'
  | 'job.started'
  | 'job.planned'
  | 'request.fetched'
  | 'request.failed'
  | 'listing.failed'
  | 'job.fetched'
  | 'job.failed'
  | 'responses.loaded';

/** Value of `sync.events.v1` (mirrors ./schema.json). */
export interface SyncEvent {
  schemaVersion: 1;
  eventId: string;
  jobId: string;
  source: string;
  accountId: string;
  type: SyncEventType;
  /** ISO-8601 */
  at: string;
  /** type-specific details, no secrets */
  data: Record<string, unknown>;
}

/** `jobId`: one job's events stay in order. */
export function syncEventKey(event: Pick<SyncEvent, 'jobId'>): string {
  return event.jobId;
}

export const exampleSyncEvent: SyncEvent = {
  schemaVersion: 1,
  eventId: '9d8c7b6a-5f4e-4d3c-8b2a-1f0e9d8c7b6a',
  jobId: '6f1c2a9e-3d4b-4c5d-8e7f-9a0b1c2d3e4f',
  source: 'airbnb',
  accountId: 'acc-42',
  type: 'job.planned',
  at: '2024-05-01T05:00:02.000Z',
  data: { requests: 48, listings: 4 },
};
