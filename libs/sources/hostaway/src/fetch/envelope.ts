import type { RawEnvelope } from '@staysync/core';
import type { HostawayPageResponse, QueryValue } from '../client';

/** The list operations a job fetches, in order; also the progress resource names. */
export type HostawayListOperation = 'listings' | 'reservations' | 'conversations' | 'messages';

export interface EnvelopeJob {
  jobId: string;
  accountId: string;
  scrapeDate: string;
}

/** One page request. `query` holds every query parameter sent (never the token: it travels in a header). */
export interface PageRequest {
  operation: HostawayListOperation;
  path: string;
  /** the conversation id for messages, else null */
  resourceId: string | null;
  offset: number;
  query: Readonly<Record<string, QueryValue>>;
}

/**
 * Stable identity of a page request for one account and scrape day (also the Kafka key): a resumed
 * job recomputes the same keys and skips what is stored. The filter is not part of it: it is fixed
 * per job.
 */
export function hostawayRequestKey(
  job: EnvelopeJob,
  operation: HostawayListOperation,
  resourceId: string | null,
  offset: number,
): string {
  return `hostaway:${job.accountId}:${job.scrapeDate}:${operation}:${resourceId ?? '-'}:${offset}`;
}

export function toRawEnvelope(
  job: EnvelopeJob,
  request: PageRequest,
  response: HostawayPageResponse,
  fetchedAt: Date,
): RawEnvelope {
  return {
    schemaVersion: 1,
    jobId: job.jobId,
    source: 'hostaway',
    accountId: job.accountId,
    operation: request.operation,
    resourceId: request.resourceId,
    requestKey: hostawayRequestKey(job, request.operation, request.resourceId, request.offset),
    variables: { ...request.query },
    window: null,
    scrapeDate: job.scrapeDate,
    fetchedAt: fetchedAt.toISOString(),
    httpStatus: response.httpStatus,
    body: response.body,
  };
}
