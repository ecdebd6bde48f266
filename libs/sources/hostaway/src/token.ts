import { AccountAuthError, sleep } from '@staysync/core';
import type { MintedToken } from './client';
import { TokenRejectedError } from './errors';

/**
 * One account's access token for one job (reference §1): start from the stored token, mint only when
 * there is none (or it expired), never use a token within `warmupMs` of its issue (Hostaway rejects
 * it with 403 for about a second, which once caused a refresh loop), share one mint between
 * concurrent callers and persist every minted token.
 *
 * After a 403 the caller asks `refreshAfterRejection(rejected)`: when the rejected token was already
 * replaced it gets the current one; when it is the current, stored token a new one is minted once. A
 * rejected token that this provider minted itself is an account failure: minting again cannot help.
 */
export const DEFAULT_TOKEN_WARMUP_MS = 1_000;

export interface StoredToken {
  accessToken: string;
  /** null when unknown: treated as long usable */
  issuedAt: Date | null;
  expiresAt: Date | null;
}

export interface TokenProviderOptions {
  clientId: string;
  clientSecret: string;
  stored: StoredToken | null;
  mint(clientId: string, clientSecret: string): Promise<MintedToken>;
  /** stores a freshly minted token (the plugin passes it to ctx.saveCredentials) */
  persist(token: MintedToken): Promise<void>;
  warmupMs?: number;
  signal?: AbortSignal;
  now?: () => number;
}

interface CurrentToken {
  accessToken: string;
  issuedAtMs: number | null;
  /** minted by this provider */
  fresh: boolean;
}

export class HostawayTokenProvider {
  private current: CurrentToken | null;
  private minting: Promise<CurrentToken> | null = null;
  private readonly warmupMs: number;
  private readonly now: () => number;

  constructor(private readonly options: TokenProviderOptions) {
    this.warmupMs = options.warmupMs ?? DEFAULT_TOKEN_WARMUP_MS;
    this.now = options.now ?? Date.now;
    this.current = usableStoredToken(options.stored, this.now());
  }

  /** A token ready for use, minting one if there is none. */
  async getToken(): Promise<string> {
    const current = this.current ?? (await this.mintOnce());
    return this.ready(current);
  }

  /** The token to retry with after `rejectedToken` got a 403; throws AccountAuthError when a retry cannot help. */
  async refreshAfterRejection(rejectedToken: string): Promise<string> {
    if (this.minting) return this.ready(await this.minting);
    const current = this.current;
    if (current && current.accessToken !== rejectedToken) return this.ready(current);
    if (current?.fresh) {
      throw new AccountAuthError(
        'Hostaway rejected a freshly minted access token: the account credentials are not usable',
      );
    }
    return this.ready(await this.mintOnce());
  }

  /** Single flight: concurrent callers share the mint in progress. */
  private mintOnce(): Promise<CurrentToken> {
    this.minting ??= (async () => {
      const minted = await this.options.mint(this.options.clientId, this.options.clientSecret);
      const current = { accessToken: minted.accessToken, issuedAtMs: minted.issuedAt.getTime(), fresh: true };
      this.current = current;
      await this.options.persist(minted);
      return current;
    })().finally(() => {
      this.minting = null;
    });
    return this.minting;
  }

  private async ready(token: CurrentToken): Promise<string> {
    if (token.issuedAtMs !== null)
      await sleep(token.issuedAtMs + this.warmupMs - this.now(), this.options.signal);
    return token.accessToken;
  }
}

function usableStoredToken(stored: StoredToken | null, now: number): CurrentToken | null {
  if (!stored || stored.accessToken === '') return null;
  if (stored.expiresAt && stored.expiresAt.getTime() <= now) return null;
  return { accessToken: stored.accessToken, issuedAtMs: stored.issuedAt?.getTime() ?? null, fresh: false };
}

/**
 * Sends with the current token; a 403 is answered with one refreshed token (reference §1: cap at 2),
 * and a second 403 is an account error.
 */
export async function withTokenRefresh<T>(
  tokens: HostawayTokenProvider,
  send: (token: string) => Promise<T>,
): Promise<T> {
  try {
    return await send(await tokens.getToken());
  } catch (error) {
    if (!(error instanceof TokenRejectedError)) throw error;
    const retryToken = await tokens.refreshAfterRejection(error.rejectedToken);
    try {
      return await send(retryToken);
    } catch (second) {
      if (!(second instanceof TokenRejectedError)) throw second;
      throw new AccountAuthError('Hostaway rejected the access token again right after a refresh', {
        context: second.context,
      });
    }
  }
}
