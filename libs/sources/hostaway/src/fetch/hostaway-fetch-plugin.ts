import pLimit from 'p-limit';
import {
  AccountAuthError,
  withRetries,
  type FetchJobContext,
  type FetchJobOutcome,
  type FetchPlugin,
  type RetryPolicy,
  isJsonObject,
} from '@staysync/core';
import type { SensitiveFields } from '@staysync/crypto';
import type { HostawayListEnvelope } from '../classify';
import {
  createHostawayClient,
  normalizeBaseUrl,
  type HostawayClient,
  type HostawayPageResponse,
  type MintedToken,
  type QueryValue,
} from '../client';
import {
  hostawayCredentialColumns,
  mintedTokenUpdate,
  readHostawayCredentials,
  toDate,
  type HostawayCredentials,
} from '../credentials';
import { formatHostawayDateTime } from '../datetime';
import { TokenRejectedError } from '../errors';
import { HOSTAWAY_SENSITIVE_FIELDS } from '../sensitive-fields';
import {
  DEFAULT_CONCURRENCY,
  sharedIpRateLimit,
  type AccountRateLimiter,
  type HostawayIpRateLimit,
} from '../rate-limit';
import { DEFAULT_TOKEN_WARMUP_MS, HostawayTokenProvider, withTokenRefresh } from '../token';
import {
  hostawayRequestKey,
  toRawEnvelope,
  type EnvelopeJob,
  type HostawayListOperation,
  type PageRequest,
} from './envelope';

/** The fetcher config's `hostaway` section (libs/config HostawayFetchConfig) plus optional tuning. */
export interface HostawayFetchOptions {
  baseUrl: string;
  pageSize: number;
  concurrency: number;
  accountRate: number;
  ipRate: number;
  rateWindowMs: number;
  timeoutMs: number;
  /** wait after a token's issue before using it; default 1000 */
  tokenWarmupMs?: number;
  /** tries per request, the first included; default 3 (2 retries, reference §2) */
  maxAttempts?: number;
  /** first backoff; default 2000 */
  retryBaseMs?: number;
  /** longest backoff (Retry-After may ask for more); default 30 s */
  retryCapMs?: number;
  /** the IP limit to share; default the process-wide one for `baseUrl` */
  ipRateLimit?: HostawayIpRateLimit;
  /** payload keys sealed before publishing; default HOSTAWAY_SENSITIVE_FIELDS */
  sensitiveFields?: SensitiveFields;
}

export const INCREMENTAL_UNFILTERED_NOTE =
  'incremental: conversations and messages have no change filter upstream; fetched in full';
export const INCREMENTAL_WITHOUT_WATERMARK_NOTE =
  'incremental: the account has no last_sync_at yet; fetched in full';

const DEFAULTS = { maxAttempts: 3, retryBaseMs: 2_000, retryCapMs: 30_000 };

export function hostawayFetchPlugin(options: HostawayFetchOptions): FetchPlugin<HostawayCredentials> {
  const retryPolicy: RetryPolicy = {
    maxAttempts: options.maxAttempts ?? DEFAULTS.maxAttempts,
    baseMs: options.retryBaseMs ?? DEFAULTS.retryBaseMs,
    capMs: options.retryCapMs ?? DEFAULTS.retryCapMs,
  };
  const ipRateLimit = () =>
    options.ipRateLimit ??
    sharedIpRateLimit(normalizeBaseUrl(options.baseUrl), {
      ipRate: options.ipRate,
      windowMs: options.rateWindowMs,
    });

  return {
    source: 'hostaway',
    sensitiveFields: options.sensitiveFields ?? HOSTAWAY_SENSITIVE_FIELDS,
    readCredentials: readHostawayCredentials,
    credentialColumns: hostawayCredentialColumns,
    async runJob(ctx) {
      const client = createHostawayClient({ baseUrl: options.baseUrl, timeoutMs: options.timeoutMs });
      const limiter = ipRateLimit().forAccount({
        accountRate: options.accountRate,
        concurrency: options.concurrency || DEFAULT_CONCURRENCY,
      });
      try {
        const credentials = await ctx.credentials();
        const session = new AccountSession(ctx, client, limiter, credentials, options, retryPolicy);
        return await session.run();
      } catch (error) {
        return jobOutcome(error, ctx.signal);
      } finally {
        client.close();
      }
    },
  };
}

