import { AccountAuthError, withRetries, type FetchJobContext, type FetchJobOutcome, type FetchPlugin, type RawEnvelope, type RetryPolicy } from '@staysync/core';
import { createAirbnbClient, createSyncTraceIds, type AirbnbAccountCredentials, type AirbnbClient, type SyncTraceIds } from '../client';
import { decodeListingsSection, type ListingSummary } from '../parse/listings-section';
import { parseMetricList, planListingsRequest, planRequests, type AirbnbRequestDescriptor, type MetricRequest } from '../plan';
import { envelopeRequestKey, toRawEnvelope, type EnvelopeJob } from './envelope';
import { Pacer } from './pacing';

/** Same fields as the fetcher config's `airbnb` section (libs/config), so it can be passed as is. */
export interface AirbnbFetchOptions {
  baseUrl: string;
  apiKey: string;
  timeoutMs: number;
  minIntervalMs: number;
  jitterMs: number;
  listingPauseMs: number;
  maxAttempts: number;
  retryBaseMs: number;
  /** longest backoff between two tries (Retry-After may ask for more); default 60 s */
  retryCapMs?: number;
  lookaheadWeeks: number;
  /** `METRIC_TYPE:group_by_value` items */
  chartMetrics: string[];
  listOfMetrics: string[];
}

/** progress key for the account-level listings call */
/** progress key of the listings request: like every envelope without a resourceId, its operation */
export const LISTINGS_RESOURCE = 'ListingsSectionQuery';
/** envelopes per Kafka send: fewer round trips, yet progress moves steadily */
const PUBLISH_BATCH_SIZE = 20;
const DEFAULT_RETRY_CAP_MS = 60_000;

export function airbnbFetchPlugin(options: AirbnbFetchOptions): FetchPlugin<AirbnbAccountCredentials> {
  const metrics = {
    chart: parseMetricList(options.chartMetrics.join(',')),
    listOfMetrics: parseMetricList(options.listOfMetrics.join(',')),
  };
  const retryPolicy: RetryPolicy = {
    maxAttempts: options.maxAttempts,
    baseMs: options.retryBaseMs,
    capMs: options.retryCapMs ?? DEFAULT_RETRY_CAP_MS,
  };

  return {
    source: 'airbnb',
    readCredentials(account, decrypt) {
      return {
        cookie: decrypt(String(account.airbnb_cookie)),
        userAgent: String(account.user_agent),
        clientVersion: String(account.x_client_version),
      };
    },
    async runJob(ctx) {
      const client = createAirbnbClient({ baseUrl: options.baseUrl, apiKey: options.apiKey, timeoutMs: options.timeoutMs });
      try {
        const session = new AccountSession(ctx, client, await ctx.credentials(), new Pacer(options), retryPolicy);
        return await session.run((listings) =>
          planRequests({
            listings,
            scrapeDay: ctx.job.scrapeDate,
            firstRun: ctx.job.mode === 'backfill',
            lookaheadWeeks: options.lookaheadWeeks,
            metrics,
          }),
          options.listingPauseMs,
        );
      } finally {
        client.close();
      }
    },
  };
}

type RequestResult = { ok: true; envelope: RawEnvelope } | { ok: false; error: unknown };

/** One job of one account: sequential requests under the account's pacing. */
class AccountSession {
  private readonly trace: SyncTraceIds = createSyncTraceIds();
  private readonly job: EnvelopeJob;

  constructor(
    private readonly ctx: FetchJobContext<AirbnbAccountCredentials>,
    private readonly client: AirbnbClient,
    private readonly credentials: AirbnbAccountCredentials,
    private readonly pacer: Pacer,
    private readonly retryPolicy: RetryPolicy,
  ) {
    this.job = { jobId: ctx.job.id, accountId: ctx.job.accountId, scrapeDate: ctx.job.scrapeDate };
  }

