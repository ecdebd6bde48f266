import { isRetriable } from '@staysync/core';
import {
  createAirbnbClient,
  createSessionJar,
  filterAuthCookies,
  type AirbnbClient,
  type PreflightVerdict,
} from '@staysync/source-airbnb';
import { ProblemException } from '../http/problem.filter';

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

  constructor(options: { baseUrl: string; preflightTimeoutMs: number }) {
    // the preflight sends no API key; only GraphQL calls do
    this.client = createAirbnbClient({
      baseUrl: options.baseUrl,
      apiKey: '',
      preflightTimeoutMs: options.preflightTimeoutMs,
    });
    this.baseUrl = options.baseUrl;
  }

  private readonly baseUrl: string;

  /** The verdict; network trouble or an upstream 5xx → 503 (nothing is known about the cookie). */
  async check(credentials: AirbnbCredentialsToCheck): Promise<PreflightVerdict> {
    const jar = createSessionJar(this.baseUrl, filterAuthCookies(credentials.cookie));
    try {
      return await this.client.preflight(credentials, jar);
    } catch (error) {
      if (!isRetriable(error)) throw error;
      throw new ProblemException(
        503,
        'Service Unavailable',
        `the Airbnb credential check could not reach Airbnb (${(error as Error).message}); retry, or store without it (?validate=false)`,
      );
    }
  }

  /** Stores nothing dead: 422 naming the failed signal, or 503 when Airbnb blocks the check itself. */
  async assertLive(credentials: AirbnbCredentialsToCheck): Promise<void> {
    const verdict = await this.check(credentials);
    if (verdict.state === 'live') return;
    if (verdict.state === 'dead') {
      throw new ProblemException(
        422,
        'Unprocessable Entity',
        `the Airbnb session is dead (${verdict.signal}): ${verdict.message}`,
        [{ field: 'cookie', message: `preflight signal ${verdict.signal}` }],
      );
    }
    throw new ProblemException(
      503,
      'Service Unavailable',
      `Airbnb blocked the credential check (${verdict.message}); retry later, or store without it (?validate=false)`,
    );
  }

  close(): void {
    this.client.close();
  }
}
