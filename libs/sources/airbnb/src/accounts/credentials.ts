import { AccountRequestProblem, type AccountCredentials, type AccountHookContext } from '@staysync/core';
import type { AirbnbAdminConfig } from '../admin-config';
import { accountIdFromCookie, filterAuthCookies } from '../cookie';
import type { AirbnbAccount } from './airbnb-account';
import { AirbnbCredentialCheck, type AirbnbCredentialsToCheck } from './credential-check';
import type { AirbnbAccountFields, AirbnbAccountPatchFields, ValidateQuery } from './requests';

/**
 * An Airbnb account's credentials: the session cookie (only its auth cookies, sealed), with the
 * User-Agent and X-Client-Version it was captured with. The account id comes from the cookie. New
 * credentials are checked with the sync's preflight first (AIRBNB_CREDENTIAL_CHECK, `?validate=`).
 */
export class AirbnbAccountCredentials implements AccountCredentials<AirbnbAccount> {
  readonly check: AirbnbCredentialCheck;
  /** AIRBNB_CREDENTIAL_CHECK=false: credentials are stored unchecked, as with ?validate=false */
  private readonly checkByDefault: boolean;

  constructor(private readonly context: AccountHookContext) {
    const config = context.config as AirbnbAdminConfig;
    this.check = new AirbnbCredentialCheck(config);
    this.checkByDefault = config.credentialCheck;
  }

  accountIdOf(body: AirbnbAccountFields): string {
    const derived = accountIdFromCookie(body.cookie);
    if (body.account_id && derived && body.account_id !== derived) {
      throw new AccountRequestProblem(400, 'account_id does not match the user id in the cookie', [
        { field: 'account_id', message: 'does not match the cookie' },
      ]);
    }
    const accountId = body.account_id ?? derived;
    if (!accountId) {
      throw new AccountRequestProblem(
        400,
        'account_id is missing and cannot be derived from the cookie (no _user_attributes with an id)',
        [{ field: 'account_id', message: 'required when the cookie has no _user_attributes' }],
      );
    }
    return accountId;
  }

  async verify(request: {
    body: AirbnbAccountPatchFields;
    query: ValidateQuery;
    accountId: string;
    stored?: () => Promise<AirbnbAccount>;
  }): Promise<void> {
    const { body, accountId, stored } = request;
    const checked = request.query.validate ?? this.checkByDefault;
    if (!stored) {
      const created = body as AirbnbAccountFields;
      const cookie = this.authCookies(created.cookie, accountId);
      if (checked)
        await this.check.assertLive({
          cookie,
          userAgent: created.user_agent,
          clientVersion: created.x_client_version,
        });
      return;
    }
    const newCredentials =
      body.cookie !== undefined || body.user_agent !== undefined || body.x_client_version !== undefined;
    if (!checked || !newCredentials) return;
    const current = this.storedCredentials(await stored());
    await this.check.assertLive({
      cookie: body.cookie === undefined ? current.cookie : this.authCookies(body.cookie, accountId),
      userAgent: body.user_agent ?? current.userAgent,
      clientVersion: body.x_client_version ?? current.clientVersion,
    });
  }

  create(body: AirbnbAccountFields): Partial<AirbnbAccount> {
    return {
      cookieCiphertext: this.context.seal(this.authCookies(body.cookie)),
      xClientVersion: body.x_client_version,
      userAgent: body.user_agent,
    };
  }

  apply(
    account: AirbnbAccount,
    body: AirbnbAccountPatchFields,
    options: { credentialsRenewed: (changed: string[]) => void },
  ): string[] {
    const changed: string[] = [];
    if (body.cookie !== undefined) {
      const cookie = this.authCookies(body.cookie, account.accountId);
      if (this.context.unseal(account.cookieCiphertext) !== cookie) {
        account.cookieCiphertext = this.context.seal(cookie);
        options.credentialsRenewed(changed);
      }
    }
    if (body.x_client_version !== undefined && body.x_client_version !== account.xClientVersion) {
      account.xClientVersion = body.x_client_version;
      changed.push('x_client_version');
    }
    if (body.user_agent !== undefined && body.user_agent !== account.userAgent) {
      account.userAgent = body.user_agent;
      changed.push('user_agent');
    }
    return changed;
  }

  /** the stored credentials, unsealed, as the preflight takes them */
  storedCredentials(account: AirbnbAccount): AirbnbCredentialsToCheck {
    return {
      cookie: this.context.unseal(account.cookieCiphertext),
      userAgent: account.userAgent,
      clientVersion: account.xClientVersion,
    };
  }

  close(): void {
    this.check.close();
  }

  /** The auth cookies of `cookie` (400 when it has none, or belongs to another user than `expectedAccountId`). */
  private authCookies(cookie: string, expectedAccountId?: string): string {
    const derived = accountIdFromCookie(cookie);
    if (expectedAccountId && derived && derived !== expectedAccountId) {
      throw new AccountRequestProblem(400, 'the cookie belongs to another Airbnb user', [
        { field: 'cookie', message: 'belongs to another user' },
      ]);
    }
    const auth = filterAuthCookies(cookie);
    if (!auth) {
      throw new AccountRequestProblem(400, 'the cookie contains none of the Airbnb auth cookies', [
        { field: 'cookie', message: 'no auth cookies (_airbed_session_id, _aat, _user_attributes, …)' },
      ]);
    }
    return auth;
  }
}
