import type { SensitiveFields } from '@staysync/crypto';
import type { RawEnvelope } from './envelope';

/**
 * The contract between the fetcher core (apps/fetcher: claiming jobs, leases, progress, credentials,
 * Kafka) and a source's fetch orchestration (which requests to make, pacing, retries). The core knows
 * no source; a source knows no database or broker.
 */
export type FetchMode = 'backfill' | 'incremental' | 'full';

export interface FetchJob {
  id: string;
  source: string;
  accountId: string;
  mode: FetchMode;
  /** YYYY-MM-DD (UTC), fixed when the job is first claimed so a resumed job keeps its request keys */
  scrapeDate: string;
}

/** The account row of `<source>.accounts`, as the core read it when claiming the job. */
export type AccountRow = Readonly<Record<string, unknown>>;

/** Per-resource counters (resource = listing id, or a plugin-chosen name for account-level calls). */
export interface FetchProgress {
  planned(resourceId: string, count: number): void;
  /** one request done: published now, or already stored by an earlier attempt of the job */
  fetched(resourceId: string, count?: number): void;
  /** one request given up on; the job continues but ends `failed` */
  failed(resourceId: string, error: unknown): void;
}

/** Hooks for request metrics; the core turns them into Prometheus series. */
export interface FetchObserver {
  request(operation: string, status: string, seconds: number): void;
  retry(operation: string): void;
}

export interface FetchLogger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface FetchJobContext<TCredentials = unknown> {
  job: FetchJob;
  /** the account row as read when the job started (e.g. `last_sync_at` for incremental syncs); secrets still sealed */
  account: AccountRow;
  /** decrypted credentials; never to be logged or published */
  credentials(): Promise<TCredentials>;
  /** sends to `raw.<source>`; resolves once the broker acknowledged every envelope */
  publish(envelopes: RawEnvelope[]): Promise<void>;
  /** envelope request keys an earlier attempt of this job published, or the loader stored (a resumed job skips them) */
  skipRequestKeys: ReadonlySet<string>;
  /** what an earlier attempt of this job saved with `savePlan`; undefined on a first attempt */
  savedPlan?: unknown;
  /** keeps the job's plan (e.g. the listings it found) so that a resumed job need not ask the upstream again */
  savePlan?(plan: unknown): Promise<void>;
  progress: FetchProgress;
  observer: FetchObserver;
  /** aborted on graceful shutdown or lost lease: stop soon, the job is handed back */
  signal: AbortSignal;
  logger: FetchLogger;
  /**
   * Persists credentials the source renewed (e.g. a freshly minted OAuth access token). The core turns
   * them into account columns through `FetchPlugin.credentialColumns`, sealing secrets, and writes them.
   */
  saveCredentials(update: Partial<TCredentials>): Promise<void>;
  /** a remark kept on the job, e.g. what an incremental sync could not narrow */
  note(message: string): void;
}

export type FetchJobOutcome<TCredentials = unknown> = (
  | { status: 'completed' }
  /** the credentials were rejected: the account needs re-authentication, the job fails */
  | { status: 'auth_failed'; error: Error }
  /** the upstream's edge blocks the account: it cools down for `coolDownMs` (skipped by the scheduler), the job fails */
  | { status: 'blocked'; error: Error; coolDownMs: number }
  /** a job-level failure (e.g. the resource list could not be read); `code` becomes the job's error_code */
  | { status: 'failed'; error: Error; code?: string }
  /** stopped through the signal before finishing */
  | { status: 'aborted' }
) & {
  /** credentials that changed during the job (e.g. rotated cookies): saved with the outcome, in one transaction */
  renewedCredentials?: Partial<TCredentials>;
};

export interface FetchPlugin<TCredentials = unknown> {
  /** `airbnb`, `hostaway`: the schema of `<source>.accounts` and the raw topic suffix */
  source: string;
  /** builds the credentials from the account row; `decrypt` opens a sealed column value */
  readCredentials(account: AccountRow, decrypt: (sealed: string) => string): TCredentials;
  /**
   * The `<source>.accounts` columns that store renewed credentials (`saveCredentials`, or an outcome's
   * `renewedCredentials`); `seal` encrypts a secret. Sources whose credentials never change leave it out.
   */
  credentialColumns?(update: Partial<TCredentials>, seal: (plain: string) => string): Record<string, unknown>;
  runJob(ctx: FetchJobContext<TCredentials>): Promise<FetchJobOutcome<TCredentials>>;
  /** payload keys whose values the core seals (credential key) in every envelope body before publishing */
  sensitiveFields?: SensitiveFields;
}
