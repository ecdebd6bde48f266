import {
  AccountAuthError,
  todayUtc,
  TransientError,
  withRetries,
  type FetchJobContext,
  type FetchJobOutcome,
  type FetchPlugin,
  type RawEnvelope,
  type RetryPolicy,
} from '@staysync/core';
import type { CookieJar } from 'tough-cookie';
import {
  createAirbnbClient,
  createSyncTraceIds,
  type AirbnbAccountCredentials,
  type AirbnbClient,
  type SyncTraceIds,
} from '../client';
import { AirbnbBlockedError, PersistedQueryGoneError } from '../errors';
import type { AirbnbQueryHashes } from '../operations';
import { decodeListingsSection, type ListingSummary } from '../parse/listings-section';
import {
  parseMetricList,
  planListingsRequest,
  planRequests,
  type AirbnbRequestDescriptor,
  type MetricRequest,
} from '../plan';
import { buildChartQueryPayload, buildListOfMetricsPayload } from '../payloads';
import { authCookieHeader, createSessionJar } from '../session/jar';
import { incrementalStart, rebaseWindow } from '../windows';
import { envelopeRequestKey, toRawEnvelope, type EnvelopeJob } from './envelope';
import { Pacer } from './pacing';

/** Same fields as the fetcher config's `airbnb` section (libs/config), so it can be passed as is. */
export interface AirbnbFetchOptions {
  baseUrl: string;
  apiKey: string;
  timeoutMs: number;
  /** the preflight's timeout; default 30 s (reference §2) */
  preflightTimeoutMs?: number;
  minIntervalMs: number;
  jitterMs: number;
  listingPauseMs: number;
  /** a random extra in [0, listingPauseJitterMs] between listings; default 0 */
  listingPauseJitterMs?: number;
  maxAttempts: number;
  retryBaseMs: number;
  /** longest backoff between two tries (Retry-After may ask for more); default 60 s */
  retryCapMs?: number;
  lookaheadWeeks: number;
  /** `METRIC_TYPE:group_by_value` items */
  chartMetrics: string[];
  listOfMetrics: string[];
  /** persisted-query hashes; the reference's by default */
  hashes?: AirbnbQueryHashes;
  /** how long a blocked account is left alone; default 6 h */
  blockCoolDownMs?: number;
  /** clock (tests cross midnight with it); default the system clock */
  now?: () => Date;
  random?: () => number;
}

/** progress key of the listings request: like every envelope without a resourceId, its operation */
export const LISTINGS_RESOURCE = 'ListingsSectionQuery';
/** envelopes per Kafka send at most: fewer round trips, yet progress moves steadily */
const PUBLISH_BATCH_SIZE = 20;
/**
 * How long a fetched response may wait in a batch for the next ones, in pacing time: a send holds
 * floor(this / minIntervalMs) responses (at least 1, at most PUBLISH_BATCH_SIZE). A batch of 20 at 1 s
 * pacing held each response up to 20 s before the loader could see it (issue 17: lag p99 ~20 s).
 */
const PUBLISH_MAX_DELAY_MS = 250;

/** Responses per send under this pacing: as many as arrive within PUBLISH_MAX_DELAY_MS, 1 to PUBLISH_BATCH_SIZE. */
export function publishBatchSize(minIntervalMs: number): number {
  if (minIntervalMs <= 0) return PUBLISH_BATCH_SIZE;
  return Math.min(PUBLISH_BATCH_SIZE, Math.max(1, Math.floor(PUBLISH_MAX_DELAY_MS / minIntervalMs)));
}
const DEFAULT_RETRY_CAP_MS = 60_000;
export const DEFAULT_BLOCK_COOL_DOWN_MS = 6 * 3600_000;

