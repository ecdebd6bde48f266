import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import { constantTimeEqual, hashSecret, verifySecret } from '@staysync/crypto';
import { HostawayAccount } from '@staysync/source-hostaway';

interface AccountCredentials {
  login: string | null;
  passwordHash: string | null;
  active: boolean;
}

const TTL_MS = 60_000;
/** compared against when the account is unknown, so an unknown account costs as much as a wrong password */
const DECOY = { login: '\0decoy', passwordHash: hashSecret('\0decoy'), active: false };

/**
 * Checks a webhook's HTTP Basic credentials against the account's (login + scrypt hash). Account rows and
 * successful verifications are cached for a minute, so a delivery normally costs neither a database
 * round trip nor a scrypt run; account changes through this admin evict at once, other replicas within
 * the TTL.
 */
@Injectable()
export class HostawayWebhookCredentials {
  private readonly accounts = new Map<string, { value: AccountCredentials; until: number }>();
  private readonly verified = new Map<string, number>();

  constructor(private readonly em: EntityManager) {}

  async verify(accountId: string, login: string, password: string): Promise<boolean> {
    const proof = `${accountId}:${createHash('sha256').update(`${login}\0${password}`).digest('base64url')}`;
    const account = await this.account(accountId);
    if ((this.verified.get(proof) ?? 0) > Date.now() && account.active) return true;
    const known = account.active && account.login !== null && account.passwordHash !== null;
    const reference = known ? account : DECOY;
    // both checks always run: the time taken does not tell a wrong login from a wrong password
    const loginMatches = constantTimeEqual(login, reference.login!);
    const passwordMatches = verifySecret(password, reference.passwordHash!);
    const ok = known && loginMatches && passwordMatches;
    if (ok) this.verified.set(proof, Date.now() + TTL_MS);
    return ok;
  }

  evict(accountId: string): void {
    this.accounts.delete(accountId);
    for (const key of this.verified.keys()) if (key.startsWith(`${accountId}:`)) this.verified.delete(key);
  }

  private async account(accountId: string): Promise<AccountCredentials> {
    const cached = this.accounts.get(accountId);
    if (cached && cached.until > Date.now()) return cached.value;
    const row = /^[0-9]{1,18}$/.test(accountId)
      ? await this.em.fork().findOne(HostawayAccount, { accountId, deletedAt: null })
      : null;
    const value = row
      ? { login: row.webhookLogin, passwordHash: row.webhookPasswordHash, active: row.isActive }
      : { login: null, passwordHash: null, active: false };
    this.accounts.set(accountId, { value, until: Date.now() + TTL_MS });
    return value;
  }
}
