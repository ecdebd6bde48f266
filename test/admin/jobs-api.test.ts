import { randomUUID } from 'node:crypto';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { loadEnvelopes } from '@staysync/pipeline';
import { Pool } from 'pg';
import request from 'supertest';
import { createTestDatabase, randomTopicPrefix, type TestDatabase } from '../harness';
import { fixtureEnvelopes, LISTING_ID } from '../loader/support';
import { adminTestConfig, startAdmin, TEST_API_KEY } from './admin-app';

describe('admin > GET /api/v1/jobs/{id} (PostgreSQL)', () => {
  let db: TestDatabase;
  let pool: Pool;
  let app: NestExpressApplication;

  beforeAll(async () => {
    db = await createTestDatabase();
    pool = new Pool({ connectionString: db.url, max: 2 });
    ({ app } = await startAdmin(
      adminTestConfig({ DATABASE_URL: db.url, KAFKA_TOPIC_PREFIX: randomTopicPrefix() }),
    ));
  });
  afterAll(async () => {
    await app?.close();
    await pool?.end();
    await db?.drop();
  });

  it('shows planned / fetched / loaded / failed per listing, with the errors', async () => {
    const jobId = randomUUID();
    const progress = {
      ListingsSectionQuery: { planned: 1, fetched: 1, failed: 0 },
      [LISTING_ID]: { planned: 4, fetched: 3, failed: 1, error: 'TransientError: HTTP 503 after 5 attempts' },
    };
    await pool.query(
      `INSERT INTO ops.sync_jobs (id, source, account_id, mode, trigger, status, planned, fetched, failed, progress, errors, started_at)
       VALUES ($1, 'airbnb', '6001', 'backfill', 'manual', 'running', 5, 4, 1, $2::jsonb, $3::jsonb, now())`,
      [
        jobId,
        JSON.stringify(progress),
        JSON.stringify([
          {
            resourceId: LISTING_ID,
            message: 'TransientError: HTTP 503 after 5 attempts',
            at: '2026-11-22T05:00:00.000Z',
          },
        ]),
      ],
    );
    // the loader has stored the listings response and two of the listing's responses
    await loadEnvelopes(pool, fixtureEnvelopes({ accountId: '6001', jobId }));

    const { body } = await request(app.getHttpServer())
      .get(`/api/v1/jobs/${jobId}`)
      .set('X-API-Key', TEST_API_KEY)
      .expect(200);
    expect(body).toMatchObject({
      id: jobId,
      status: 'running',
      counts: { planned: 5, fetched: 4, failed: 1 },
    });
    expect(body.progress).toEqual({
      ListingsSectionQuery: { planned: 1, fetched: 1, failed: 0, loaded: 1 },
      [LISTING_ID]: {
        planned: 4,
        fetched: 3,
        failed: 1,
        loaded: 2,
        error: 'TransientError: HTTP 503 after 5 attempts',
      },
    });
    expect(body.errors).toEqual([
      {
        resourceId: LISTING_ID,
        message: 'TransientError: HTTP 503 after 5 attempts',
        at: '2026-11-22T05:00:00.000Z',
      },
    ]);
  });
});
