import type { RawEnvelope } from '@staysync/core';
import type { AirbnbResponse } from '../client';
import type { AirbnbRequestDescriptor } from '../plan';

export interface EnvelopeJob {
  jobId: string;
  accountId: string;
  scrapeDate: string;
}

/** The envelope's request key: the plan's key (unique per request and scrape day) scoped to the account. */
export function envelopeRequestKey(accountId: string, request: AirbnbRequestDescriptor): string {
  return `${accountId}:${request.requestKey}`;
}

/** One successful response as a `raw.airbnb` envelope. Variables come from the plan: no cookie, no header. */
export function toRawEnvelope(
  job: EnvelopeJob,
  request: AirbnbRequestDescriptor,
  response: AirbnbResponse,
  fetchedAt: Date,
): RawEnvelope {
  return {
    schemaVersion: 1,
    jobId: job.jobId,
    source: 'airbnb',
    accountId: job.accountId,
    operation: request.operation,
    resourceId: request.listingId,
    requestKey: envelopeRequestKey(job.accountId, request),
    variables: request.variables,
    window: request.window ? { start: request.window.start, end: request.window.end } : null,
    scrapeDate: job.scrapeDate,
    fetchedAt: fetchedAt.toISOString(),
    httpStatus: response.status,
    body: response.body,
  };
}
