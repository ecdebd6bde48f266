import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { CredentialCipher } from '@staysync/crypto';
import { rotateKeyCommand } from '../../apps/cli/src/commands/rotate-key';
import { createTestDatabase, type TestDatabase } from '../harness';

describe('CLI > rotate-key', () => {
  let db: TestDatabase;
  let sql: Client;
  const oldKey = { id: 'k1', key: randomBytes(32) };
  const newKey = { id: 'k2', key: randomBytes(32) };
  const spec = (keys: Array<{ id: string; key: Buffer }>) =>
    keys.map((k) => `${k.id}:${k.key.toString('base64')}`).join(',');

  beforeAll(async () => {
    db = await createTestDatabase();
    sql = new Client({ connectionString: db.url });
    await sql.connect();
  });
  afterAll(async () => {
    await sql?.end();
    await db?.drop();
  });

  it('re-encrypts every credential under the new active key, and a second run has nothing to do', async () => {
    const old = new CredentialCipher([oldKey]);
    for (let i = 0; i < 250; i++) {
      await sql.query(
        `INSERT INTO airbnb.accounts (account_id, airbnb_cookie, x_client_version, user_agent) VALUES ($1, $2, 'v', 'ua')`,
        [String(400000000 + i), old.encrypt(`_aat=cookie-${i}`)],
      );
    }
    await sql.query(
      `INSERT INTO hostaway.accounts (account_id, client_secret, access_token, webhook_password) VALUES (10001, $1, $2, $3)`,
      [old.encrypt('secret'), old.encrypt('token'), old.encrypt('webhook-password')],
    );

    const previous = { ...process.env };
    Object.assign(process.env, { DATABASE_URL: db.url, CREDENTIALS_KEYS: spec([newKey, oldKey]) });
    const silence = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
    try {
      expect(await rotateKeyCommand({ batchSize: 100 })).toEqual({ rotated: 253 });
      expect(await rotateKeyCommand()).toEqual({ rotated: 0 });
    } finally {
      process.env = previous;
      silence.mockRestore();
      log.mockRestore();
    }

    const onlyNew = new CredentialCipher([newKey]);
    const { rows } = await sql.query<{ account_id: string; airbnb_cookie: string }>(
      'SELECT account_id, airbnb_cookie FROM airbnb.accounts ORDER BY account_id',
    );
    expect(rows.every((r) => r.airbnb_cookie.startsWith('v1:k2:'))).toBe(true);
    expect(onlyNew.decrypt(rows[7].airbnb_cookie)).toBe('_aat=cookie-7');
    const hostaway = (
      await sql.query('SELECT client_secret, access_token, webhook_password FROM hostaway.accounts')
    ).rows[0];
    expect([
      onlyNew.decrypt(hostaway.client_secret),
      onlyNew.decrypt(hostaway.access_token),
      onlyNew.decrypt(hostaway.webhook_password),
    ]).toEqual(['secret', 'token', 'webhook-password']);
  });
});
