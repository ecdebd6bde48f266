import { randomBytes } from 'node:crypto';
import { CredentialCipher, openSensitiveValue, parseCredentialKeys } from '@staysync/crypto';
import { reservationWebhook, sendHostawayWebhook } from '@staysync/simulators';
import { rotateKeyCommand } from '../../apps/cli/src/commands/rotate-key';
import { waitFor } from '../harness';
import { dumpTables, readAllTopics, startHostawayStack, type HostawayStack } from './stack';

const ACCOUNT = 10001;
const SECRET = 'hostaway-client-secret-0123456789';
const WEBHOOK = { login: 'hooks-10001', password: 'hook-password-0123456789' };
const DOOR_CODE_BY_WEBHOOK = 'LOCK-7731-XQ';

/**
 * Issue 15 item 5: property secrets (wifi logins, door codes) are sealed before any envelope is published,
 * so no topic value, table row or log line of a full sync holds them in clear; rotate-key re-seals them.
 */
describe('Hostaway > property secrets never in clear', () => {
  let stack: HostawayStack;

  beforeAll(async () => {
    stack = await startHostawayStack({
      accounts: [
        {
          accountId: ACCOUNT,
          clientSecret: SECRET,
          listings: 3,
          reservationsPerListing: 2,
          messagesPerConversation: 2,
        },
      ],
    });
  });
  afterAll(async () => stack?.close());

  it('a full sync and a webhook leave no wifi password, wifi login or door code on a topic, in a table or a log', async () => {
    const { sql, simulator } = stack;
    expect(
      await stack.createAccount({
        account_id: ACCOUNT,
        client_secret: SECRET,
        webhook_login: WEBHOOK.login,
        webhook_password: WEBHOOK.password,
      }),
    ).toMatchObject({ status: 'succeeded' });

    // a reservation whose webhook carries a smart-lock code (the pattern /doorCode/i)
    const target = simulator.reservations(ACCOUNT)[0];
    const changed = simulator.updateReservation(ACCOUNT, target.id, { doorCode: DOOR_CODE_BY_WEBHOOK });
    expect(
      (
        await sendHostawayWebhook(
          stack.webhookUrl,
          WEBHOOK,
          reservationWebhook(ACCOUNT, changed, 'reservation.updated', { nested: true }),
        )
      ).status,
    ).toBe(200);
    const stored = await waitFor(
      async () =>
        (
          await sql.query(
            `SELECT raw_payload FROM hostaway.reservations WHERE id = $1 AND raw_payload ? 'doorCode'`,
            [target.id],
          )
        ).rows[0]?.raw_payload,
    );

    const listings = simulator.listings(ACCOUNT);
    const secrets = [
      ...listings.flatMap((l) => [l.wifiPassword, l.wifiUsername, `"${l.doorSecurityCode}"`]),
      DOOR_CODE_BY_WEBHOOK,
    ];
    expect(secrets).toHaveLength(3 * 3 + 1);

    const topics = await readAllTopics(stack.prefix);
    const rawValues = topics.filter((r) => r.topic.endsWith('raw.hostaway.v1'));
    expect(rawValues.length).toBeGreaterThan(5);
    const tables = await dumpTables(sql);
    const logs = [...stack.logs.admin.lines, ...stack.logs.fetcher.lines, ...stack.logs.loader.lines];
    expect(logs.length).toBeGreaterThan(10);

    const hits = (lines: string[]) => lines.filter((line) => secrets.some((s) => line.includes(s)));
    expect({ topics: hits(topics.map((r) => r.value)), tables: hits(tables), logs: hits(logs) }).toEqual({
      topics: [],
      tables: [],
      logs: [],
    });
    process.stdout.write(
      `property secrets grep: ${secrets.length} secrets over ${topics.length} topic values, ${tables.length} table rows, ${logs.length} log lines: 0 hits\n`,
    );

    // the sealed values are there, under the credentials key, and open to the original
    const cipher = new CredentialCipher(parseCredentialKeys(stack.keys));
    const { rows } = await sql.query(`SELECT id, raw_payload FROM hostaway.listings ORDER BY id`);
    expect(rows).toHaveLength(3);
    for (const row of rows) {
      const source = listings.find((l) => l.id === Number(row.id))!;
      expect(row.raw_payload.wifiPassword).toMatch(/^v1:k1:/);
      expect(openSensitiveValue(row.raw_payload.wifiPassword, cipher)).toBe(source.wifiPassword);
      expect(openSensitiveValue(row.raw_payload.doorSecurityCode, cipher)).toBe(source.doorSecurityCode);
      expect(row.raw_payload.name).toBe(source.name);
    }
    expect(openSensitiveValue(stored.doorCode, cipher)).toBe(DOOR_CODE_BY_WEBHOOK);
  });

  it('a second identical sync changes no listing row (sealing is deterministic)', async () => {
    const before = (await stack.sql.query(`SELECT max(updated_at) AS at FROM hostaway.listings`)).rows[0].at;
    expect(await stack.sync(ACCOUNT)).toMatchObject({ status: 'succeeded' });
    expect((await stack.sql.query(`SELECT max(updated_at) AS at FROM hostaway.listings`)).rows[0].at).toEqual(
      before,
    );
  });

  it('rotate-key re-seals the stored payloads under the new key', async () => {
    // the runbook's order: services restart with the new key first, so none of them still seals with only
    // the old one while rotate-key runs (the admin's webhook registrar stores refreshed tokens, for one)
    await stack.stopServices();
    const newKey = `k2:${randomBytes(32).toString('base64')}`;
    const previous = { ...process.env };
    Object.assign(process.env, { DATABASE_URL: stack.db.url, CREDENTIALS_KEYS: `${newKey},${stack.keys}` });
    const silence = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
    let first: { rotated: number };
    let second: { rotated: number };
    try {
      first = await rotateKeyCommand();
      second = await rotateKeyCommand();
    } finally {
      process.env = previous;
      silence.mockRestore();
      log.mockRestore();
    }
    expect(first.rotated).toBeGreaterThan(3);
    expect(second.rotated).toBe(0);
    const onlyNew = new CredentialCipher(parseCredentialKeys(newKey));
    const { rows } = await stack.sql.query(`SELECT id, raw_payload FROM hostaway.listings ORDER BY id`);
    for (const row of rows) {
      expect(row.raw_payload.wifiPassword).toMatch(/^v1:k2:/);
      expect(openSensitiveValue(row.raw_payload.wifiPassword, onlyNew)).toBe(
        stack.simulator.listings(ACCOUNT).find((l) => l.id === Number(row.id))!.wifiPassword,
      );
    }
    const stale = await stack.sql.query(
      `SELECT count(*)::int AS n FROM hostaway.raw_responses WHERE body::text LIKE '%"v1:k1:%'`,
    );
    expect(stale.rows[0].n).toBe(0);
  });
});