type Outcome = FetchJobOutcome<AirbnbAccountCredentials>;

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
    credentialColumns(update, seal) {
      return update.cookie === undefined ? {} : { airbnb_cookie: seal(update.cookie) };
    },
    async runJob(ctx) {
      const credentials = await ctx.credentials();
      let jar: CookieJar;
      try {
        jar = createSessionJar(options.baseUrl, credentials.cookie);
      } catch (error) {
        return { status: 'auth_failed', error: error as Error };
      }
      const storedAuthCookie = await authCookieHeader(jar, options.baseUrl);
      const client = createAirbnbClient({
        baseUrl: options.baseUrl,
        apiKey: options.apiKey,
        timeoutMs: options.timeoutMs,
        preflightTimeoutMs: options.preflightTimeoutMs,
        hashes: options.hashes,
      });
      try {
        const session = new AccountSession(
          ctx,
          client,
          credentials,
          jar,
          new Pacer({ ...options, random: options.random }),
          retryPolicy,
          options,
        );
        const outcome = await session.run((listings) => {
          const firstRun = ctx.job.mode === 'backfill';
          const windowOptions = {
            scrapeDay: ctx.job.scrapeDate,
            firstRun,
            lastSyncDay: lastSyncDay(ctx.account.last_sync_at),
            lookaheadWeeks: options.lookaheadWeeks,
          };
          if (!firstRun) noteGapClosing(ctx, windowOptions);
          return planRequests({ listings, ...windowOptions, metrics });
        });
        return await withRotatedCookies(outcome, jar, options.baseUrl, storedAuthCookie);
      } finally {
        client.close();
      }
    },
  };
}

/** Auth cookies that rotated during the job (`_aaj`, …) go back to the account with the outcome. */
async function withRotatedCookies(
  outcome: Outcome,
  jar: CookieJar,
  baseUrl: string,
  stored: string,
): Promise<Outcome> {
  const current = await authCookieHeader(jar, baseUrl);
  if (current === '' || current === stored) return outcome;
  return { ...outcome, renewedCredentials: { cookie: current } };
}

/** `last_sync_at` (a timestamptz) as its UTC day, the scrape day of the last successful sync. */
function lastSyncDay(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  const date = value instanceof Date ? value : new Date(value as string);
  return Number.isNaN(date.getTime()) ? null : todayUtc(date);
}

function noteGapClosing(
  ctx: FetchJobContext<AirbnbAccountCredentials>,
  windowOptions: Parameters<typeof incrementalStart>[0],
): void {
  const { start, closesGap, limited } = incrementalStart(windowOptions);
  if (!closesGap) return;
  ctx.note(
    `incremental window reaches back to ${start} to close the gap since the last successful sync (${windowOptions.lastSyncDay})` +
      (limited ? '; the gap is older than the 180-day lookback, so earlier days are lost' : ''),
  );
}

type RequestResult = { ok: true; envelope: RawEnvelope } | { ok: false; error: unknown } | { ok: 'dropped' };

/** One job of one account: the preflight, then sequential requests under the account's pacing, all through one cookie jar. */
class AccountSession {
  private readonly trace: SyncTraceIds = createSyncTraceIds();
  private readonly job: EnvelopeJob;
  private readonly now: () => Date;
  private readonly random: () => number;

  constructor(
    private readonly ctx: FetchJobContext<AirbnbAccountCredentials>,
    private readonly client: AirbnbClient,
    private readonly credentials: AirbnbAccountCredentials,
    private readonly jar: CookieJar,
    private readonly pacer: Pacer,
    private readonly retryPolicy: RetryPolicy,
    private readonly options: AirbnbFetchOptions,
  ) {
    this.job = { jobId: ctx.job.id, accountId: ctx.job.accountId, scrapeDate: ctx.job.scrapeDate };
    this.now = options.now ?? (() => new Date());
    this.random = options.random ?? Math.random;
  }

  async run(plan: (listings: ListingSummary[]) => MetricRequest[]): Promise<Outcome> {
    const { progress, signal } = this.ctx;

    const preflightStop = await this.preflight();
    if (preflightStop) return preflightStop;

    const listings = await this.listings();
    if (!Array.isArray(listings)) return listings;

    const byListing = groupByListing(plan(listings));
    for (const [listingId, requests] of byListing) progress.planned(listingId, requests.length);

    for (const [listingId, requests] of byListing) {
      if (signal.aborted) return { status: 'aborted' };
      const stop = await this.fetchListing(listingId, requests);
      if (stop) return stop;
      const jitter = Math.round(this.random() * (this.options.listingPauseJitterMs ?? 0));
      this.pacer.pauseBeforeNext(this.options.listingPauseMs + jitter);
    }
    return signal.aborted ? { status: 'aborted' } : { status: 'completed' };
  }

