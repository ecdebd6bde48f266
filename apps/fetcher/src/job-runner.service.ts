import {
  Inject,
  Injectable,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import type { FetcherConfig } from '@staysync/config';
import { rawTopicId, type SyncCommand } from '@staysync/contracts';
import {
  AccountAuthError,
  isRetriable,
  type AccountRow,
  type FetchJob,
  type FetchJobOutcome,
  type FetchPlugin,
  type RawEnvelope,
} from '@staysync/core';
import { CredentialCipher, sealSensitiveFields } from '@staysync/crypto';
import { PG_POOL, type FinishedJob } from '@staysync/db';
import { KafkaProducerService } from '@staysync/kafka';
import { METRICS_REGISTRY } from '@staysync/observability';
import type { ConsumerConfig } from 'kafkajs';
import pLimit, { type Limit } from 'p-limit';
import type { Pool } from 'pg';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { createFetcherMetrics, type FetcherMetrics } from './fetcher-metrics';
import { errorMessage, JobProgress } from './job-progress';
import { JobStore, type OutcomeWrites } from './job-store';
import { FETCH_PLUGINS, FETCHER_CONFIG, FETCHER_LOGGER, FETCHER_RUNTIME } from './tokens';

export interface FetcherRuntimeOptions {
  /** this instance's name in ops.sync_jobs.owner */
  instanceId: string;
  /** how long a claim holds without renewal; renewed with every progress flush */
  leaseMs: number;
  progressFlushMs: number;
  /** how often to look for jobs whose fetcher died (lease lapsed) or handed them back */
  sweepIntervalMs: number;
  /** kafkajs options of the sync.commands consumer (maxWaitTimeInMs, sessionTimeout, …) */
  commandConsumer: Omit<ConsumerConfig, 'groupId'>;
}

interface ActiveJob {
  job: FetchJob;
  abort: AbortController;
  done: Promise<void>;
}

/**
 * Claims sync jobs (from commands and from the sweeper), runs each through its source's FetchPlugin with
 * at most `accountConcurrency` jobs at once, flushes progress on a timer, and records the end of the
 * fetch. One job = one account, so accounts run in parallel and each account's requests stay sequential.
 */
@Injectable()
export class JobRunnerService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly store: JobStore;
  private readonly plugins: Map<string, FetchPlugin>;
  private readonly cipher: CredentialCipher;
  private readonly metrics: FetcherMetrics;
  private readonly limit: Limit;
  private readonly concurrency: number;
  private readonly active = new Map<string, ActiveJob>();
  private sweeper?: NodeJS.Timeout;
  private stopping = false;

  constructor(
    @Inject(PG_POOL) pool: Pool,
    @Inject(FETCH_PLUGINS) plugins: FetchPlugin[],
    @Inject(FETCHER_CONFIG) config: FetcherConfig,
    @Inject(FETCHER_RUNTIME) private readonly runtime: FetcherRuntimeOptions,
    @Inject(FETCHER_LOGGER) private readonly logger: Logger,
    @Inject(METRICS_REGISTRY) registry: Registry,
    private readonly producer: KafkaProducerService,
  ) {
    this.store = new JobStore(pool, { owner: runtime.instanceId, leaseMs: runtime.leaseMs });
    this.plugins = new Map(plugins.map((plugin) => [plugin.source, plugin]));
    this.cipher = new CredentialCipher(config.credentialKeys);
    this.metrics = createFetcherMetrics(registry);
    this.concurrency = config.accountConcurrency;
    this.limit = pLimit(this.concurrency);
  }

  onApplicationBootstrap(): void {
    this.sweeper = setInterval(() => void this.sweep(), this.runtime.sweepIntervalMs);
    void this.sweep();
  }

  /** A sync command: claim its job and start it in the background (the command's offset can commit at once). */
  async accept(command: SyncCommand): Promise<void> {
    if (!this.plugins.has(command.source)) {
      this.logger.warn(
        { jobId: command.jobId, source: command.source },
        'no fetch plugin for this source; command skipped',
      );
      return;
    }
    const job = await this.store.claim(command.jobId);
    if (!job) {
      this.logger.debug(
        { jobId: command.jobId },
        'job not claimable (taken, finished or unknown); command skipped',
      );
      return;
    }
    this.start(job);
  }

  /** Job ids this instance is working (for tests and diagnostics). */
  activeJobIds(): string[] {
    return [...this.active.keys()];
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    clearInterval(this.sweeper);
    for (const { abort } of this.active.values()) abort.abort(new Error('fetcher shutting down'));
    await Promise.all([...this.active.values()].map((active) => active.done));
  }

  private async sweep(): Promise<void> {
    if (this.stopping) return;
    try {
      const free = this.limitFreeSlots();
      const jobs = await this.store.claimAbandoned([...this.plugins.keys()], free);
      for (const job of jobs) {
        this.logger.info(
          { jobId: job.id, accountId: job.accountId },
          'resuming a job whose lease lapsed or was handed back',
        );
        this.start(job);
      }
    } catch (error) {
      this.logger.warn({ err: error }, 'sweeping for abandoned jobs failed; next round retries');
    }
  }

  /** Claim only what can start now, so one instance does not hoard jobs others could run. */
  private limitFreeSlots(): number {
    return Math.max(0, this.concurrency - this.active.size);
  }

  private start(job: FetchJob): void {
    if (this.active.has(job.id)) return;
    const abort = new AbortController();
    const progress = new JobProgress();
    // The lease is renewed from the claim on, also while the job waits for a concurrency slot.
    const flusher = setInterval(() => void this.flush(job, progress, abort), this.runtime.progressFlushMs);
    const done = this.limit(() => this.run(job, progress, abort.signal))
      .catch((error: unknown) =>
        this.logger.error(
          { err: error, jobId: job.id },
          'recording the job outcome failed; its lease will lapse and another fetcher resumes it',
        ),
      )
      .finally(() => {
        clearInterval(flusher);
        this.active.delete(job.id);
      });
    this.active.set(job.id, { job, abort, done });
  }

  private async flush(job: FetchJob, progress: JobProgress, abort: AbortController): Promise<void> {
    try {
      await this.savePublished(job, progress);
      const stillOurs = await this.store.saveProgress(job.id, progress.snapshot());
      if (!stillOurs && !abort.signal.aborted) {
        this.logger.warn(
          { jobId: job.id },
          'lost the job (lease taken over or job ended elsewhere); stopping',
        );
        abort.abort(new Error('lease lost'));
      }
    } catch (error) {
      this.logger.warn({ err: error, jobId: job.id }, 'progress flush failed; retrying on the next tick');
    }
  }

  /** Persists the request keys published since the last flush; on failure they wait for the next one. */
  private async savePublished(job: FetchJob, progress: JobProgress): Promise<void> {
    const keys = progress.takePublished();
    try {
      await this.store.savePublished(job.id, keys);
    } catch (error) {
      progress.putBack(keys);
      throw error;
    }
  }

  /** Stopping early: what was published is recorded, so whoever resumes the job does not fetch it again. */
  private async handBack(job: FetchJob, progress: JobProgress, writes?: OutcomeWrites): Promise<void> {
    await this.savePublished(job, progress);
    return this.store.handBack(job.id, progress.snapshot(), writes);
  }

  private async run(job: FetchJob, progress: JobProgress, signal: AbortSignal): Promise<void> {
    const log = this.logger.child({ jobId: job.id, source: job.source, accountId: job.accountId });
    if (signal.aborted || this.stopping) return this.handBack(job, progress);

    const plugin = this.plugins.get(job.source)!;
    const account = await this.store.account(job.source, job.accountId);
    const unusable = accountProblem(account);
    if (unusable || !account) {
      log.warn({ reason: unusable }, 'job failed: the account cannot be synced');
      return this.store.fail(job.id, unusable ?? 'account not found');
    }

    const jobsActive = this.metrics.jobsActive.labels({ source: job.source });
    jobsActive.inc();
    const started = Date.now();
    log.info({ mode: job.mode, scrapeDate: job.scrapeDate }, 'fetching');
    const resume = await this.store.resumeState(job.source, job.id);
    let outcome: FetchJobOutcome | { status: 'crashed'; error: unknown };
    try {
      outcome = await plugin.runJob({
        job,
        account,
        credentials: async () => plugin.readCredentials(account, (sealed) => this.cipher.decrypt(sealed)),
        publish: async (envelopes) => {
          await this.producer.send(
            rawTopicId(job.source),
            envelopes.map((value) => ({ key: value.requestKey, value: this.sealed(plugin, value) })),
          );
          progress.published(envelopes.map((envelope) => envelope.requestKey));
        },
        skipRequestKeys: resume.skipRequestKeys,
        savedPlan: resume.plan,
        savePlan: (plan) => this.store.savePlan(job.id, plan),
        progress,
        observer: this.metrics.observerFor(job.source),
        signal,
        logger: log,
        saveCredentials: async (update) => {
          const columns = plugin.credentialColumns?.(update, (plain) => this.cipher.encrypt(plain));
          if (columns) await this.store.saveCredentials(job.source, job.accountId, columns);
        },
        note: (message) => progress.note(message),
      });
    } catch (error) {
      outcome = { status: 'crashed', error };
    } finally {
      jobsActive.dec();
    }

    const snapshot = progress.snapshot();
    const summary = {
      planned: snapshot.planned,
      fetched: snapshot.fetched,
      failed: snapshot.failed,
      ms: Date.now() - started,
    };
    const writes = this.outcomeWrites(plugin, job, outcome);
    this.metrics.jobsFinished.inc({ source: job.source, outcome: writes.errorCode ?? outcome.status });
    switch (outcome.status) {
      case 'completed':
        log.info(summary, 'fetch completed');
        return this.countZeroRows(await this.store.completeFetch(job.id, snapshot, null, writes));
      case 'failed':
        log.warn(
          { ...summary, err: outcome.error, errorCode: writes.errorCode },
          'fetch ended with a job-level failure',
        );
        return this.countZeroRows(
          await this.store.completeFetch(job.id, snapshot, errorMessage(outcome.error), writes),
        );
      case 'auth_failed':
        log.warn(
          { ...summary, reason: outcome.error.message },
          'credentials rejected: account marked needs_reauth, job failed',
        );
        return this.store.failForAuth(job, outcome.error.message, snapshot, writes);
      case 'blocked':
        log.warn(
          { ...summary, reason: outcome.error.message, coolDownMs: outcome.coolDownMs },
          'blocked upstream: account cools down, job failed',
        );
        return this.store.failForBlock(job, outcome.error.message, outcome.coolDownMs, snapshot, writes);
      case 'aborted':
        log.info(summary, 'stopped before the end; job handed back');
        return this.handBack(job, progress, writes);
      case 'crashed':
        return this.afterCrash(job, outcome.error, progress, log);
    }
  }

  /** A job the fetcher finished (the loader had caught up) with the zero-row warning. */
  private countZeroRows(finished: FinishedJob[]): void {
    for (const job of finished) if (job.zeroRows) this.metrics.zeroRowJobs.inc({ source: job.source });
  }

  /** The envelope with the plugin's sensitive payload fields sealed: no secret leaves the fetcher in clear. */
  private sealed(plugin: FetchPlugin, envelope: RawEnvelope): RawEnvelope {
    if (!plugin.sensitiveFields) return envelope;
    return { ...envelope, body: sealSensitiveFields(envelope.body, plugin.sensitiveFields, this.cipher) };
  }

  /** The job's error code and the credentials it renewed (sealed), written with its outcome in one transaction. */
  private outcomeWrites(
    plugin: FetchPlugin,
    job: FetchJob,
    outcome: FetchJobOutcome | { status: 'crashed' },
  ): OutcomeWrites {
    const renewed = 'renewedCredentials' in outcome ? outcome.renewedCredentials : undefined;
    const credentialColumns = renewed
      ? (plugin.credentialColumns?.(renewed, (plain) => this.cipher.encrypt(plain)) ?? null)
      : null;
    const errorCode =
      outcome.status === 'auth_failed'
        ? 'needs_reauth'
        : outcome.status === 'blocked'
          ? 'blocked'
          : outcome.status === 'failed'
            ? (outcome.code ?? null)
            : null;
    return { account: { source: job.source, accountId: job.accountId }, errorCode, credentialColumns };
  }

  /** A thrown error: broker trouble (retriable) hands the job back for a later try; anything else fails it. */
  private async afterCrash(job: FetchJob, error: unknown, progress: JobProgress, log: Logger): Promise<void> {
    const snapshot = progress.snapshot();
    if (error instanceof AccountAuthError) return this.store.failForAuth(job, error.message, snapshot);
    if (isRetriable(error)) {
      log.warn({ err: error }, 'job stopped by a transient error; handed back');
      return this.handBack(job, progress);
    }
    log.error({ err: error }, 'job crashed');
    return this.store.fail(job.id, errorMessage(error), snapshot);
  }
}

/** Why the account cannot be synced, or null when it can. */
export function accountProblem(account: AccountRow | null): string | null {
  if (!account) return 'account not found';
  if (account.deleted_at) return 'account is deleted';
  if (account.is_active === false) return 'account is inactive';
  if (account.status === 'needs_reauth') return 'account needs re-authentication (credentials were rejected)';
  if (account.status === 'paused') return 'account is paused';
  if (
    account.status === 'blocked' &&
    account.blocked_until instanceof Date &&
    account.blocked_until.getTime() > Date.now()
  ) {
    return `account is blocked upstream until ${account.blocked_until.toISOString()} (cool-down)`;
  }
  return null;
}
