import { CredentialCipher, parseCredentialKeys } from '@staysync/crypto';
import { reservationWebhook } from '@staysync/simulators';
import { HostawayWebhookRegistrar } from '../../apps/admin/src/webhooks/hostaway-webhook-registrar';
import { adminTestConfig, CapturedLogs, startAdmin } from '../admin/admin-app';
import { waitForJob } from '../fetcher/fetcher-app';
import { waitFor } from '../harness';
import { AUTH, PUBLIC_BASE_URL, startHostawayStack, type HostawayStack } from './stack';

const SMALL = { listings: 1, reservationsPerListing: 1, messagesPerConversation: 1 };
const ACCOUNTS = { steady: 10001, soft: 10002, hard: 10003, failing: 10004, moving: 10005, bare: 10006 };
const SECRET = (id: number) => `hostaway-client-secret-${id}`;
const LOGIN = 'staysync-hooks';
const PASSWORD = 'webhook-password-0123456789';
const URL = `${PUBLIC_BASE_URL}/api/v1/hostaway/webhooks`;

interface WebhookRow {
  webhook_id: number | null;
  webhook_url: string | null;
  webhook_status: string;
  webhook_error: string | null;
  webhook_checked_at: Date | null;
}

/**
 * Issue 15 item 2: admin registers each Hostaway account's unified webhook after its first successful
 * full sync, once (PUT on a changed login/password or PUBLIC_BASE_URL, same id), removes it on soft and
 * hard delete, and records a failed registration on the account, retried after the next sync.
 */