  /**
   * The account's listings: from the plan an earlier attempt of the job saved (a resume makes no
   * listings call), else from the listings call, whose envelope is published and listings saved.
   */
  private async listings(): Promise<ListingSummary[] | Outcome> {
    const { progress, signal } = this.ctx;
    progress.planned(LISTINGS_RESOURCE, 1);
    const saved = savedListings(this.ctx.savedPlan);
    if (saved) {
      this.ctx.logger.info({ listings: saved.length }, 'resuming from the saved plan: no listings call');
      progress.fetched(LISTINGS_RESOURCE);
      return saved;
    }
    const listingsResult = await this.fetch(planListingsRequest(this.ctx.job.scrapeDate));
    if (listingsResult.ok !== true) {
      const error =
        listingsResult.ok === false ? listingsResult.error : new Error('listings request dropped');
      progress.failed(LISTINGS_RESOURCE, error);
      return this.stopOutcome(error) ?? jobOutcome(error, signal);
    }
    await this.ctx.publish([listingsResult.envelope]);
    progress.fetched(LISTINGS_RESOURCE);
    const listings = decodeListingsSection(listingsResult.envelope.body);
    await this.ctx.savePlan?.({ listings });
    return listings;
  }

  /** The preflight (reference §2): null when the session is live, else the outcome that ends the job. */
  private async preflight(): Promise<Outcome | null> {
    const { signal, observer, logger } = this.ctx;
    try {
      const verdict = await withRetries(
        async () => {
          const started = performance.now();
          try {
            const result = await this.client.preflight(this.credentials, this.jar);
            observer.request(
              'preflight',
              result.state === 'live' ? 'ok' : result.state === 'dead' ? 'needs_reauth' : 'blocked',
              (performance.now() - started) / 1000,
            );
            return result;
          } catch (error) {
            observer.request('preflight', errorStatus(error), (performance.now() - started) / 1000);
            throw error;
          }
        },
        this.retryPolicy,
        { signal, onRetry: () => observer.retry('preflight') },
      );
      if (verdict.state === 'live') return null;
      logger.warn(
        { state: verdict.state, signal: verdict.state === 'dead' ? verdict.signal : undefined },
        'preflight: session not usable',
      );
      if (verdict.state === 'dead') {
        return {
          status: 'auth_failed',
          error: new AccountAuthError(`preflight: ${verdict.message} (${verdict.signal})`, {
            context: { signal: verdict.signal },
          }),
        };
      }
      return this.blocked(
        new AirbnbBlockedError(`preflight: ${verdict.message}`, { context: { status: verdict.status } }),
      );
    } catch (error) {
      return signal.aborted ? { status: 'aborted' } : (this.stopOutcome(error) ?? jobOutcome(error, signal));
    }
  }

