import { z } from 'zod';
import { sensitiveFieldsFrom, type CredentialKey, type SensitiveFields } from '@staysync/crypto';
import { commonShape, credentialsShape, toCommonConfig, type CommonConfig } from './common';
import { bool, int, list, parseEnv, url, type Env } from './env';
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
  return last > 0 && (API_KEY_SCOPES as readonly string[]).includes(scope) ? { name, key: rest.slice(0, last), scope: scope as ApiKeyScope } : { name, key: rest, scope: 'admin' };
}

const apiKeys = z.string({ message: 'expected <name>:<key>[:read|admin][,…] with keys of at least 16 characters' }).transform((spec, ctx) => {
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

/** Payload keys of Hostaway resources sealed before they leave the fetcher or the webhook receiver. */
const hostawaySensitiveShape = {
  HOSTAWAY_SENSITIVE_FIELDS: list('wifiUsername,wifiPassword,doorSecurityCode'),
  HOSTAWAY_SENSITIVE_FIELD_PATTERN: z
    .string()
    .refine((p) => isRegExp(p), 'expected a regular expression')
    .default('password|secret|doorCode|lockbox'),
};

function isRegExp(pattern: string): boolean {
  try {
    new RegExp(pattern, 'i');
    return true;
  } catch {
    return false;
  }
}

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
  HTTP_BODY_LIMIT: z.string().regex(/^\d+(b|kb|mb)$/i, 'expected a size like 64kb').default('64kb'),
  SYNC_CRON: cron,
  SCHEDULER_ENABLED: bool(true),
  OUTBOX_POLL_MS: int(500, { min: 10 }),
  ...apiProtectionShape,
  AIRBNB_BASE_URL: url(['http', 'https']).default('https://www.airbnb.com'),
  AIRBNB_PREFLIGHT_TIMEOUT_MS: int(30_000, { min: 100 }),
  AIRBNB_CREDENTIAL_CHECK: bool(true),
  ...hostawaySensitiveShape,
  PUBLIC_BASE_URL: publicBaseUrl.optional(),
  HOSTAWAY_BASE_URL: url(['http', 'https']).default('https://api.hostaway.com/v1/'),
  HOSTAWAY_TIMEOUT_MS: int(5000, { min: 100 }),
  HOSTAWAY_WEBHOOK_POLL_MS: int(5000, { min: 10 }),
  ...retentionShape,
};

const sha256 = z.string().regex(/^[0-9a-f]{64}$/, 'expected a persisted-query sha256 hash (64 hex digits)');

export const fetcherShape = {
  ...commonShape,
  ...credentialsShape,
  PORT: port(3001),
  FETCHER_ACCOUNT_CONCURRENCY: int(8, { min: 1, max: 256 }),
  FETCHER_JOB_LEASE_MS: int(30_000, { min: 1000 }),
  FETCHER_SWEEP_INTERVAL_MS: int(5_000, { min: 100 }),
  AIRBNB_BASE_URL: url(['http', 'https']).default('https://www.airbnb.com'),
  AIRBNB_API_KEY: z.string().default('d306zoyjsyarp7ifhu67rjxn52tv0t20'),
  AIRBNB_MIN_INTERVAL_MS: int(5000),
  AIRBNB_JITTER_MS: int(5000),
  AIRBNB_LISTING_PAUSE_MS: int(15_000),
  AIRBNB_LISTING_PAUSE_JITTER_MS: int(15_000),
  AIRBNB_PREFLIGHT_TIMEOUT_MS: int(30_000, { min: 100 }),
  AIRBNB_BLOCK_COOLDOWN_MS: int(6 * 3600_000),
  AIRBNB_LISTINGS_SECTION_QUERY_HASH: sha256.default('7a646c07b45ad35335b2cde4842e5c5bf69ccebde508b2ba60276832bfb1816b'),
  AIRBNB_CHART_QUERY_HASH: sha256.default('aa6e318cc066bbf19511b86acdce32fc59219d8596448b861d794491f46631c5'),
  AIRBNB_LIST_OF_METRICS_QUERY_HASH: sha256.default('b22a5ded5e6c6d168f1d224b78f34182e7366e5cc65203ec04f1e718286a09e1'),
  AIRBNB_TIMEOUT_MS: int(10_000, { min: 100 }),
  AIRBNB_MAX_ATTEMPTS: int(5, { min: 1, max: 20 }),
  AIRBNB_RETRY_BASE_MS: int(1000),
  AIRBNB_LOOKAHEAD_WEEKS: int(25, { min: 0, max: 25 }),
  AIRBNB_CHART_METRICS: list('CONVERSION:p3_impressions,CONVERSION:conversion_rate'),
  AIRBNB_LIST_OF_METRICS: list('CONVERSION:conversion_rate,CONVERSION:p3_impressions'),
  HOSTAWAY_BASE_URL: url(['http', 'https']).default('https://api.hostaway.com/v1/'),
  HOSTAWAY_PAGE_SIZE: int(100, { min: 1, max: 1000 }),
  HOSTAWAY_CONCURRENCY: int(4, { min: 1, max: 32 }),
  HOSTAWAY_ACCOUNT_RATE: int(20, { min: 1 }),
  HOSTAWAY_IP_RATE: int(15, { min: 1 }),
  HOSTAWAY_RATE_WINDOW_MS: int(10_000, { min: 1 }),
  HOSTAWAY_TIMEOUT_MS: int(5000, { min: 100 }),
  ...hostawaySensitiveShape,
};

export const loaderShape = {
  ...commonShape,
  PORT: port(3002),
  LOADER_PUBLISH_METRICS: bool(true),
};

export interface AdminConfig extends CommonConfig {
  port: number;
  credentialKeys: CredentialKey[];
  apiKeys: Array<{ name: string; key: string; scope: ApiKeyScope }>;
  bodyLimit: string;
  syncCron: string;
  schedulerEnabled: boolean;
  outboxPollMs: number;
  rateLimits: { windowMs: number; perKey: number; perIp: number; authFailures: number; authFailureWindowMs: number; authFailureBlockMs: number };
  /** origins allowed to call the API from a browser; empty: CORS off */
  corsOrigins: string[];
  /** where the Airbnb credential check (preflight) goes */
  airbnb: { baseUrl: string; preflightTimeoutMs: number; credentialCheck: boolean };
  hostawaySensitiveFields: SensitiveFields;
  /** PUBLIC_BASE_URL without a trailing slash; null: webhooks are not registered */
  publicBaseUrl: string | null;
  /** the Hostaway API admin registers webhooks with */
  hostaway: { baseUrl: string; timeoutMs: number; webhookPollMs: number };
  retention: RetentionConfig;
}

export interface AirbnbFetchConfig {
  baseUrl: string;
  apiKey: string;
  minIntervalMs: number;
  jitterMs: number;
  listingPauseMs: number;
  /** random extra pause between listings, in [0, listingPauseJitterMs] */
  listingPauseJitterMs: number;
  timeoutMs: number;
  preflightTimeoutMs: number;
  /** how long a blocked account is left alone */
  blockCoolDownMs: number;
  /** persisted-query hashes by operation */
  hashes: { ListingsSectionQuery: string; ChartQuery: string; ListOfMetricsQuery: string };
  maxAttempts: number;
  retryBaseMs: number;
  lookaheadWeeks: number;
  chartMetrics: string[];
  listOfMetrics: string[];
}

export interface HostawayFetchConfig {
  baseUrl: string;
  pageSize: number;
  concurrency: number;
  accountRate: number;
  ipRate: number;
  rateWindowMs: number;
  timeoutMs: number;
  sensitiveFields: SensitiveFields;
}

export interface FetcherConfig extends CommonConfig {
  port: number;
  credentialKeys: CredentialKey[];
  accountConcurrency: number;
  /** a job's lease: how long a dead fetcher's job waits before another fetcher resumes it */
  jobLeaseMs: number;
  /** how often a fetcher looks for jobs whose lease lapsed or was handed back */
  sweepIntervalMs: number;
  airbnb: AirbnbFetchConfig;
  hostaway: HostawayFetchConfig;
}

export interface LoaderConfig extends CommonConfig {
  port: number;
  publishMetrics: boolean;
}

export function loadAdminConfig(env: Env = process.env): AdminConfig {
  const e = parseEnv(adminShape, env);
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
    airbnb: { baseUrl: e.AIRBNB_BASE_URL, preflightTimeoutMs: e.AIRBNB_PREFLIGHT_TIMEOUT_MS, credentialCheck: e.AIRBNB_CREDENTIAL_CHECK },
    hostawaySensitiveFields: sensitiveFieldsFrom(e.HOSTAWAY_SENSITIVE_FIELDS, e.HOSTAWAY_SENSITIVE_FIELD_PATTERN),
    publicBaseUrl: e.PUBLIC_BASE_URL ?? null,
    hostaway: { baseUrl: e.HOSTAWAY_BASE_URL, timeoutMs: e.HOSTAWAY_TIMEOUT_MS, webhookPollMs: e.HOSTAWAY_WEBHOOK_POLL_MS },
    retention: retentionFrom(e),
  };
}

