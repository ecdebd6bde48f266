import { AccountAuthError } from '@staysync/core';
import type { MintedToken } from './client';
import { HostawayTokenProvider, type StoredToken, type TokenProviderOptions } from './token';

function setup(stored: StoredToken | null, overrides: Partial<TokenProviderOptions> = {}) {
  const minted: string[] = [];
  const persisted: MintedToken[] = [];
  let next = 0;
  const provider = new HostawayTokenProvider({
    clientId: '10001',
    clientSecret: 'secret',
    stored,
    warmupMs: 50,
    async mint(clientId, clientSecret) {
      expect([clientId, clientSecret]).toEqual(['10001', 'secret']);
      await new Promise((resolve) => setTimeout(resolve, 10));
      const token = `minted-${++next}`;
      minted.push(token);
      return { accessToken: token, expiresIn: 3600, issuedAt: new Date() };
    },
    async persist(token) {
      persisted.push(token);
    },
    ...overrides,
  });
  return { provider, minted, persisted };
}

const OLD: StoredToken = {
  accessToken: 'stored',
  issuedAt: new Date('2025-01-01T00:00:00Z'),
  expiresAt: null,
};

describe('HostawayTokenProvider', () => {
  it('uses the stored token without minting', async () => {
    const { provider, minted } = setup(OLD);
    expect(await provider.getToken()).toBe('stored');
    expect(minted).toEqual([]);
  });

  it('mints once for concurrent callers, persists it, and waits the warm-up after issue', async () => {
    const { provider, minted, persisted } = setup(null);
    const started = Date.now();
    const tokens = await Promise.all([provider.getToken(), provider.getToken(), provider.getToken()]);
    expect(tokens).toEqual(['minted-1', 'minted-1', 'minted-1']);
    expect(minted).toEqual(['minted-1']);
    expect(persisted.map((t) => t.accessToken)).toEqual(['minted-1']);
    expect(Date.now() - persisted[0].issuedAt.getTime()).toBeGreaterThanOrEqual(50);
    expect(Date.now() - started).toBeGreaterThanOrEqual(50);
  });

  it('mints when the stored token expired', async () => {
    const { provider, minted } = setup({ ...OLD, expiresAt: new Date(Date.now() - 1) });
    expect(await provider.getToken()).toBe('minted-1');
    expect(minted).toEqual(['minted-1']);
  });

  it('after a 403 on the stored token: concurrent rejections share one mint', async () => {
    const { provider, minted, persisted } = setup(OLD);
    const first = await provider.getToken();
    const retried = await Promise.all([
      provider.refreshAfterRejection(first),
      provider.refreshAfterRejection(first),
    ]);
    expect(retried).toEqual(['minted-1', 'minted-1']);
    // a late 403 for the old token after the refresh finished: the current token, no new mint
    expect(await provider.refreshAfterRejection(first)).toBe('minted-1');
    expect(minted).toEqual(['minted-1']);
    expect(persisted).toHaveLength(1);
  });

  it('a 403 on a freshly minted token is an account failure, without minting again', async () => {
    const { provider, minted } = setup(OLD);
    const fresh = await provider.refreshAfterRejection('stored');
    await expect(provider.refreshAfterRejection(fresh)).rejects.toThrow(AccountAuthError);
    await expect(provider.refreshAfterRejection(fresh)).rejects.toThrow(
      'Hostaway rejected a freshly minted access token: the account credentials are not usable',
    );
    expect(minted).toEqual(['minted-1']);
  });

  it('a failed mint is shared by its waiters and the next call tries again', async () => {
    let calls = 0;
    const { provider } = setup(null, {
      mint: async () => {
        calls++;
        if (calls === 1) throw new AccountAuthError('refused');
        return { accessToken: 'second', expiresIn: null, issuedAt: new Date(0) };
      },
    });
    const results = await Promise.allSettled([provider.getToken(), provider.getToken()]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect(await provider.getToken()).toBe('second');
    expect(calls).toBe(2);
  });
});
