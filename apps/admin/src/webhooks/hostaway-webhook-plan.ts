/** Where Hostaway delivers unified webhooks: the receiver's route (HostawayWebhooksController). */
export const HOSTAWAY_WEBHOOK_PATH = '/api/v1/hostaway/webhooks';

/** The receiver URL registered upstream, from PUBLIC_BASE_URL (validated at start-up, no trailing slash). */
export function hostawayWebhookUrl(publicBaseUrl: string | null): string | null {
  return publicBaseUrl === null ? null : `${publicBaseUrl}${HOSTAWAY_WEBHOOK_PATH}`;
}

/** What the registrar knows of one account when it decides. */
export interface WebhookAccountState {
  /** active, not deleted: its webhook should exist upstream */
  wanted: boolean;
  /** the account has a webhook login and an encrypted password to register */
  hasCredentials: boolean;
  webhookId: number | null;
  webhookUrl: string | null;
  webhookCredentialsUpdatedAt: Date | null;
  webhookRegisteredCredentialsAt: Date | null;
}

export type WebhookAction =
  | { kind: 'none' }
  /** no id stored: adopt one already registered at `url` (a registration whose id we never stored) or POST */
  | { kind: 'register'; url: string }
  /** PUT the stored id with the current URL and credentials */
  | { kind: 'update'; id: number; url: string }
  /**
   * nothing changed on our side: GET the stored id and only act if Hostaway changed it (deleted by
   * hand → register again; disabled after days of failed deliveries, or another URL/login → PUT)
   */
  | { kind: 'verify'; id: number; url: string }
  | { kind: 'remove'; id: number }
  | { kind: 'unconfigured'; reason: string };

/**
 * One account's webhook decision. An account that should have a webhook gets one registered (once),
 * updated when PUBLIC_BASE_URL or its webhook credentials changed since registration, and otherwise
 * only checked; an inactive or deleted account's webhook is removed.
 */
export function planWebhook(account: WebhookAccountState, url: string | null): WebhookAction {
  if (!account.wanted)
    return account.webhookId === null ? { kind: 'none' } : { kind: 'remove', id: account.webhookId };
  if (url === null) {
    return account.webhookId === null
      ? { kind: 'unconfigured', reason: 'PUBLIC_BASE_URL is not set: no webhook URL to register' }
      : { kind: 'none' };
  }
  if (!account.hasCredentials) {
    return {
      kind: 'unconfigured',
      reason: 'the account has no webhook_login/webhook_password to register (set both with PATCH)',
    };
  }
  if (account.webhookId === null) return { kind: 'register', url };
  const credentialsChanged =
    account.webhookRegisteredCredentialsAt?.getTime() !== account.webhookCredentialsUpdatedAt?.getTime();
  return credentialsChanged || account.webhookUrl !== url
    ? { kind: 'update', id: account.webhookId, url }
    : { kind: 'verify', id: account.webhookId, url };
}
