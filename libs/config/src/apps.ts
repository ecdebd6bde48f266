import { z, type ZodRawShape } from 'zod';
import type { CredentialKey } from '@staysync/crypto';
import type { PublishedTopic } from '@staysync/core';
import { commonShape, credentialsShape, toCommonConfig, type CommonConfig } from './common';
import { SOURCES } from '@staysync/sources';
import { bool, int, list, parseEnv, type Env } from './env';
import { parsePublicBaseUrl } from './public-url';
import { retentionFrom, retentionShape, type RetentionConfig } from './retention';

const port = (fallback: number) => int(fallback, { min: 0, max: 65535 });

const cron = z
  .string()
  .regex(/^(\S+\s+){4,5}\S+$/, 'expected a cron expression with 5 or 6 fields')
  .default('0 5 * * *');

const API_KEY_SCOPES = ['read', 'admin'] as const;
export type ApiKeyScope = (typeof API_KEY_SCOPES)[number];

/** `name:key` (full rights, as before scopes) or `name:key:scope` with scope `read` or `admin`. */
function parseApiKey(spec: string): { name: string; key: string; scope: ApiKeyScope } {
  const at = spec.indexOf(':');
  const [name, rest] = at > 0 ? [spec.slice(0, at), spec.slice(at + 1)] : ['default', spec];
  const last = rest.lastIndexOf(':');
  const scope = rest.slice(last + 1);
  return last > 0 && (API_KEY_SCOPES as readonly string[]).includes(scope)
    ? { name, key: rest.slice(0, last), scope: scope as ApiKeyScope }
    : { name, key: rest, scope: 'admin' };
}

const apiKeys = z
  .string({ message: 'expected <name>:<key>[:read|admin][,…] with keys of at least 16 characters' })
  .transform((spec, ctx) => {
    const keys = spec
      .split(',')
      .map((p) => p.trim())
      .filter(Boolean)
      .map(parseApiKey);
    if (keys.length === 0 || keys.some((k) => k.key.length < 16)) {
      ctx.addIssue({ code: 'custom', message: 'each key must be at least 16 characters' });
      return z.NEVER;
    }
    return keys;
  });

/** Request limits of the admin API (read side, issue 16): per API key, per client IP, and on failed authentication. */
const apiProtectionShape = {
  RATE_LIMIT_WINDOW_MS: int(60_000, { min: 100 }),
  RATE_LIMIT_PER_KEY: int(1200, { min: 1 }),
  RATE_LIMIT_PER_IP: int(600, { min: 1 }),
  AUTH_FAILURE_LIMIT: int(10, { min: 1 }),
  AUTH_FAILURE_WINDOW_MS: int(600_000, { min: 100 }),
  AUTH_FAILURE_BLOCK_MS: int(900_000, { min: 100 }),
  CORS_ORIGINS: list(''),
};

const publicBaseUrl = z.string().transform((value, ctx) => {
  try {
    return parsePublicBaseUrl(value);
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: (error as Error).message });
    return z.NEVER;
  }
});

export const adminShape = {
  ...commonShape,
  ...credentialsShape,
  PORT: port(3000),
  ADMIN_API_KEYS: apiKeys,
  HTTP_BODY_LIMIT: z
    .string()
    .regex(/^\d+(b|kb|mb)$/i, 'expected a size like 64kb')
    .default('64kb'),
  SYNC_CRON: cron,
  SCHEDULER_ENABLED: bool(true),
  OUTBOX_POLL_MS: int(500, { min: 10 }),
  ...apiProtectionShape,
  PUBLIC_BASE_URL: publicBaseUrl.optional(),
  ...retentionShape,
};

/** Every registered source's fetcher variables; checkSources() keeps them apart (`<NAME>_` prefixes). */
function sourceFetchShapes(): ZodRawShape {
  return Object.assign({}, ...SOURCES.map((plugin) => plugin.fetch.configShape)) as ZodRawShape;
}

/** Every registered source's admin variables (credential checks, webhooks). */
function sourceAdminShapes(): ZodRawShape {
  return Object.assign({}, ...SOURCES.map((plugin) => plugin.admin?.configShape ?? {})) as ZodRawShape;
}

export const fetcherShape = {
  ...commonShape,
  ...credentialsShape,
  PORT: port(3001),
  FETCHER_ACCOUNT_CONCURRENCY: int(8, { min: 1, max: 256 }),
  FETCHER_JOB_LEASE_MS: int(30_000, { min: 1000 }),
  FETCHER_SWEEP_INTERVAL_MS: int(5_000, { min: 100 }),
};

export const loaderShape = {
  ...commonShape,
  PORT: port(3002),
  LOADER_PUBLISH_METRICS: bool(true),
  /** published topics by id; unset: every topic its source publishes by default */
  LOADER_PUBLISHED_TOPICS: list()
    .optional()
    .superRefine((ids, ctx) => {
      const known: string[] = sourcePublishedTopics().map((topic) => topic.id);
      const unknown = (ids ?? []).filter((id) => !known.includes(id));
      if (unknown.length > 0)
        ctx.addIssue({
          code: z.ZodIssueCode.custom,
          message: `unknown published topic ${unknown.join(', ')}; the registered sources publish ${known.join(', ')}`,
        });
    }),
};

