import { Client } from 'pg';
import type { RawEnvelope } from '@staysync/core';
import { upsertRows } from '@staysync/db';
import { compareWithStored } from '../../libs/pipeline/src/load/compare-rows';
import { HOSTAWAY_TABLES, parserV1, reservationsTable } from '@staysync/source-hostaway';
import { createTestDatabase, type TestDatabase } from '../harness';

const ACCOUNT = '10001';

/** The reference's §8 reservation, as a poll returns it (with a field only polls carry here). */
const POLLED = {
  id: 5000001,
  listingMapId: 100201,
  channelId: 2018,
  channelName: 'airbnbOfficial',
  status: 'new',
  arrivalDate: '2025-08-01',
  departureDate: '2025-08-04',
  guestName: 'Jane Doe',
  guestEmail: 'jane@example.com',
  totalPrice: 480.5,
  updatedOn: '2025-07-02 08:30:00',
};

function envelope(operation: 'reservations' | 'webhook', body: unknown, fetchedAt: string): RawEnvelope {
  return {
    schemaVersion: 1,
    jobId: null,
    source: 'hostaway',
    accountId: ACCOUNT,
    operation,
    resourceId: null,
    requestKey: `test:${operation}:${fetchedAt}`,
    variables: {},
    window: null,
    scrapeDate: fetchedAt.slice(0, 10),
    fetchedAt,
    httpStatus: 200,
    body,
  };
}

const pollRows = (reservation: object, at: string) =>
  parserV1.parse(envelope('reservations', { status: 'success', result: [reservation] }, at)).rows[
    HOSTAWAY_TABLES.reservations
  ];
const webhookRows = (data: object, at: string) =>
  parserV1.parse(
    envelope(
      'webhook',
      { object: 'reservation', event: 'reservation.updated', accountId: Number(ACCOUNT), payload: { data } },
      at,
    ),
  ).rows[HOSTAWAY_TABLES.reservations];

/** Issue 15 item 3: a webhook payload is laid over the stored one (newer wins per field) until the next poll replaces it. */
describe('Hostaway > webhook payloads merge onto the stored reservation (PostgreSQL)', () => {
  let db: TestDatabase;
  let sql: Client;
  const stored = async () =>
    (
      await sql.query(
        `SELECT channel_name, status, cancelled_at, upstream_updated_at, raw_payload, updated_at FROM hostaway.reservations WHERE id = 5000001`,
      )
    ).rows[0];

  beforeAll(async () => {
    db = await createTestDatabase();
    sql = new Client({ connectionString: db.url });
    await sql.connect();
    await sql.query(`INSERT INTO hostaway.accounts (account_id, client_secret) VALUES (10001, 'v1:k:x:y:z')`);
    await sql.query(
      `INSERT INTO hostaway.listings (id, account_id, raw_payload, observed_at) VALUES (100201, 10001, '{"id":100201}', now())`,
    );
  });
  afterAll(async () => {
    await sql?.end();
    await db?.drop();
  });

  it('a cancel webhook without channel or guest fields keeps them; a repeat is a no-op; the next poll replaces the payload', async () => {
    expect(
      await upsertRows(sql, reservationsTable, pollRows(POLLED, '2025-07-02T09:00:00.000Z')),
    ).toMatchObject({ inserted: 1 });

    // the reference's cancel webhook: id, listingMapId, status, dates only (no updatedOn: cannot be ordered, applies)
    const cancel = {
      id: 5000001,
      listingMapId: 100201,
      status: 'cancelled',
      arrivalDate: '2025-08-01',
      departureDate: '2025-08-04',
      cancellationDate: '2025-07-03 10:00:00',
    };
    const rows = webhookRows(cancel, '2025-07-03T10:00:05.000Z');
    expect(await compareWithStored(sql, reservationsTable, rows)).toMatchObject({
      added: 0,
      changed: 1,
      unchanged: 0,
    });
    expect(await upsertRows(sql, reservationsTable, rows)).toEqual({ inserted: 0, updated: 1, unchanged: 0 });
    const afterWebhook = await stored();
    expect(afterWebhook.raw_payload).toEqual({ ...POLLED, ...cancel });
    expect(afterWebhook).toMatchObject({
      channel_name: 'airbnbOfficial',
      status: 'cancelled',
      cancelled_at: new Date('2025-07-03T10:00:00Z'),
      upstream_updated_at: new Date('2025-07-02T08:30:00Z'),
    });

    // delivered again: nothing new to lay over → unchanged, updated_at kept
    expect(
      await compareWithStored(sql, reservationsTable, webhookRows(cancel, '2025-07-03T10:00:09.000Z')),
    ).toMatchObject({ changed: 0, unchanged: 1 });
    expect(await upsertRows(sql, reservationsTable, webhookRows(cancel, '2025-07-03T10:00:09.000Z'))).toEqual(
      { inserted: 0, updated: 0, unchanged: 1 },
    );
    expect((await stored()).updated_at).toEqual(afterWebhook.updated_at);

    // the next poll is the whole entity again and replaces the payload (webhook-only fields go)
    const polledAgain = {
      ...POLLED,
      status: 'cancelled',
      cancellationDate: '2025-07-03 10:00:00',
      updatedOn: '2025-07-03 10:00:00',
      guestName: 'Jane D.',
    };
    expect(
      await upsertRows(sql, reservationsTable, pollRows(polledAgain, '2025-07-04T05:00:00.000Z')),
    ).toMatchObject({ updated: 1 });
    expect((await stored()).raw_payload).toEqual(polledAgain);
  });

  it('a webhook older than the stored upstream version changes nothing; two webhooks in one batch both apply', async () => {
    const stale = { id: 5000001, listingMapId: 100201, status: 'modified', updatedOn: '2025-07-01 00:00:00' };
    expect(
      await upsertRows(sql, reservationsTable, webhookRows(stale, '2025-07-04T06:00:00.000Z')),
    ).toMatchObject({ updated: 0, unchanged: 1 });
    expect((await stored()).status).toBe('cancelled');

    const first = webhookRows(
      { id: 5000001, guestNote: 'late arrival', updatedOn: '2025-07-05 10:00:00' },
      '2025-07-05T10:00:01.000Z',
    );
    const second = webhookRows(
      { id: 5000001, numberOfGuests: 3, updatedOn: '2025-07-05 11:00:00' },
      '2025-07-05T11:00:01.000Z',
    );
    expect(await upsertRows(sql, reservationsTable, [...first, ...second])).toMatchObject({ updated: 1 });
    const row = await stored();
    expect(row.raw_payload).toMatchObject({
      guestName: 'Jane D.',
      guestNote: 'late arrival',
      numberOfGuests: 3,
      updatedOn: '2025-07-05 11:00:00',
      status: 'cancelled',
    });
    expect(row.upstream_updated_at).toEqual(new Date('2025-07-05T11:00:00Z'));
  });
});
