import { z } from 'zod';
import { int, list, sourceFetch, url } from '@staysync/core';
import { sensitiveFieldsFrom } from '@staysync/crypto';
import { hostawayFetchPlugin, type HostawayFetchOptions } from './hostaway-fetch-plugin';

function isRegExp(pattern: string): boolean {
  try {
    new RegExp(pattern, 'i');
    return true;
  } catch {
    return false;
  }
}

/** The fetcher's Hostaway variables (README, configuration). */
export const hostawayFetchShape = {
  HOSTAWAY_BASE_URL: url(['http', 'https']).default('https://api.hostaway.com/v1/'),
  HOSTAWAY_PAGE_SIZE: int(100, { min: 1, max: 1000 }),
  HOSTAWAY_CONCURRENCY: int(4, { min: 1, max: 32 }),
  HOSTAWAY_ACCOUNT_RATE: int(20, { min: 1 }),
  HOSTAWAY_IP_RATE: int(15, { min: 1 }),
  HOSTAWAY_RATE_WINDOW_MS: int(10_000, { min: 1 }),
  HOSTAWAY_TIMEOUT_MS: int(5000, { min: 100 }),
  // payload keys of Hostaway resources sealed before they leave the fetcher
  HOSTAWAY_SENSITIVE_FIELDS: list('wifiUsername,wifiPassword,doorSecurityCode'),
  HOSTAWAY_SENSITIVE_FIELD_PATTERN: z
    .string()
    .refine((p) => isRegExp(p), 'expected a regular expression')
    .default('password|secret|doorCode|lockbox'),
};

export const hostawayFetch = sourceFetch({
  configShape: hostawayFetchShape,
  config: (e): HostawayFetchOptions => ({
    baseUrl: e.HOSTAWAY_BASE_URL,
    pageSize: e.HOSTAWAY_PAGE_SIZE,
    concurrency: e.HOSTAWAY_CONCURRENCY,
    accountRate: e.HOSTAWAY_ACCOUNT_RATE,
    ipRate: e.HOSTAWAY_IP_RATE,
    rateWindowMs: e.HOSTAWAY_RATE_WINDOW_MS,
    timeoutMs: e.HOSTAWAY_TIMEOUT_MS,
    sensitiveFields: sensitiveFieldsFrom(e.HOSTAWAY_SENSITIVE_FIELDS, e.HOSTAWAY_SENSITIVE_FIELD_PATTERN),
  }),
  plugin: hostawayFetchPlugin,
});