  /** Fetches one listing's requests; a failed request is counted and skipped. Returns the outcome that ends the job, if any. */
  private async fetchListing(listingId: string, requests: MetricRequest[]): Promise<Outcome | null> {
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
        if (result.ok === 'dropped') {
          progress.planned(listingId, -1);
        } else if (result.ok) {
          pending.push(result.envelope);
          if (pending.length >= publishBatchSize(this.options.minIntervalMs)) await publishPending();
        } else {
          const stop = this.stopOutcome(result.error);
          if (stop) {
            progress.failed(listingId, result.error);
            return stop;
          }
          if (!signal.aborted) {
            progress.failed(listingId, result.error);
            this.ctx.logger.warn(
              { listingId, operation: request.operation, err: describe(result.error) },
              'request failed; continuing with the next',
            );
          }
        }
      }
      return null;
    } finally {
      // what was fetched is published even when the job stops early
      await publishPending();
    }
  }

  /** Errors that end the whole job at once (the same failure would hit every further request). */
  private stopOutcome(error: unknown): Outcome | null {
    if (error instanceof AccountAuthError) return { status: 'auth_failed', error };
    if (error instanceof AirbnbBlockedError) return this.blocked(error);
    if (isPersistentRateLimit(error)) {
      return this.blocked(
        new AirbnbBlockedError(
          `still rate limited (HTTP 429) after ${this.retryPolicy.maxAttempts} tries: treated as an edge block`,
          { context: (error as TransientError).context },
        ),
      );
    }
    if (error instanceof PersistedQueryGoneError) return { status: 'failed', error, code: error.code };
    return null;
  }

  private blocked(error: AirbnbBlockedError): Outcome {
    return {
      status: 'blocked',
      error,
      coolDownMs: this.options.blockCoolDownMs ?? DEFAULT_BLOCK_COOL_DOWN_MS,
    };
  }

  /** One request with pacing and retries; never throws for upstream failures. */
  private async fetch(planned: AirbnbRequestDescriptor): Promise<RequestResult> {
    const { signal, observer } = this.ctx;
    try {
      let request: AirbnbRequestDescriptor = planned;
      const response = await withRetries(
        async () => {
          await this.pacer.wait(signal);
          const rebased = this.forSendDay(planned);
          if (rebased === null) return null;
          request = rebased;
          const started = performance.now();
          try {
            const reply = await this.client.request(
              request.operation,
              request.payload,
              this.credentials,
              this.trace,
              this.jar,
            );
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
        { signal, onRetry: () => observer.retry(planned.operation) },
      );
      if (response === null) return { ok: 'dropped' };
      return { ok: true, envelope: toRawEnvelope(this.job, request, response, this.now()) };
    } catch (error) {
      return { ok: false, error };
    }
  }

  /**
   * The request as it must be sent today: a job that crossed midnight still asks for its scrape day's
   * dates, with offsets counted from the send day and clipped to what that day allows (a job note says
   * so). null when the window is no longer allowed at all (dropped, with a note).
   */
  private forSendDay(request: AirbnbRequestDescriptor): AirbnbRequestDescriptor | null {
    const scrapeDay = this.ctx.job.scrapeDate;
    const sendDay = todayUtc(this.now());
    if (request.window === null || sendDay === scrapeDay) return request;
    const rebased = rebaseWindow(request.window, sendDay);
    const what = `${request.operation} ${request.listingId} ${request.window.start}..${request.window.end}`;
    if (rebased === null) {
      this.ctx.note(
        `job crossed into ${sendDay}: ${what} is beyond the offset limits from that day and was not sent`,
      );
      return null;
    }
    if (rebased.clipped) {
      this.ctx.note(
        `job crossed into ${sendDay}: ${what} was clipped to ${rebased.window.start}..${rebased.window.end} (offset limits)`,
      );
    }
    const { window } = rebased;
    const build = request.operation === 'ChartQuery' ? buildChartQueryPayload : buildListOfMetricsPayload;
    return {
      ...request,
      window,
      payload: build({
        listingId: request.listingId,
        metricType: request.metricType,
        groupByValue: request.groupByValue,
        relativeDsStart: window.relativeDsStart,
        relativeDsEnd: window.relativeDsEnd,
      }),
      variables: {
        ...request.variables,
        relativeDsStart: window.relativeDsStart,
        relativeDsEnd: window.relativeDsEnd,
      },
    };
  }
}

function isPersistentRateLimit(error: unknown): boolean {
  return error instanceof TransientError && error.context.status === 429;
}

function jobOutcome(error: unknown, signal: AbortSignal): Outcome {
  if (error instanceof AccountAuthError) return { status: 'auth_failed', error };
  if (signal.aborted) return { status: 'aborted' };
  return { status: 'failed', error: error instanceof Error ? error : new Error(String(error)) };
}

/** The listings of a plan saved by `listings()`, or null when there is none (or it is not one). */
export function savedListings(plan: unknown): ListingSummary[] | null {
  if (typeof plan !== 'object' || plan === null || !Array.isArray((plan as { listings?: unknown }).listings))
    return null;
  const listings = (plan as { listings: unknown[] }).listings;
  const valid = listings.every(
    (l) =>
      typeof l === 'object' &&
      l !== null &&
      typeof (l as ListingSummary).id === 'string' &&
      /^\d+$/.test((l as ListingSummary).id),
  );
  return valid ? (listings as ListingSummary[]) : null;
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

/** The metrics' status label: the failure code when there is one (blocked, stale_persisted_query), else the error kind. */
function errorStatus(error: unknown): string {
  if (error instanceof AccountAuthError) return 'needs_reauth';
  if (
    typeof error === 'object' &&
    error !== null &&
    'code' in error &&
    typeof error.code === 'string' &&
    /^[a-z_]+$/.test(error.code)
  )
    return error.code;
  return typeof error === 'object' && error !== null && 'kind' in error ? String(error.kind) : 'error';
}

function describe(error: unknown): { name: string; message: string } {
  return error instanceof Error
    ? { name: error.name, message: error.message }
    : { name: 'Error', message: String(error) };
}