function sourcePublishedTopics(): PublishedTopic[] {
  return SOURCES.flatMap((plugin) => plugin.topics.published ?? []);
}

export interface AdminConfig extends CommonConfig {
  port: number;
  credentialKeys: CredentialKey[];
  apiKeys: Array<{ name: string; key: string; scope: ApiKeyScope }>;
  bodyLimit: string;
  syncCron: string;
  schedulerEnabled: boolean;
  outboxPollMs: number;
  rateLimits: {
    windowMs: number;
    perKey: number;
    perIp: number;
    authFailures: number;
    authFailureWindowMs: number;
    authFailureBlockMs: number;
  };
  /** origins allowed to call the API from a browser; empty: CORS off */
  corsOrigins: string[];
  /** PUBLIC_BASE_URL without a trailing slash; null: webhooks are not registered */
  publicBaseUrl: string | null;
  /** each registered source's admin section (`SourcePlugin.admin.config`), by source name */
  sources: Readonly<Record<string, unknown>>;
  retention: RetentionConfig;
}

export interface FetcherConfig extends CommonConfig {
  port: number;
  credentialKeys: CredentialKey[];
  accountConcurrency: number;
  /** a job's lease: how long a dead fetcher's job waits before another fetcher resumes it */
  jobLeaseMs: number;
  /** how often a fetcher looks for jobs whose lease lapsed or was handed back */
  sweepIntervalMs: number;
  /** each registered source's section (`SourcePlugin.fetch.config`), by source name */
  sources: Readonly<Record<string, unknown>>;
}

export interface LoaderConfig extends CommonConfig {
  port: number;
  /** the published topics (ids) the loader sends its stored rows to; empty: it publishes nothing */
  publishedTopics: string[];
}

export function loadAdminConfig(env: Env = process.env): AdminConfig {
  // one parse, so a bad source variable is reported with the core's
  const e = parseEnv({ ...adminShape, ...sourceAdminShapes() }, env) as z.infer<
    z.ZodObject<typeof adminShape>
  > &
    Record<string, unknown>;
  return {
    ...toCommonConfig('admin', e),
    port: e.PORT,
    credentialKeys: e.CREDENTIALS_KEYS,
    apiKeys: e.ADMIN_API_KEYS,
    bodyLimit: e.HTTP_BODY_LIMIT,
    syncCron: e.SYNC_CRON,
    schedulerEnabled: e.SCHEDULER_ENABLED,
    outboxPollMs: e.OUTBOX_POLL_MS,
    rateLimits: {
      windowMs: e.RATE_LIMIT_WINDOW_MS,
      perKey: e.RATE_LIMIT_PER_KEY,
      perIp: e.RATE_LIMIT_PER_IP,
      authFailures: e.AUTH_FAILURE_LIMIT,
      authFailureWindowMs: e.AUTH_FAILURE_WINDOW_MS,
      authFailureBlockMs: e.AUTH_FAILURE_BLOCK_MS,
    },
    corsOrigins: e.CORS_ORIGINS,
    publicBaseUrl: e.PUBLIC_BASE_URL ?? null,
    sources: Object.fromEntries(
      SOURCES.flatMap((plugin) => (plugin.admin ? [[plugin.name, plugin.admin.config(e)]] : [])),
    ),
    retention: retentionFrom(e),
  };
}

export function loadFetcherConfig(env: Env = process.env): FetcherConfig {
  // one parse, so a bad source variable is reported with the core's
  const e = parseEnv({ ...fetcherShape, ...sourceFetchShapes() }, env) as z.infer<
    z.ZodObject<typeof fetcherShape>
  > &
    Record<string, unknown>;
  return {
    ...toCommonConfig('fetcher', e),
    port: e.PORT,
    credentialKeys: e.CREDENTIALS_KEYS,
    accountConcurrency: e.FETCHER_ACCOUNT_CONCURRENCY,
    jobLeaseMs: e.FETCHER_JOB_LEASE_MS,
    sweepIntervalMs: e.FETCHER_SWEEP_INTERVAL_MS,
    sources: Object.fromEntries(SOURCES.map((plugin) => [plugin.name, plugin.fetch.config(e)])),
  };
}

export function loadLoaderConfig(env: Env = process.env): LoaderConfig {
  const e = parseEnv(loaderShape, env);
  const publishedTopics = e.LOADER_PUBLISH_METRICS
    ? (e.LOADER_PUBLISHED_TOPICS ??
      sourcePublishedTopics()
        .filter((topic) => topic.publishedByDefault !== false)
        .map((topic) => topic.id))
    : [];
  return { ...toCommonConfig('loader', e), port: e.PORT, publishedTopics };
}
