import type { NestExpressApplication } from '@nestjs/platform-express';
import request from 'supertest';
import { createTestDatabase, createTestTopics, randomTopicPrefix, type TestDatabase } from '../harness';
import { adminTestConfig, startAdmin } from '../admin/admin-app';

const ADMIN_KEY = 'admin-key-0123456789abcdef';
const READ_KEY = 'read-key-0123456789abcdef';
const OTHER_KEY = 'other-key-0123456789abcdef';
const KEYS = `ops:${ADMIN_KEY},viewer:${READ_KEY}:read,ci:${OTHER_KEY}:admin`;
const WEBHOOK = { login: 'hostaway-hooks', password: 'webhook-password-0123456789' };
const basic = (login: string, password: string) =>
  `Basic ${Buffer.from(`${login}:${password}`).toString('base64')}`;

describe('read side > API protection: scopes, rate limits, failed-auth limit, headers, CORS (PostgreSQL + broker)', () => {
  let db: TestDatabase;
  const prefix = randomTopicPrefix();
  const apps: NestExpressApplication[] = [];
  const start = async (overrides: Record<string, string>) => {
    const { app } = await startAdmin(
      adminTestConfig({
        DATABASE_URL: db.url,
        KAFKA_TOPIC_PREFIX: prefix,
        ADMIN_API_KEYS: KEYS,
        ...overrides,
      }),
    );
    apps.push(app);
    return () => request(app.getHttpServer());
  };

  beforeAll(async () => {
    db = await createTestDatabase();
    await createTestTopics(prefix);
  });
  afterAll(async () => {
    for (const app of apps) await app.close();
    await db?.drop();
  });

  it('scopes: a read key may read but gets 403 for anything else; keys without a scope keep full rights', async () => {
    const api = await start({});
    await api().get('/api/v1/jobs').set('X-API-Key', READ_KEY).expect(200);
    await api()
      .get('/api/v1/airbnb/metrics/chart_query')
      .set('Authorization', `Bearer ${READ_KEY}`)
      .expect(200);
    const forbidden = await api()
      .post('/api/v1/airbnb/accounts')
      .set('X-API-Key', READ_KEY)
      .send({})
      .expect(403);
    expect(forbidden.headers['content-type']).toContain('application/problem+json');
    expect(forbidden.body).toMatchObject({
      status: 403,
      title: 'Forbidden',
      detail: 'the API key "viewer" has the read scope; this operation needs admin',
    });
    await api().post('/api/v1/replays').set('X-API-Key', READ_KEY).send({}).expect(403);
    // the legacy name:key and the explicit admin key pass the scope check (and reach validation)
    await api().post('/api/v1/airbnb/accounts').set('X-API-Key', ADMIN_KEY).send({}).expect(400);
    await api().post('/api/v1/airbnb/accounts').set('X-API-Key', OTHER_KEY).send({}).expect(400);
  });

  it('security headers on every answer; a strict CSP outside /docs', async () => {
    const api = await start({});
    const res = await api().get('/health');
    expect(res.headers['content-security-policy']).toBe(
      "default-src 'none';script-src 'self';style-src 'self';img-src 'self' data:;connect-src 'self';font-src 'self';manifest-src 'self';base-uri 'none';form-action 'self';frame-ancestors 'none';object-src 'none'",
    );
    expect(res.headers).toMatchObject({
      'x-content-type-options': 'nosniff',
      'x-frame-options': 'SAMEORIGIN',
      'strict-transport-security': expect.stringContaining('max-age='),
    });
    expect(res.headers['x-powered-by']).toBeUndefined();
    expect((await api().get('/docs/openapi.json')).headers['content-security-policy']).toContain(
      "style-src 'self' https: 'unsafe-inline'",
    );
  });

  it('CORS is off unless an allow-list is configured, then only for the listed origins', async () => {
    const off = await start({});
    const preflight = (api: typeof off, origin: string) =>
      api()
        .options('/api/v1/jobs')
        .set('Origin', origin)
        .set('Access-Control-Request-Method', 'GET')
        .set('Access-Control-Request-Headers', 'x-api-key');
    expect(
      (await preflight(off, 'https://evil.example')).headers['access-control-allow-origin'],
    ).toBeUndefined();
    const on = await start({ CORS_ORIGINS: 'https://ops.example.com' });
    const allowed = await preflight(on, 'https://ops.example.com').expect(204);
    expect(allowed.headers['access-control-allow-origin']).toBe('https://ops.example.com');
    expect(allowed.headers['access-control-allow-headers']).toBe('X-API-Key,Authorization,Content-Type');
    expect(
      (await preflight(on, 'https://evil.example')).headers['access-control-allow-origin'],
    ).toBeUndefined();
  });

  it('per-key limit: 429 with Retry-After once a key has used its budget; another key from the same IP still passes', async () => {
    const api = await start({
      RATE_LIMIT_PER_KEY: '5',
      RATE_LIMIT_PER_IP: '1000',
      RATE_LIMIT_WINDOW_MS: '60000',
    });
    for (let i = 0; i < 5; i++) await api().get('/api/v1/jobs').set('X-API-Key', READ_KEY).expect(200);
    const limited = await api()
      .get('/api/v1/airbnb/metrics/chart_query')
      .set('X-API-Key', READ_KEY)
      .expect(429);
    expect(limited.headers['content-type']).toContain('application/problem+json');
    expect(Number(limited.headers['retry-after'])).toBeGreaterThanOrEqual(55);
    expect(limited.body.detail).toMatch(/^more than 5 requests per 60 s for this API key/);
    await api().get('/api/v1/jobs').set('X-API-Key', ADMIN_KEY).expect(200);
  });

  it('per-IP limit: 429 for the client IP whichever keys it uses; operations endpoints are not limited', async () => {
    const api = await start({
      RATE_LIMIT_PER_KEY: '1000',
      RATE_LIMIT_PER_IP: '4',
      RATE_LIMIT_WINDOW_MS: '60000',
    });
    for (const key of [READ_KEY, ADMIN_KEY, OTHER_KEY, READ_KEY])
      await api().get('/api/v1/jobs').set('X-API-Key', key).expect(200);
    const limited = await api().get('/api/v1/jobs').set('X-API-Key', OTHER_KEY).expect(429);
    expect(limited.body.detail).toMatch(/for this client IP/);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    for (let i = 0; i < 6; i++) await api().get('/health').expect(200);
  });

  it('failed API keys: a few 401s, then 429 for that address, even with a valid key', async () => {
    const api = await start({ AUTH_FAILURE_LIMIT: '3', AUTH_FAILURE_BLOCK_MS: '120000' });
    await api().get('/api/v1/jobs').set('X-API-Key', 'guess-0000000000000001').expect(401);
    await api().get('/api/v1/jobs').expect(401);
    await api().get('/api/v1/jobs').set('Authorization', 'Bearer guess-0000000000000002').expect(401);
    const blocked = await api().get('/api/v1/jobs').set('X-API-Key', 'guess-0000000000000003').expect(429);
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThanOrEqual(115);
    expect(blocked.body).toMatchObject({ status: 429, title: 'Too Many Requests' });
    await api().get('/api/v1/jobs').set('X-API-Key', ADMIN_KEY).expect(429);
  });

  it('webhooks: a burst of 300 valid deliveries all pass; wrong Basic credentials are limited like API keys', async () => {
    const api = await start({ AUTH_FAILURE_LIMIT: '3', RATE_LIMIT_PER_IP: '20', RATE_LIMIT_PER_KEY: '20' });
    await api()
      .post('/api/v1/hostaway/accounts')
      .set('X-API-Key', ADMIN_KEY)
      .send({
        account_id: 10001,
        client_secret: 'client-secret-0123456789-abcdef',
        webhook_login: WEBHOOK.login,
        webhook_password: WEBHOOK.password,
      })
      .expect(201);
    const delivery = (i: number) => ({
      object: 'reservation',
      event: 'reservation.updated',
      accountId: 10001,
      payload: { data: { id: 5000000 + i, listingMapId: 100201, status: 'new' } },
    });
    const ok = basic(WEBHOOK.login, WEBHOOK.password);
    const statuses: number[] = [];
    for (let batch = 0; batch < 6; batch++) {
      const answers = await Promise.all(
        Array.from({ length: 50 }, (_, i) =>
          api()
            .post('/api/v1/hostaway/webhooks')
            .set('Authorization', ok)
            .send(delivery(batch * 50 + i)),
        ),
      );
      statuses.push(...answers.map((a) => a.status));
    }
    expect(statuses.filter((s) => s !== 200)).toEqual([]);
    expect(statuses).toHaveLength(300);

    const wrong = basic(WEBHOOK.login, 'wrong-password-0123456789');
    for (let i = 0; i < 3; i++)
      await api().post('/api/v1/hostaway/webhooks').set('Authorization', wrong).send(delivery(i)).expect(401);
    const blocked = await api()
      .post('/api/v1/hostaway/webhooks')
      .set('Authorization', ok)
      .send(delivery(0))
      .expect(429);
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
  });
});