describe('Hostaway > webhook registration', () => {
  let stack: HostawayStack;
  const row = async (accountId: number) =>
    (
      await stack.sql.query<WebhookRow>(
        `SELECT webhook_id, webhook_url, webhook_status, webhook_error, webhook_checked_at FROM hostaway.accounts WHERE account_id = $1`,
        [accountId],
      )
    ).rows[0];
  /** the registrar's look at the account after `finishedAt` (a sync's end, or a change) */
  const lookAfter = (accountId: number, finishedAt: Date) =>
    waitFor(
      async () => {
        const r = await row(accountId);
        return r.webhook_status !== 'pending' &&
          r.webhook_checked_at !== null &&
          r.webhook_checked_at >= finishedAt
          ? r
          : null;
      },
      { what: `the webhook look at account ${accountId}`, timeoutMs: 30_000 },
    );
  const create = async (
    accountId: number,
    webhook: Record<string, string> = { webhook_login: LOGIN, webhook_password: PASSWORD },
  ) => {
    await stack
      .api()
      .post('/api/v1/hostaway/accounts')
      .set(AUTH)
      .send({ account_id: accountId, client_secret: SECRET(accountId), ...webhook })
      .expect(201);
    const { rows } = await stack.sql.query<{ id: string }>(
      `SELECT id FROM ops.sync_jobs WHERE source = 'hostaway' AND account_id = $1`,
      [String(accountId)],
    );
    const job = await waitForJob(
      stack.sql,
      rows[0].id,
      (j) => j.finished_at !== null,
      'first full sync',
      60_000,
    );
    expect(job.status).toBe('succeeded');
    return lookAfter(accountId, job.finished_at as Date);
  };
  const webhookCalls = (accountId: number) => stack.simulator.stats().byAccount[String(accountId)].webhooks;

  beforeAll(async () => {
    stack = await startHostawayStack({
      accounts: Object.values(ACCOUNTS).map((accountId) => ({
        accountId,
        clientSecret: SECRET(accountId),
        ...SMALL,
      })),
      adminEnv: { PUBLIC_BASE_URL },
    });
  });
  afterAll(async () => stack?.close());

  it('one webhook per account after 10 consecutive syncs: registered once after the first full sync, then left alone', async () => {
    const first = await create(ACCOUNTS.steady);
    expect(first).toMatchObject({ webhook_status: 'registered', webhook_url: URL, webhook_error: null });
    for (let i = 2; i <= 10; i++) {
      const job = await stack.sync(ACCOUNTS.steady, 'full');
      expect(job.status).toBe('succeeded');
      expect(await lookAfter(ACCOUNTS.steady, job.finished_at as Date)).toMatchObject({
        webhook_status: 'registered',
        webhook_id: first.webhook_id,
      });
    }
    const registered = stack.simulator.webhooks(ACCOUNTS.steady);
    expect(registered).toEqual([
      expect.objectContaining({
        id: first.webhook_id,
        url: URL,
        login: LOGIN,
        password: PASSWORD,
        isEnabled: 1,
      }),
    ]);
    // the list before the one registration (a webhook already at our URL would be adopted), then one
    // GET of the stored id after each later sync (is it still there, enabled, ours?); nothing more
    expect(webhookCalls(ACCOUNTS.steady)).toEqual({ list: 1, get: 9, create: 1, update: 0, delete: 0 });
    process.stdout.write(
      `webhook registrations over 10 consecutive syncs of account ${ACCOUNTS.steady}: ${webhookCalls(ACCOUNTS.steady).create}\n`,
    );

    // what Hostaway sends with the registered credentials is accepted by our receiver
    const reservation = stack.simulator.reservations(ACCOUNTS.steady)[0];
    const deliveries = await stack.simulator.deliverWebhook(
      ACCOUNTS.steady,
      reservationWebhook(ACCOUNTS.steady, reservation, 'reservation.updated'),
    );
    expect(deliveries.map((d) => [d.status, d.body])).toEqual([[200, { status: 'accepted' }]]);

    const { body } = await stack
      .api()
      .get(`/api/v1/hostaway/accounts/${ACCOUNTS.steady}`)
      .set(AUTH)
      .expect(200);
    expect(body.webhook).toMatchObject({
      login: LOGIN,
      password_set: true,
      status: 'registered',
      webhook_id: first.webhook_id,
      url: URL,
      last_error: null,
    });
    expect(JSON.stringify(body)).not.toContain(PASSWORD);
    // the password is encrypted at rest and never logged
    const stored = await stack.sql.query(
      `SELECT row_to_json(a)::text AS row FROM hostaway.accounts a WHERE account_id = $1`,
      [ACCOUNTS.steady],
    );
    expect(stored.rows[0].row).not.toContain(PASSWORD);
    expect(stack.logs.admin.text()).not.toContain(PASSWORD);
  });

  it('a new login/password is PUT on the same webhook id, not registered again', async () => {
    const before = await row(ACCOUNTS.steady);
    const changedAt = new Date();
    await stack
      .api()
      .patch(`/api/v1/hostaway/accounts/${ACCOUNTS.steady}`)
      .set(AUTH)
      .send({ webhook_login: 'hooks-2', webhook_password: 'another-password-9876' })
      .expect(200);
    const after = await lookAfter(ACCOUNTS.steady, changedAt);
    expect(after).toMatchObject({ webhook_status: 'registered', webhook_id: before.webhook_id });
    expect(stack.simulator.webhooks(ACCOUNTS.steady)).toEqual([
      expect.objectContaining({ id: before.webhook_id, login: 'hooks-2', password: 'another-password-9876' }),
    ]);
    expect(webhookCalls(ACCOUNTS.steady)).toEqual({ list: 1, get: 9, create: 1, update: 1, delete: 0 });

    // the same credentials again change nothing upstream
    await stack
      .api()
      .patch(`/api/v1/hostaway/accounts/${ACCOUNTS.steady}`)
      .set(AUTH)
      .send({ webhook_login: 'hooks-2', webhook_password: 'another-password-9876' })
      .expect(200);
    expect(await stack.admin.get(HostawayWebhookRegistrar).pass()).toEqual([]);
    expect(webhookCalls(ACCOUNTS.steady)).toEqual({ list: 1, get: 9, create: 1, update: 1, delete: 0 });
  });

  it('after a sync, a webhook Hostaway disabled is enabled again (PUT, same id) and one deleted upstream is registered again', async () => {
    const { webhook_id: id } = await row(ACCOUNTS.steady);
    const cipher = new CredentialCipher(parseCredentialKeys(stack.keys));
    const { rows } = await stack.sql.query<{ access_token: string }>(
      `SELECT access_token FROM hostaway.accounts WHERE account_id = $1`,
      [ACCOUNTS.steady],
    );
    const upstream = (method: string, body?: unknown) =>
      fetch(`${stack.simulator.url}webhooks/unifiedWebhooks/${id}`, {
        method,
        headers: {
          authorization: `Bearer ${cipher.decrypt(rows[0].access_token)}`,
          'content-type': 'application/json',
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    const before = webhookCalls(ACCOUNTS.steady);

    // Hostaway disables a webhook after 5 days of failed deliveries (reference §4)
    expect((await upstream('PUT', { isEnabled: 0 })).status).toBe(200);
    let job = await stack.sync(ACCOUNTS.steady, 'full');
    expect(await lookAfter(ACCOUNTS.steady, job.finished_at as Date)).toMatchObject({
      webhook_status: 'registered',
      webhook_id: id,
    });
    expect(stack.simulator.webhooks(ACCOUNTS.steady)).toEqual([
      expect.objectContaining({ id, isEnabled: 1, url: URL, login: 'hooks-2' }),
    ]);

    expect((await upstream('DELETE')).status).toBe(200);
    job = await stack.sync(ACCOUNTS.steady, 'full');
    const again = await lookAfter(ACCOUNTS.steady, job.finished_at as Date);
    expect(again).toMatchObject({ webhook_status: 'registered', webhook_url: URL });
    expect(again.webhook_id).not.toBe(id);
    expect(stack.simulator.webhooks(ACCOUNTS.steady)).toEqual([
      expect.objectContaining({
        id: again.webhook_id,
        isEnabled: 1,
        url: URL,
        login: 'hooks-2',
        password: 'another-password-9876',
      }),
    ]);
    // ours: the PUT and the DELETE above, then GET+PUT, GET (404)+list+POST
    const after = webhookCalls(ACCOUNTS.steady);
    expect({
      list: after.list - before.list,
      get: after.get - before.get,
      create: after.create - before.create,
      update: after.update - before.update,
      delete: after.delete - before.delete,
    }).toEqual({
      list: 1,
      get: 1,
      create: 1,
      update: 2,
      delete: 1,
    });
  });

  it('soft delete removes the webhook upstream', async () => {
    const registered = await create(ACCOUNTS.soft);
    expect(stack.simulator.webhooks(ACCOUNTS.soft).map((w) => w.id)).toEqual([registered.webhook_id]);
    const deletedAt = new Date();
    await stack.api().delete(`/api/v1/hostaway/accounts/${ACCOUNTS.soft}`).set(AUTH).expect(204);
    expect(await lookAfter(ACCOUNTS.soft, deletedAt)).toMatchObject({
      webhook_status: 'removed',
      webhook_id: null,
      webhook_url: null,
    });
    expect(stack.simulator.webhooks(ACCOUNTS.soft)).toEqual([]);
    expect(webhookCalls(ACCOUNTS.soft)).toEqual({ list: 1, get: 0, create: 1, update: 0, delete: 1 });
  });

  it('hard delete removes the webhook upstream before the account is gone', async () => {
    const registered = await create(ACCOUNTS.hard);
    expect(stack.simulator.webhooks(ACCOUNTS.hard).map((w) => w.id)).toEqual([registered.webhook_id]);
    await stack.api().delete(`/api/v1/hostaway/accounts/${ACCOUNTS.hard}?hard=true`).set(AUTH).expect(204);
    // done within the request: the client secret the removal needs goes with the account
    expect(stack.simulator.webhooks(ACCOUNTS.hard)).toEqual([]);
    expect(webhookCalls(ACCOUNTS.hard)).toEqual({ list: 1, get: 0, create: 1, update: 0, delete: 1 });
    expect(
      (await stack.sql.query(`SELECT 1 FROM hostaway.accounts WHERE account_id = $1`, [ACCOUNTS.hard]))
        .rowCount,
    ).toBe(0);
  });

  it('a failed registration is recorded on the account, does not fail the sync, and is retried after the next sync', async () => {
    // every try of the first call (3 tries: 2 retries) answers 503
    stack.simulator.addFaults({
      failNext: [{ path: 'webhooks', status: 503, times: 3, message: 'Service Unavailable' }],
    });
    const failed = await create(ACCOUNTS.failing);
    expect(failed).toMatchObject({ webhook_status: 'failed', webhook_id: null });
    expect(failed.webhook_error).toBe(
      'Hostaway answered GET webhooks/unifiedWebhooks with HTTP 503: Service Unavailable',
    );
    expect(stack.simulator.webhooks(ACCOUNTS.failing)).toEqual([]);
    const { rows: jobs } = await stack.sql.query(
      `SELECT status, error FROM ops.sync_jobs WHERE account_id = $1`,
      [String(ACCOUNTS.failing)],
    );
    expect(jobs).toEqual([{ status: 'succeeded', error: null }]);
    // not retried before the next sync
    expect(await stack.admin.get(HostawayWebhookRegistrar).pass()).toEqual([]);
    expect(webhookCalls(ACCOUNTS.failing)).toEqual({ list: 0, get: 0, create: 0, update: 0, delete: 0 });
    const { body } = await stack
      .api()
      .get(`/api/v1/hostaway/accounts/${ACCOUNTS.failing}`)
      .set(AUTH)
      .expect(200);
    expect(body.webhook).toMatchObject({
      status: 'failed',
      webhook_id: null,
      last_error: failed.webhook_error,
    });
    // what the StaysyncHostawayWebhooksFailing alert reads (the soft-deleted and hard-deleted accounts are not counted)
    const metrics = (await stack.api().get('/metrics').expect(200)).text;
    expect(
      metrics
        .split('\n')
        .filter((line) => line.startsWith('staysync_hostaway_webhooks{'))
        .sort(),
    ).toEqual([
      'staysync_hostaway_webhooks{status="failed",service="admin"} 1',
      'staysync_hostaway_webhooks{status="registered",service="admin"} 1',
    ]);

    const job = await stack.sync(ACCOUNTS.failing, 'full');
    expect(job.status).toBe('succeeded');
    const retried = await lookAfter(ACCOUNTS.failing, job.finished_at as Date);
    expect(retried).toMatchObject({ webhook_status: 'registered', webhook_error: null, webhook_url: URL });
    expect(stack.simulator.webhooks(ACCOUNTS.failing).map((w) => w.id)).toEqual([retried.webhook_id]);
    expect(webhookCalls(ACCOUNTS.failing)).toEqual({ list: 1, get: 0, create: 1, update: 0, delete: 0 });
  });

  it('an account without webhook credentials is unconfigured, and registered once they are set', async () => {
    const bare = await create(ACCOUNTS.bare, {});
    expect(bare).toMatchObject({
      webhook_status: 'unconfigured',
      webhook_id: null,
      webhook_error: 'the account has no webhook_login/webhook_password to register (set both with PATCH)',
    });
    expect(webhookCalls(ACCOUNTS.bare)).toEqual({ list: 0, get: 0, create: 0, update: 0, delete: 0 });
    const setAt = new Date();
    await stack
      .api()
      .patch(`/api/v1/hostaway/accounts/${ACCOUNTS.bare}`)
      .set(AUTH)
      .send({ webhook_login: LOGIN, webhook_password: PASSWORD })
      .expect(200);
    expect(await lookAfter(ACCOUNTS.bare, setAt)).toMatchObject({
      webhook_status: 'registered',
      webhook_error: null,
      webhook_url: URL,
    });
    expect(webhookCalls(ACCOUNTS.bare)).toEqual({ list: 1, get: 0, create: 1, update: 0, delete: 0 });
  });

  it('a new PUBLIC_BASE_URL is PUT on the same webhook id by the admin that runs with it', async () => {
    const registered = await create(ACCOUNTS.moving);
    // a rolling deploy: the old admin stops looking, a new one with the new URL takes over
    await stack.admin.get(HostawayWebhookRegistrar).onApplicationShutdown();
    const logs = new CapturedLogs();
    const { app } = await startAdmin(
      adminTestConfig({
        DATABASE_URL: stack.db.url,
        KAFKA_TOPIC_PREFIX: stack.prefix,
        CREDENTIALS_KEYS: stack.keys,
        HOSTAWAY_BASE_URL: stack.simulator.url,
        HOSTAWAY_WEBHOOK_POLL_MS: '100',
        PUBLIC_BASE_URL: 'https://ingest.example.org/staysync/',
      }),
      logs,
    );
    try {
      const moved = 'https://ingest.example.org/staysync/api/v1/hostaway/webhooks';
      const after = await waitFor(
        async () => ((await row(ACCOUNTS.moving)).webhook_url === moved ? row(ACCOUNTS.moving) : null),
        { what: 'the webhook moved', timeoutMs: 30_000 },
      );
      expect(after).toMatchObject({ webhook_status: 'registered', webhook_id: registered.webhook_id });
      expect(stack.simulator.webhooks(ACCOUNTS.moving)).toEqual([
        expect.objectContaining({ id: registered.webhook_id, url: moved, login: LOGIN, password: PASSWORD }),
      ]);
      expect(webhookCalls(ACCOUNTS.moving)).toEqual({ list: 1, get: 0, create: 1, update: 1, delete: 0 });
      expect(logs.text()).not.toContain(PASSWORD);
    } finally {
      await app.close();
    }
  });
});