type PageResult =
  { ok: true; response: HostawayPageResponse; fetchedAt: Date } | { ok: false; error: unknown };

/**
 * One job of one account: listings → reservations → conversations → each conversation's messages.
 * Every list is paged by limit/offset (`page` is ignored upstream): the first page tells `count`, the
 * other offsets are then requested at once and paced by the rate limiter.
 */
class AccountSession {
  private readonly job: EnvelopeJob;
  private readonly tokens: HostawayTokenProvider;
  /** aborted by the job's signal, or by us when the credentials are rejected */
  private readonly stop = new AbortController();
  private readonly signal: AbortSignal;

  constructor(
    private readonly ctx: FetchJobContext<HostawayCredentials>,
    private readonly client: HostawayClient,
    private readonly limiter: AccountRateLimiter,
    credentials: HostawayCredentials,
    private readonly options: HostawayFetchOptions,
    private readonly retryPolicy: RetryPolicy,
  ) {
    this.job = { jobId: ctx.job.id, accountId: ctx.job.accountId, scrapeDate: ctx.job.scrapeDate };
    this.signal = AbortSignal.any([ctx.signal, this.stop.signal]);
    this.tokens = new HostawayTokenProvider({
      clientId: credentials.accountId,
      clientSecret: credentials.clientSecret,
      stored: credentials.accessToken
        ? {
            accessToken: credentials.accessToken,
            issuedAt: credentials.accessTokenIssuedAt,
            expiresAt: credentials.accessTokenExpiresAt,
          }
        : null,
      mint: (clientId, clientSecret) =>
        this.withRetries('accessTokens', () =>
          this.limited('accessTokens', () => this.client.mintToken(clientId, clientSecret)),
        ),
      persist: (token) => this.persist(token),
      warmupMs: options.tokenWarmupMs ?? DEFAULT_TOKEN_WARMUP_MS,
      signal: this.signal,
    });
  }

  async run(): Promise<FetchJobOutcome> {
    const filter = this.changeFilter();
    await this.fetchList('listings', 'listings', filter);
    await this.fetchList('reservations', 'reservations', filter);
    const conversationIds = new Set<string>();
    await this.fetchList('conversations', 'conversations', {}, (entity) => {
      const id = isJsonObject(entity) ? entity.id : undefined;
      if (typeof id === 'number' || (typeof id === 'string' && id !== '')) conversationIds.add(String(id));
    });

    const failures = await this.fetchAllMessages([...conversationIds]);
    if (this.ctx.signal.aborted) return { status: 'aborted' };
    if (failures.length === 0) return { status: 'completed' };
    const first = failures[0];
    const error = new Error(
      `messages of ${failures.length} of ${conversationIds.size} conversations could not be fetched; first: conversation ${first.conversationId}: ${errorMessage(first.error)}`,
      { cause: first.error },
    );
    return { status: 'failed', error };
  }

  /** Incremental jobs narrow listings and reservations by latest activity; the rest cannot be narrowed. */
  private changeFilter(): Record<string, QueryValue> {
    if (this.ctx.job.mode !== 'incremental') return {};
    const lastSyncAt = toDate(this.ctx.account.last_sync_at);
    if (!lastSyncAt) {
      this.ctx.note(INCREMENTAL_WITHOUT_WATERMARK_NOTE);
      return {};
    }
    this.ctx.note(INCREMENTAL_UNFILTERED_NOTE);
    return { latestActivityStart: formatHostawayDateTime(lastSyncAt) };
  }