export function loadFetcherConfig(env: Env = process.env): FetcherConfig {
  const e = parseEnv(fetcherShape, env);
  return {
    ...toCommonConfig('fetcher', e),
    port: e.PORT,
    credentialKeys: e.CREDENTIALS_KEYS,
    accountConcurrency: e.FETCHER_ACCOUNT_CONCURRENCY,
    jobLeaseMs: e.FETCHER_JOB_LEASE_MS,
    sweepIntervalMs: e.FETCHER_SWEEP_INTERVAL_MS,
    airbnb: {
      baseUrl: e.AIRBNB_BASE_URL,
      apiKey: e.AIRBNB_API_KEY,
      minIntervalMs: e.AIRBNB_MIN_INTERVAL_MS,
      jitterMs: e.AIRBNB_JITTER_MS,
      listingPauseMs: e.AIRBNB_LISTING_PAUSE_MS,
      listingPauseJitterMs: e.AIRBNB_LISTING_PAUSE_JITTER_MS,
      timeoutMs: e.AIRBNB_TIMEOUT_MS,
      preflightTimeoutMs: e.AIRBNB_PREFLIGHT_TIMEOUT_MS,
      blockCoolDownMs: e.AIRBNB_BLOCK_COOLDOWN_MS,
      hashes: {
        ListingsSectionQuery: e.AIRBNB_LISTINGS_SECTION_QUERY_HASH,
        ChartQuery: e.AIRBNB_CHART_QUERY_HASH,
        ListOfMetricsQuery: e.AIRBNB_LIST_OF_METRICS_QUERY_HASH,
      },
      maxAttempts: e.AIRBNB_MAX_ATTEMPTS,
      retryBaseMs: e.AIRBNB_RETRY_BASE_MS,
      lookaheadWeeks: e.AIRBNB_LOOKAHEAD_WEEKS,
      chartMetrics: e.AIRBNB_CHART_METRICS,
      listOfMetrics: e.AIRBNB_LIST_OF_METRICS,
    },
    hostaway: {
      baseUrl: e.HOSTAWAY_BASE_URL,
      pageSize: e.HOSTAWAY_PAGE_SIZE,
      concurrency: e.HOSTAWAY_CONCURRENCY,
      accountRate: e.HOSTAWAY_ACCOUNT_RATE,
      ipRate: e.HOSTAWAY_IP_RATE,
      rateWindowMs: e.HOSTAWAY_RATE_WINDOW_MS,
      timeoutMs: e.HOSTAWAY_TIMEOUT_MS,
      sensitiveFields: sensitiveFieldsFrom(e.HOSTAWAY_SENSITIVE_FIELDS, e.HOSTAWAY_SENSITIVE_FIELD_PATTERN),
    },
  };
}

export function loadLoaderConfig(env: Env = process.env): LoaderConfig {
  const e = parseEnv(loaderShape, env);
  return { ...toCommonConfig('loader', e), port: e.PORT, publishMetrics: e.LOADER_PUBLISH_METRICS };
}
