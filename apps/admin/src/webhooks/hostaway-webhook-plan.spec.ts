import { hostawayWebhookUrl, planWebhook, type WebhookAccountState } from './hostaway-webhook-plan';

const URL = 'https://staysync.example.com/api/v1/hostaway/webhooks';
const AT = new Date('2026-12-05T05:00:00Z');
const registered: WebhookAccountState = {
  wanted: true,
  hasCredentials: true,
  webhookId: 7,
  webhookUrl: URL,
  webhookCredentialsUpdatedAt: AT,
  webhookRegisteredCredentialsAt: new Date(AT.getTime()),
};

describe('planWebhook', () => {
  it('builds the URL from PUBLIC_BASE_URL (a path prefix kept)', () => {
    expect(hostawayWebhookUrl('https://staysync.example.com')).toBe(URL);
    expect(hostawayWebhookUrl('https://example.com/staysync')).toBe(
      'https://example.com/staysync/api/v1/hostaway/webhooks',
    );
    expect(hostawayWebhookUrl(null)).toBeNull();
  });

  it('registers once, then only checks an unchanged registration', () => {
    expect(
      planWebhook(
        { ...registered, webhookId: null, webhookUrl: null, webhookRegisteredCredentialsAt: null },
        URL,
      ),
    ).toEqual({ kind: 'register', url: URL });
    expect(planWebhook(registered, URL)).toEqual({ kind: 'verify', id: 7, url: URL });
  });

  it('updates the same id when the URL or the credentials changed', () => {
    const moved = 'https://new.example.com/api/v1/hostaway/webhooks';
    expect(planWebhook(registered, moved)).toEqual({ kind: 'update', id: 7, url: moved });
    expect(
      planWebhook({ ...registered, webhookCredentialsUpdatedAt: new Date(AT.getTime() + 1) }, URL),
    ).toEqual({ kind: 'update', id: 7, url: URL });
  });

  it('removes the webhook of an account that is inactive or deleted, and does nothing without one', () => {
    expect(planWebhook({ ...registered, wanted: false }, URL)).toEqual({ kind: 'remove', id: 7 });
    expect(planWebhook({ ...registered, wanted: false, webhookId: null }, URL)).toEqual({ kind: 'none' });
  });

  it('says why it cannot register: no PUBLIC_BASE_URL, no credentials', () => {
    const fresh = { ...registered, webhookId: null, webhookUrl: null };
    expect(planWebhook(fresh, null)).toEqual({
      kind: 'unconfigured',
      reason: 'PUBLIC_BASE_URL is not set: no webhook URL to register',
    });
    expect(planWebhook({ ...fresh, hasCredentials: false }, URL)).toEqual({
      kind: 'unconfigured',
      reason: 'the account has no webhook_login/webhook_password to register (set both with PATCH)',
    });
    // a registration stays as it is when PUBLIC_BASE_URL is unset later
    expect(planWebhook(registered, null)).toEqual({ kind: 'none' });
  });
});