  /**
   * Fetches and publishes every page of an account-level list (always, even on a resume: conversations
   * are needed to find the threads; a page published twice loads as a no-op). Throws when a page fails.
   */
  private async fetchList(
    operation: Exclude<HostawayListOperation, 'messages'>,
    path: string,
    filter: Record<string, QueryValue>,
    onEntity?: (entity: unknown) => void,
  ): Promise<void> {
    const { progress } = this.ctx;
    const publishPage = async (request: PageRequest, result: PageResult) => {
      if (!result.ok) throw this.failed(operation, result.error);
      result.response.body.result.forEach((entity) => onEntity?.(entity));
      await this.ctx.publish([toRawEnvelope(this.job, request, result.response, result.fetchedAt)]);
      progress.fetched(operation);
    };

    try {
      progress.planned(operation, 1);
      const firstRequest = this.pageRequest(operation, path, null, 0, filter);
      const first = await this.fetchPage(firstRequest);
      await publishPage(firstRequest, first);
      if (!first.ok) return;

      const rest = remainingOffsets(first.response.body, this.options.pageSize).map((offset) =>
        this.pageRequest(operation, path, null, offset, filter),
      );
      progress.planned(operation, rest.length);
      await settleAll(rest.map(async (request) => publishPage(request, await this.fetchPage(request))));
    } catch (error) {
      if (error instanceof AccountAuthError || this.signal.aborted) throw error;
      throw new Error(`the ${operation} list could not be fetched: ${errorMessage(error)}`, { cause: error });
    }
  }

  /** Each conversation's thread; a failed thread is counted and the others continue. */
  private async fetchAllMessages(
    conversationIds: string[],
  ): Promise<Array<{ conversationId: string; error: unknown }>> {
    const failures: Array<{ conversationId: string; error: unknown }> = [];
    // bounds the threads being worked on; requests in flight are bounded by the account limiter
    const threads = pLimit(Math.max(1, this.options.concurrency) * 2);
    await settleAll(
      conversationIds.map((conversationId) =>
        threads(async () => {
          if (this.signal.aborted) return;
          try {
            await this.fetchMessages(conversationId);
          } catch (error) {
            if (error instanceof AccountAuthError) throw error;
            if (!this.signal.aborted) failures.push({ conversationId, error });
          }
        }),
      ),
    );
    return failures;
  }

  /**
   * One conversation's messages. Its first page is published last, only once every other page is
   * published: a stored first page then proves the whole thread is stored, so a resumed job skips the
   * thread without a request (a skipped first page would otherwise leave the page count unknown).
   */
  private async fetchMessages(conversationId: string): Promise<void> {
    const { progress, skipRequestKeys } = this.ctx;
    const path = `conversations/${encodeURIComponent(conversationId)}/messages`;
    progress.planned('messages', 1);
    if (skipRequestKeys.has(hostawayRequestKey(this.job, 'messages', conversationId, 0))) {
      progress.fetched('messages');
      return;
    }
    const firstRequest = this.pageRequest('messages', path, conversationId, 0, {});
    const first = await this.fetchPage(firstRequest);
    if (!first.ok) throw this.failed('messages', first.error);

    const rest = remainingOffsets(first.response.body, this.options.pageSize).map((offset) =>
      this.pageRequest('messages', path, conversationId, offset, {}),
    );
    progress.planned('messages', rest.length);
    await settleAll(
      rest.map(async (request) => {
        if (skipRequestKeys.has(hostawayRequestKey(this.job, 'messages', conversationId, request.offset))) {
          progress.fetched('messages');
          return;
        }
        const result = await this.fetchPage(request);
        if (!result.ok) throw this.failed('messages', result.error);
        await this.ctx.publish([toRawEnvelope(this.job, request, result.response, result.fetchedAt)]);
        progress.fetched('messages');
      }),
    );
    await this.ctx.publish([toRawEnvelope(this.job, firstRequest, first.response, first.fetchedAt)]);
    progress.fetched('messages');
  }

