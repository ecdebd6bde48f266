import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type HostawaySimulator, startHostawaySimulator } from './server';
import { manualClock, mint } from './spec-helpers';
import {
  hostawayWebhookAuthHeader,
  messageWebhook,
  reservationWebhook,
  sendHostawayWebhook,
  unknownWebhook,
} from './webhooks';

interface Received {
  headers: IncomingHttpHeaders;
  body: string;
}

describe('Hostaway webhooks', () => {
  let receiver: Server;
  let receiverUrl: string;
  let received: Received[];
  let replyStatus: number;

  beforeAll(async () => {
    receiver = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
        res.writeHead(replyStatus, { 'content-type': 'application/json' });
        res.end(JSON.stringify(replyStatus === 200 ? { status: 'accepted' } : { error: 'Unauthorized' }));
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/api/v1/hostaway/webhooks`;
  });
  afterAll(() => new Promise<void>((resolve) => receiver.close(() => resolve())));
  beforeEach(() => {
    received = [];
    replyStatus = 200;
  });

  describe('sendHostawayWebhook', () => {
    it('sends Basic auth when login and password are both set', async () => {
      const result = await sendHostawayWebhook(receiverUrl, { login: 'hook', password: 's3cret' }, { a: 1 });
      expect(result.status).toBe(200);
      expect(result.body).toEqual({ status: 'accepted' });
      expect(received).toHaveLength(1);
      expect(received[0].headers.authorization).toBe(
        `Basic ${Buffer.from('hook:s3cret').toString('base64')}`,
      );
      expect(received[0].headers['content-type']).toBe('application/json');
      expect(JSON.parse(received[0].body)).toEqual({ a: 1 });
    });

    it.each([
      ['null auth', null],
      ['no password', { login: 'hook', password: null }],
      ['empty password', { login: 'hook', password: '' }],
      ['no login', { login: null, password: 's3cret' }],
    ])('sends no Authorization header with %s', async (_name, auth) => {
      await sendHostawayWebhook(receiverUrl, auth, { a: 1 });
      expect(received[0].headers).not.toHaveProperty('authorization');
    });

    it('sends string bodies verbatim and returns the status', async () => {
      replyStatus = 401;
      const result = await sendHostawayWebhook(receiverUrl, null, '{not json');
      expect(result).toMatchObject({ status: 401, body: { error: 'Unauthorized' } });
      expect(received[0].body).toBe('{not json');
    });

    it('builds the header only for complete credentials', () => {
      expect(hostawayWebhookAuthHeader({ login: 'a', password: 'b' })).toBe('Basic YTpi');
      expect(hostawayWebhookAuthHeader(null)).toBeNull();
      expect(hostawayWebhookAuthHeader({ login: 'a' })).toBeNull();
    });
  });

  describe('envelopes', () => {
    const reservation = { id: 5000001, listingMapId: 100201, status: 'cancelled' as const };
    const message = { id: 900000002, conversationId: 7000001, reservationId: 5000001, body: 'Thanks!' };

    it('reservation events carry the entity in data, or payload.data when nested', () => {
      expect(reservationWebhook(10001, reservation)).toEqual({
        object: 'reservation',
        event: 'reservation.updated',
        accountId: 10001,
        data: reservation,
      });
      expect(reservationWebhook(10001, reservation, 'reservation.created', { nested: true })).toEqual({
        object: 'reservation',
        event: 'reservation.created',
        accountId: 10001,
        payload: { data: reservation },
      });
      expect(reservationWebhook(10001, reservation, 'reservation.updated', { eventTypeAlias: true })).toEqual(
        {
          object: 'reservation',
          eventType: 'reservation.updated',
          accountId: 10001,
          data: reservation,
        },
      );
    });

    it('message events are conversationMessage / message.received', () => {
      expect(messageWebhook(10001, message)).toEqual({
        object: 'conversationMessage',
        event: 'message.received',
        accountId: 10001,
        data: message,
      });
      expect(messageWebhook(10001, message, { nested: true }).payload).toEqual({ data: message });
    });

    it('builds unknown events', () => {
      expect(unknownWebhook(10001)).toEqual({
        object: 'listing',
        event: 'listing.updated',
        accountId: 10001,
        data: {},
      });
      expect(unknownWebhook(10001, 'reservation.deleted', { id: 1 })).toEqual({
        object: 'reservation',
        event: 'reservation.deleted',
        accountId: 10001,
        data: { id: 1 },
      });
    });

    it('copies the entity', () => {
      const entity = { id: 1, nested: { x: 1 } };
      const body = reservationWebhook(1, entity);
      entity.nested.x = 2;
      expect(body.data).toEqual({ id: 1, nested: { x: 1 } });
    });
  });

  describe('registration on the simulator', () => {
    let sim: HostawaySimulator;
    const clock = manualClock();
    beforeAll(async () => {
      sim = await startHostawaySimulator({
        accounts: [
          { accountId: 10001, clientSecret: 'a' },
          { accountId: 20002, clientSecret: 'b' },
        ],
        clock: clock.now,
        now: () => new Date('2025-07-10T12:00:00Z'),
        // the registered public URL reaches this test's receiver, as DNS would send it to us
        resolveWebhookUrl: (url) => url.replace(PUBLIC_URL, receiverUrl),
      });
    });
    afterAll(() => sim.stop());
    const PUBLIC_URL = 'https://staysync.example.com/api/v1/hostaway/webhooks';

    it('registers, lists, updates and deletes per account; delivers to enabled hooks', async () => {
      const token = await mint(sim, 10001, 'a');
      const otherToken = await mint(sim, 20002, 'b');
      clock.advance(1000);
      const call = (method: string, path: string, body?: unknown, t = token) =>
        fetch(`${sim.url}webhooks/unifiedWebhooks${path}`, {
          method,
          headers: { authorization: `Bearer ${t}`, 'content-type': 'application/json' },
          body: body === undefined ? undefined : JSON.stringify(body),
        });

      const created = await call('POST', '', {
        isEnabled: 1,
        url: PUBLIC_URL,
        login: 'hook',
        password: 'pw',
        alertingEmailAddress: null,
      });
      expect(created.status).toBe(200);
      const { result } = (await created.json()) as { result: { id: number } };
      expect(result).toMatchObject({
        id: 1,
        accountId: 10001,
        isEnabled: 1,
        url: PUBLIC_URL,
        login: 'hook',
      });
      expect((await call('POST', '', { isEnabled: 1 })).status).toBe(400);
      expect(sim.webhooks(10001)).toHaveLength(1);
      expect(sim.webhooks(20002)).toHaveLength(0);
      expect((await call('GET', `/${result.id}`, undefined, otherToken)).status).toBe(404);

      const body = reservationWebhook(10001, sim.reservations(10001)[0]);
      const deliveries = await sim.deliverWebhook(10001, body);
      expect(deliveries.map((d) => d.status)).toEqual([200]);
      expect(received[0].headers.authorization).toBe(`Basic ${Buffer.from('hook:pw').toString('base64')}`);
      expect(JSON.parse(received[0].body)).toEqual(body);

      expect((await call('PUT', `/${result.id}`, { isEnabled: 0 })).status).toBe(200);
      expect(await sim.deliverWebhook(10001, body)).toEqual([]);
      const list = (await (await call('GET', '')).json()) as { result: unknown[] };
      expect(list.result).toHaveLength(1);
      expect((await call('DELETE', `/${result.id}`)).status).toBe(200);
      expect(sim.webhooks(10001)).toEqual([]);
      expect(sim.stats().byKind.webhooks).toBe(6); // POST, POST 400, GET 404, PUT, GET, DELETE
      expect(sim.stats().webhooks).toEqual({ list: 1, get: 0, create: 1, update: 1, delete: 1 });
      expect(sim.stats().byAccount['10001'].webhooks).toEqual({
        list: 1,
        get: 0,
        create: 1,
        update: 1,
        delete: 1,
      });
      expect(sim.stats().byAccount['20002'].webhooks).toEqual({
        list: 0,
        get: 0,
        create: 0,
        update: 0,
        delete: 0,
      });
      expect((await call('DELETE', `/${result.id}`)).status).toBe(404);
    });

    it.each([
      ['http', 'http://staysync.example.com/hooks', 'url must use https'],
      ['a port', 'https://staysync.example.com:8443/hooks', 'url must not contain a port'],
      ['an IPv4 address', 'https://203.0.113.7/hooks', 'url must use a domain name, not an IP address'],
      ['an IPv6 address', 'https://[2001:db8::1]/hooks', 'url must use a domain name, not an IP address'],
      ['a single-label host', 'https://localhost/hooks', 'url must use a domain name'],
      ['no URL', 'not a url', 'url must be a valid URL'],
    ])('refuses a webhook URL with %s (400, status fail), on POST and PUT', async (_name, url, message) => {
      clock.advance(10_000); // a fresh rate-limit window
      const token = await mint(sim, 20002, 'b');
      clock.advance(1000);
      const call = (method: string, path: string, body: unknown) =>
        fetch(`${sim.url}webhooks/unifiedWebhooks${path}`, {
          method,
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: JSON.stringify(body),
        });
      const before = sim.stats().webhooks.create;
      const refused = await call('POST', '', { isEnabled: 1, url, login: 'hook', password: 'pw' });
      expect(refused.status).toBe(400);
      expect(await refused.json()).toEqual({ status: 'fail', message });
      expect(sim.webhooks(20002)).toEqual([]);
      const created = (await (
        await call('POST', '', { isEnabled: 1, url: PUBLIC_URL, login: 'hook', password: 'pw' })
      ).json()) as { result: { id: number } };
      const put = await call('PUT', `/${created.result.id}`, { url });
      expect(put.status).toBe(400);
      expect(sim.webhooks(20002).map((w) => w.url)).toEqual([PUBLIC_URL]);
      expect(sim.stats().webhooks.create).toBe(before + 1);
      expect((await call('DELETE', `/${created.result.id}`, {})).status).toBe(200);
    });
  });
});
