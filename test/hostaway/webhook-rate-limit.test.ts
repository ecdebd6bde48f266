import { waitFor } from '../harness';
import { AUTH, PUBLIC_BASE_URL, startHostawayStack, type HostawayStack } from './stack';

const ACCOUNTS = [10101, 10102, 10103, 10104, 10105];
const SECRET = (id: number) => `hostaway-client-secret-${id}`;
/** tight enough that the webhook calls of accounts due together would outrun it without the limiter */
const RATES = { perIp: { limit: 3, windowMs: 1000 }, perAccount: { limit: 20, windowMs: 1000 } };

/**
 * Admin's webhook calls keep Hostaway's per-IP limit (reference §2) and share the budget with the
 * fetcher's jobs when they run in one process with the same limit: accounts whose first syncs end
 * together are registered without a single 429, while other accounts still sync.
 */
describe('Hostaway > webhook registration under the IP rate limit', () => {
  let stack: HostawayStack;

  beforeAll(async () => {
    stack = await startHostawayStack({
      accounts: ACCOUNTS.map((accountId) => ({
        accountId,
        clientSecret: SECRET(accountId),
        listings: 1,
        reservationsPerListing: 1,
        messagesPerConversation: 1,
      })),
      adminEnv: { PUBLIC_BASE_URL },
      rates: RATES,
    });
  }, 60_000);
  afterAll(async () => stack?.close());

  it('registers every account’s webhook with no request refused for the rate', async () => {
    for (const accountId of ACCOUNTS)
      await stack
        .api()
        .post('/api/v1/hostaway/accounts')
        .set(AUTH)
        .send({
          account_id: accountId,
          client_secret: SECRET(accountId),
          webhook_login: 'staysync-hooks',
          webhook_password: 'webhook-password-0123456789',
        })
        .expect(201);
    await waitFor(
      async () => {
        const { rows } = await stack.sql.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM hostaway.accounts WHERE webhook_status = 'registered'`,
        );
        return rows[0].n === ACCOUNTS.length || null;
      },
      { what: 'every webhook registered', timeoutMs: 120_000 },
    );
    const stats = stack.simulator.stats();
    for (const accountId of ACCOUNTS)
      expect({ accountId, webhooks: stats.byAccount[String(accountId)].webhooks }).toEqual({
        accountId,
        webhooks: { list: 1, get: 0, create: 1, update: 0, delete: 0 },
      });
    expect(stats.rateLimited).toBe(0);
  }, 150_000);
});
