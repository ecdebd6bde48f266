import { AccountRequestProblem, isRetriable } from '@staysync/core';
import { createAirbnbClient, type AirbnbClient } from '../client';
import { filterAuthCookies } from '../cookie';
import { createSessionJar } from '../session/jar';
import type { PreflightVerdict } from '../session/preflight';

export interface AirbnbCredentialsToCheck {
  cookie: string;
  userAgent: string;
  clientVersion: string;
}

/**
 * The one upstream call admin makes: the sync's preflight (reference §2) on credentials being stored
 * or re-checked. Its jar is thrown away: Akamai cookies are never stored, nor rotated ones here.
 */
export class AirbnbCredentialCheck {
  private readonly client: AirbnbClient;
  private readonly baseUrl: string;

  constructor(options: { baseUrl: string; preflightTimeoutMs: number }) {
    // the preflight sends no API key; only GraphQL calls do
    this.client = createAirbnbClient({
      baseUrl: options.baseUrl,
      apiKey: '',
      preflightTimeoutMs: options.preflightTimeoutMs,
    });
    this.baseUrl = options.baseUrl;
  }

  /** The verdict; network trouble or an upstream 5xx → 503 (nothing is known about the cookie). */
  async check(credentials: AirbnbCredentialsToCheck): Promise<PreflightVerdict> {
    const jar = createSessionJar(this.baseUrl, filterAuthCookies(credentials.cookie));
    try {
      return await this.client.preflight(credentials, jar);
    } catch (error) {
      if (!isRetriable(error)) throw error;
      throw new AccountRequestProblem(
        503,
        `the Airbnb credential check could not reach Airbnb (${(error as Error).message}); retry, or store without it (?validate=false)`,
      );
    }
  }

  /** Stores nothing dead: 422 naming the failed signal, or 503 when Airbnb blocks the check itself. */
  async assertLive(credentials: AirbnbCredentialsToCheck): Promise<void> {
    const verdict = await this.check(credentials);
    if (verdict.state === 'live') return;
    if (verdict.state === 'dead') {
      throw new AccountRequestProblem(
        422,
        `the Airbnb session is dead (${verdict.signal}): ${verdict.message}`,
        [{ field: 'cookie', message: `preflight signal ${verdict.signal}` }],
      );
    }
    throw new AccountRequestProblem(
      503,
      `Airbnb blocked the credential check (${verdict.message}); retry later, or store without it (?validate=false)`,
    );
  }

  close(): void {
    this.client.close();
  }
}