  async run(plan: (listings: ListingSummary[]) => MetricRequest[], listingPauseMs: number): Promise<FetchJobOutcome> {
    const { progress, signal } = this.ctx;

    // The listings call is made even on a resume: the plan needs the listings.
    progress.planned(LISTINGS_RESOURCE, 1);
    const listingsResult = await this.fetch(planListingsRequest(this.ctx.job.scrapeDate));
    if (!listingsResult.ok) {
      progress.failed(LISTINGS_RESOURCE, listingsResult.error);
      return jobOutcome(listingsResult.error, signal);
    }
    await this.ctx.publish([listingsResult.envelope]);
    progress.fetched(LISTINGS_RESOURCE);

    const byListing = groupByListing(plan(decodeListingsSection(listingsResult.envelope.body)));
    for (const [listingId, requests] of byListing) progress.planned(listingId, requests.length);

    for (const [listingId, requests] of byListing) {
      if (signal.aborted) return { status: 'aborted' };
      const authError = await this.fetchListing(listingId, requests);
      if (authError) return { status: 'auth_failed', error: authError };
      this.pacer.pauseBeforeNext(listingPauseMs);
    }
    return signal.aborted ? { status: 'aborted' } : { status: 'completed' };
  }

  /** Fetches one listing's requests; a failed request is counted and skipped. Returns the auth error that ends the job, if any. */
  private async fetchListing(listingId: string, requests: MetricRequest[]): Promise<AccountAuthError | null> {
    const { progress, signal, skipRequestKeys } = this.ctx;
    const pending: RawEnvelope[] = [];
    const publishPending = async () => {
      if (pending.length === 0) return;
      const batch = pending.splice(0);
      await this.ctx.publish(batch);
      progress.fetched(listingId, batch.length);
    };

    try {
      for (const request of requests) {
        if (signal.aborted) return null;
        if (skipRequestKeys.has(envelopeRequestKey(this.ctx.job.accountId, request))) {
          progress.fetched(listingId);
          continue;
        }
        const result = await this.fetch(request);
        if (result.ok) {
          pending.push(result.envelope);
          if (pending.length >= PUBLISH_BATCH_SIZE) await publishPending();
        } else if (result.error instanceof AccountAuthError) {
          return result.error;
        } else if (!signal.aborted) {
          progress.failed(listingId, result.error);
          this.ctx.logger.warn({ listingId, operation: request.operation, err: describe(result.error) }, 'request failed; continuing with the next');
        }
      }
      return null;
    } finally {
      // what was fetched is published even when the job stops early
      await publishPending();
    }
  }

  /** One request with pacing and retries; never throws for upstream failures. */
  private async fetch(request: AirbnbRequestDescriptor): Promise<RequestResult> {
    const { signal, observer } = this.ctx;
    try {
      const response = await withRetries(
        async () => {
          await this.pacer.wait(signal);
          const started = performance.now();
          try {
            const reply = await this.client.request(request.operation, request.payload, this.credentials, this.trace);
            observer.request(request.operation, 'ok', (performance.now() - started) / 1000);
            return reply;
          } catch (error) {
            observer.request(request.operation, errorStatus(error), (performance.now() - started) / 1000);
            throw error;
          } finally {
            this.pacer.finished();
          }
        },
        this.retryPolicy,
        { signal, onRetry: () => observer.retry(request.operation) },
      );
      return { ok: true, envelope: toRawEnvelope(this.job, request, response, new Date()) };
    } catch (error) {
      return { ok: false, error };
    }
  }
}

function jobOutcome(error: unknown, signal: AbortSignal): FetchJobOutcome {
  if (error instanceof AccountAuthError) return { status: 'auth_failed', error };
  if (signal.aborted) return { status: 'aborted' };
  return { status: 'failed', error: error instanceof Error ? error : new Error(String(error)) };
}

/** Keeps the plan's order (listings by internalName). */
function groupByListing(requests: MetricRequest[]): Map<string, MetricRequest[]> {
  const groups = new Map<string, MetricRequest[]>();
  for (const request of requests) {
    const group = groups.get(request.listingId) ?? [];
    group.push(request);
    groups.set(request.listingId, group);
  }
  return groups;
}

function errorStatus(error: unknown): string {
  return typeof error === 'object' && error !== null && 'kind' in error ? String(error.kind) : 'error';
}

function describe(error: unknown): { name: string; message: string } {
  return error instanceof Error ? { name: error.name, message: error.message } : { name: 'Error', message: String(error) };
}
