import { bool, sourceConfig } from '@staysync/core';
import { airbnbFetchShape } from './fetch/config';
import { AIRBNB_SOURCE_NAME } from './parser.v1';

export interface AirbnbAdminConfig {
  /** where the credential check (preflight) goes */
  baseUrl: string;
  preflightTimeoutMs: number;
  /** check a cookie when it is stored, unless the request says otherwise */
  credentialCheck: boolean;
}

/** Admin's Airbnb variables (README, configuration): the credential check. */
export const airbnbAdmin = sourceConfig({
  configShape: {
    AIRBNB_BASE_URL: airbnbFetchShape.AIRBNB_BASE_URL,
    AIRBNB_PREFLIGHT_TIMEOUT_MS: airbnbFetchShape.AIRBNB_PREFLIGHT_TIMEOUT_MS,
    AIRBNB_CREDENTIAL_CHECK: bool(true),
  },
  config: (e): AirbnbAdminConfig => ({
    baseUrl: e.AIRBNB_BASE_URL,
    preflightTimeoutMs: e.AIRBNB_PREFLIGHT_TIMEOUT_MS,
    credentialCheck: e.AIRBNB_CREDENTIAL_CHECK,
  }),
});

/** The Airbnb section of an admin config (`AdminConfig.sources.airbnb`). */
export function airbnbAdminConfigOf(config: {
  sources: Readonly<Record<string, unknown>>;
}): AirbnbAdminConfig {
  return config.sources[AIRBNB_SOURCE_NAME] as AirbnbAdminConfig;
}