  private pageRequest(
    operation: HostawayListOperation,
    path: string,
    resourceId: string | null,
    offset: number,
    filter: Record<string, QueryValue>,
  ): PageRequest {
    return {
      operation,
      path,
      resourceId,
      offset,
      query: { ...filter, limit: this.options.pageSize, offset },
    };
  }

  /** One page with retries and at most one token refresh; never throws for upstream failures. */
  private async fetchPage(request: PageRequest): Promise<PageResult> {
    try {
      const response = await this.withRetries(request.operation, () => this.withToken(request));
      return { ok: true, response, fetchedAt: new Date() };
    } catch (error) {
      return { ok: false, error };
    }
  }

  /** A 403 is answered with one refreshed token (reference §1); a second 403 ends the account's job. */
  private withToken(request: PageRequest): Promise<HostawayPageResponse> {
    return withTokenRefresh(this.tokens, (token) =>
      this.limited(request.operation, () => this.client.getPage(request.path, request.query, token)),
    );
  }

  private withRetries<T>(operation: string, attempt: () => Promise<T>): Promise<T> {
    return withRetries(attempt, this.retryPolicy, {
      signal: this.signal,
      onRetry: () => this.ctx.observer.retry(operation),
    });
  }

  /** One request under the rate limits, observed. */
  private limited<T>(operation: string, request: () => Promise<T>): Promise<T> {
    return this.limiter.schedule(async () => {
      const started = performance.now();
      try {
        const result = await request();
        this.ctx.observer.request(operation, 'ok', (performance.now() - started) / 1000);
        return result;
      } catch (error) {
        this.ctx.observer.request(operation, errorStatus(error), (performance.now() - started) / 1000);
        throw error;
      }
    }, this.signal);
  }

  private async persist(token: MintedToken): Promise<void> {
    try {
      await this.ctx.saveCredentials(mintedTokenUpdate(token));
    } catch (error) {
      // the token still works for this job; the next job mints again
      this.ctx.logger.warn(
        { err: describe(error) },
        'could not store the new Hostaway access token; continuing with it',
      );
    }
  }

  /** Counts a failed request (unless the job is stopping) and returns the error to throw. */
  private failed(resource: HostawayListOperation, error: unknown): unknown {
    if (error instanceof AccountAuthError) this.stop.abort();
    else if (!this.signal.aborted) this.ctx.progress.failed(resource, error);
    return error;
  }
}

/** Offsets after the first page: limit × pageIndex up to `count` (pages = ceil(count / limit)). */
export function remainingOffsets(body: HostawayListEnvelope, pageSize: number): number[] {
  const count =
    typeof body.count === 'number' && Number.isFinite(body.count) ? body.count : body.result.length;
  // upstream may cap the page size below what was asked: step by what it used
  const step = typeof body.limit === 'number' && body.limit > 0 ? Math.min(body.limit, pageSize) : pageSize;
  const offsets: number[] = [];
  for (let offset = step; offset < count; offset += step) offsets.push(offset);
  return offsets;
}

/** Waits for every promise; then rethrows an account error if any, else the first error. */
async function settleAll(promises: Array<Promise<void>>): Promise<void> {
  const results = await Promise.allSettled(promises);
  const errors = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
  if (errors.length > 0) throw errors.find((e) => e instanceof AccountAuthError) ?? errors[0];
}

function jobOutcome(error: unknown, signal: AbortSignal): FetchJobOutcome {
  if (error instanceof AccountAuthError) return { status: 'auth_failed', error };
  if (signal.aborted) return { status: 'aborted' };
  return { status: 'failed', error: error instanceof Error ? error : new Error(String(error)) };
}

function errorStatus(error: unknown): string {
  if (error instanceof TokenRejectedError) return 'token_rejected';
  return typeof error === 'object' && error !== null && 'kind' in error ? String(error.kind) : 'error';
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function describe(error: unknown): { name: string; message: string } {
  return error instanceof Error
    ? { name: error.name, message: error.message }
    : { name: 'Error', message: String(error) };
}
