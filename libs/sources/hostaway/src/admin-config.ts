import { int, sourceConfig } from '@staysync/core';
import { sensitiveFieldsFrom, type SensitiveFields } from '@staysync/crypto';
import { hostawayFetchShape } from './fetch/config';
import { HOSTAWAY_SOURCE_NAME } from './parser.v1';

export interface HostawayAdminConfig {
  /** the API admin registers webhooks with */
  baseUrl: string;
  timeoutMs: number;
  /** how soon a pending webhook registration is tried again */
  webhookPollMs: number;
  /** the rate limits admin's webhook calls keep (reference §2): its share of the egress IP, per account, window */
  ipRate: number;
  accountRate: number;
  rateWindowMs: number;
  /** payload keys sealed before a webhook delivery leaves the receiver */
  sensitiveFields: SensitiveFields;
}

/** Admin's Hostaway variables (README, configuration): webhook receiver and registration; same definitions as the fetcher's. */
export const hostawayAdmin = sourceConfig({
  configShape: {
    HOSTAWAY_SENSITIVE_FIELDS: hostawayFetchShape.HOSTAWAY_SENSITIVE_FIELDS,
    HOSTAWAY_SENSITIVE_FIELD_PATTERN: hostawayFetchShape.HOSTAWAY_SENSITIVE_FIELD_PATTERN,
    HOSTAWAY_BASE_URL: hostawayFetchShape.HOSTAWAY_BASE_URL,
    HOSTAWAY_TIMEOUT_MS: hostawayFetchShape.HOSTAWAY_TIMEOUT_MS,
    HOSTAWAY_IP_RATE: hostawayFetchShape.HOSTAWAY_IP_RATE,
    HOSTAWAY_ACCOUNT_RATE: hostawayFetchShape.HOSTAWAY_ACCOUNT_RATE,
    HOSTAWAY_RATE_WINDOW_MS: hostawayFetchShape.HOSTAWAY_RATE_WINDOW_MS,
    HOSTAWAY_WEBHOOK_POLL_MS: int(5000, { min: 10 }),
  },
  config: (e): HostawayAdminConfig => ({
    baseUrl: e.HOSTAWAY_BASE_URL,
    timeoutMs: e.HOSTAWAY_TIMEOUT_MS,
    webhookPollMs: e.HOSTAWAY_WEBHOOK_POLL_MS,
    ipRate: e.HOSTAWAY_IP_RATE,
    accountRate: e.HOSTAWAY_ACCOUNT_RATE,
    rateWindowMs: e.HOSTAWAY_RATE_WINDOW_MS,
    sensitiveFields: sensitiveFieldsFrom(e.HOSTAWAY_SENSITIVE_FIELDS, e.HOSTAWAY_SENSITIVE_FIELD_PATTERN),
  }),
});

/** The Hostaway section of an admin config (`AdminConfig.sources.hostaway`). */
export function hostawayAdminConfigOf(config: {
  sources: Readonly<Record<string, unknown>>;
}): HostawayAdminConfig {
  return config.sources[HOSTAWAY_SOURCE_NAME] as HostawayAdminConfig;
}
