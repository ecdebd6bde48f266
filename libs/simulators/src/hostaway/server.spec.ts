import type { HostawayMessage, HostawayReservation } from './dataset';
import { type HostawaySimulator, type HostawaySimulatorOptions, startHostawaySimulator } from './server';
import {
  type Envelope,
  type Fail,
  fullSync,
  get,
  getJson,
  manualClock,
  mint,
  tokenRequest,
} from './spec-helpers';

const A = 10001;
const B = 20002;
const SECRET_A = 'secret-a';
const SECRET_B = 'secret-b';
const NOW = new Date('2025-07-10T12:00:00Z');

describe('Hostaway simulator', () => {
  let sim: HostawaySimulator;
  const clock = manualClock();
  let now = NOW;

  const start = (overrides: Partial<HostawaySimulatorOptions> = {}) =>
    startHostawaySimulator({
      accounts: [
        { accountId: A, clientSecret: SECRET_A },
        {
          accountId: B,
          clientSecret: SECRET_B,
          listings: 2,
          reservationsPerListing: 5,
          messagesPerConversation: 4,
        },
      ],
      now: () => now,
      clock: clock.now,
      rateLimits: false,
      ...overrides,
    });

  /** a warmed-up token */
  const ready = async (accountId = A, secret = SECRET_A) => {
    const token = await mint(sim, accountId, secret);
    clock.advance(1000);
    return token;
  };

  beforeEach(async () => {
    now = NOW;
    sim = await start();
  });
  afterEach(() => sim.stop());

  describe('token flow', () => {
    it('mints a Bearer token that is 403 for its first second, then works', async () => {
      expect(sim.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v1\/$/);
      const res = await tokenRequest(sim, {
        grant_type: 'client_credentials',
        client_id: String(A),
        client_secret: SECRET_A,
        scope: 'general',
      });
      expect(res.status).toBe(200);
      const body = (await res.json()) as { token_type: string; expires_in: number; access_token: string };
      expect(body.token_type).toBe('Bearer');
      expect(body.expires_in).toBe(730 * 86_400);
      expect(body.access_token.split('.')).toHaveLength(3);

      const early = await get(sim, 'listings', body.access_token);
      expect(early.status).toBe(403);
      expect(await early.json()).toEqual({ status: 'fail', message: expect.any(String) });
      clock.advance(999);
      expect((await get(sim, 'listings', body.access_token)).status).toBe(403);
      clock.advance(1);
      expect((await get(sim, 'listings', body.access_token)).status).toBe(200);

      const stats = sim.stats();
      expect(stats.forbidden).toBe(2);
      expect(stats.tokensIssued).toBe(1);
      expect(stats.byAccount[String(A)]).toMatchObject({ requests: 4, forbidden: 2, tokensIssued: 1 });
      expect(stats.byAccount[String(A)].byKind).toMatchObject({ accessTokens: 1, listings: 3 });
    });

    it('rejects bad client credentials with 401 and malformed mints with 400', async () => {
      const form = {
        grant_type: 'client_credentials',
        client_id: String(A),
        client_secret: SECRET_A,
        scope: 'general',
      };
      for (const [override, status] of [
        [{ client_secret: 'wrong' }, 401],
        [{ client_id: '99999' }, 401],
        [{ client_id: 'abc' }, 401],
        [{ grant_type: 'password' }, 400],
        [{ client_secret: '' }, 400],
        [{ scope: 'admin' }, 400],
      ] as const) {
        const res = await tokenRequest(sim, { ...form, ...override });
        expect([JSON.stringify(override), res.status]).toEqual([JSON.stringify(override), status]);
        expect(((await res.json()) as Fail).status).toBe('fail');
      }
      expect(sim.stats().tokensIssued).toBe(0);
    });

    it('answers 403 without, with an unknown and with an expired token', async () => {
      const tokenA = await ready(A, SECRET_A);
      const tokenB = await ready(B, SECRET_B);
      expect((await get(sim, 'reservations')).status).toBe(403);
      expect((await get(sim, 'reservations', 'not-a-token')).status).toBe(403);
      expect((await get(sim, 'reservations', tokenA)).status).toBe(200);

      sim.expireTokens(A);
      expect((await get(sim, 'reservations', tokenA)).status).toBe(403);
      expect((await get(sim, 'reservations', tokenB)).status).toBe(200);
      const fresh = await ready(A, SECRET_A);
      expect((await get(sim, 'reservations', fresh)).status).toBe(200);

      sim.expireTokens();
      expect((await get(sim, 'reservations', tokenB)).status).toBe(403);
      expect((await get(sim, 'reservations', fresh)).status).toBe(403);
      expect(sim.stats().forbidden).toBe(5);
      expect(sim.stats().byAccount[String(A)].forbidden).toBe(2);
    });

    it('expires tokens after tokenTtlMs', async () => {
      await sim.stop();
      sim = await start({ tokenTtlMs: 5000, tokenWarmupMs: 0 });
      const res = await tokenRequest(sim, {
        grant_type: 'client_credentials',
        client_id: String(A),
        client_secret: SECRET_A,
      });
      const { access_token, expires_in } = (await res.json()) as { access_token: string; expires_in: number };
      expect(expires_in).toBe(5);
      expect((await get(sim, 'listings', access_token)).status).toBe(200);
      clock.advance(4999);
      expect((await get(sim, 'listings', access_token)).status).toBe(200);
      clock.advance(1);
      expect((await get(sim, 'listings', access_token)).status).toBe(403);
    });

    it('enforces the default 1 s warm-up on the real clock', async () => {
      await sim.stop();
      sim = await startHostawaySimulator({ accounts: [{ accountId: A, clientSecret: SECRET_A }] });
      const token = await mint(sim, A, SECRET_A);
      expect((await get(sim, 'listings', token)).status).toBe(403);
      await new Promise((resolve) => setTimeout(resolve, 1050));
      expect((await get(sim, 'listings', token)).status).toBe(200);
    });
  });

  describe('pagination', () => {
    it('pages reservations by limit/offset in updatedOn DESC, id DESC order', async () => {
      const token = await ready();
      const expected = sim.reservations(A);
      expect(expected).toHaveLength(12);
      for (let i = 1; i < expected.length; i++) {
        const [prev, cur] = [expected[i - 1], expected[i]];
        expect(prev.updatedOn > cur.updatedOn || (prev.updatedOn === cur.updatedOn && prev.id > cur.id)).toBe(
          true,
        );
      }
      const pages = [];
      for (const offset of [0, 5, 10]) {
        const body = await getJson<Envelope<HostawayReservation>>(
          sim,
          `reservations?limit=5&offset=${offset}`,
          token,
        );
        expect(body).toMatchObject({ status: 'success', count: 12, limit: 5, offset });
        expect(body).not.toHaveProperty('page');
        pages.push(...body.result);
      }
      expect(pages.map((r) => r.id)).toEqual(expected.map((r) => r.id));
      expect(pages).toEqual(expected);
    });

    it('ignores `page` (always the offset page, as upstream)', async () => {
      const token = await ready();
      const first = await getJson(sim, 'reservations?limit=5', token);
      const page2 = await getJson(sim, 'reservations?limit=5&page=2', token);
      const bogus = await getJson(sim, 'reservations?limit=5&page=abc', token);
      expect(page2).toEqual(first);
      expect(bogus).toEqual(first);
      const viaOffset = await getJson(sim, 'reservations?limit=5&offset=5&page=1', token);
      expect(viaOffset.offset).toBe(5);
      expect(viaOffset.result).not.toEqual(first.result);
    });

    it('adds page and totalPages to conversations and messages', async () => {
      const token = await ready();
      const conversations = await getJson(sim, 'conversations?limit=5&offset=5', token);
      expect(conversations).toMatchObject({ count: 12, limit: 5, offset: 5, page: 2, totalPages: 3 });
      expect(conversations.result).toHaveLength(5);
      const unaligned = await getJson(sim, 'conversations?limit=5&offset=7', token);
      expect(unaligned).toMatchObject({ page: 2, totalPages: 3 });
      expect(unaligned.result.map((c) => c.id)).toEqual(
        sim
          .conversations(A)
          .slice(7, 12)
          .map((c) => c.id),
      );

      const conversationId = sim.conversations(A)[0].id as number;
      const messages = await getJson<Envelope<HostawayMessage>>(
        sim,
        `conversations/${conversationId}/messages?limit=2`,
        token,
      );
      expect(messages).toMatchObject({ count: 3, limit: 2, offset: 0, page: 1, totalPages: 2 });
    });

    it('uses limit 100 by default and returns an empty page past the end', async () => {
      const token = await ready();
      const all = await getJson(sim, 'reservations', token);
      expect(all).toMatchObject({ count: 12, limit: 100, offset: 0 });
      expect(all.result).toHaveLength(12);
      const past = await getJson(sim, 'conversations?limit=5&offset=40', token);
      expect(past).toMatchObject({ result: [], count: 12, page: 9, totalPages: 3 });
      expect((await getJson(sim, 'listings?limit=500', token)).result).toHaveLength(3);
    });

    it('rejects bad limit/offset with 400 fail', async () => {
      const token = await ready();
      for (const query of [
        'limit=abc',
        'limit=-1',
        'limit=1.5',
        'limit=0',
        'limit=501',
        'offset=-3',
        'offset=x',
        'limit=1e2',
      ]) {
        const res = await get(sim, `reservations?${query}`, token);
        expect([query, res.status]).toEqual([query, 400]);
        expect(await res.json()).toEqual({ status: 'fail', message: expect.any(String) });
      }
    });

    it('honours maxPageSize', async () => {
      await sim.stop();
      sim = await start({ maxPageSize: 10 });
      const token = await ready();
      expect((await get(sim, 'listings?limit=10', token)).status).toBe(200);
      expect((await get(sim, 'listings?limit=11', token)).status).toBe(400);
    });
  });

  describe('resources', () => {
    it('serves the reference shapes: no accountId on listings/reservations, ints for booleans', async () => {
      const token = await ready();
      const [listing] = (await getJson(sim, 'listings?limit=1', token)).result;
      expect(listing).toMatchObject({
        id: A * 1000 + 1,
        name: expect.any(String),
        internalListingName: expect.any(String),
        city: expect.any(String),
        countryCode: expect.stringMatching(/^[A-Z]{2}$/),
        personCapacity: expect.any(Number),
        currencyCode: expect.stringMatching(/^[A-Z]{3}$/),
        timeZoneName: expect.any(String),
        wifiPassword: expect.any(String),
        doorSecurityCode: expect.any(String),
        instantBookable: expect.any(Number),
        latestActivityOn: expect.stringMatching(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/),
        insertedOn: expect.stringMatching(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/),
      });
      expect([0, 1]).toContain(listing.instantBookable);
      expect(listing).not.toHaveProperty('accountId');
      expect(listing).not.toHaveProperty('updatedOn');

      const [reservation] = (await getJson<Envelope<HostawayReservation>>(sim, 'reservations?limit=1', token))
        .result;
      expect(reservation.hostawayReservationId).toBe(String(reservation.id));
      expect(typeof reservation.reservationId).toBe('string');
      expect(reservation).not.toHaveProperty('accountId');
      expect(reservation.customFieldValues).toEqual([]);
      const withResources = await getJson<{ result: HostawayReservation }>(
        sim,
        `reservations/${reservation.id}?includeResources=1`,
        token,
      );
      expect(withResources.result.customFieldValues).toHaveLength(1);

      const [conversation] = (await getJson(sim, 'conversations?limit=1', token)).result;
      expect(conversation).toMatchObject({
        accountId: A,
        listingMapId: A * 1000 + 1,
        reservationId: A * 1_000_000 + 1,
        type: expect.stringMatching(/^host-guest-(email|native)$/),
      });
      expect(conversation.conversationMessages).toHaveLength(1);
      expect((conversation.Reservation as HostawayReservation).id).toBe(A * 1_000_000 + 1);
    });

    it('filters messages: only sent unless includeScheduledMessages=1; newest first', async () => {
      const token = await ready();
      // every 4th conversation (k % 4 === 3) has a scheduled message
      const conversationId = sim.conversations(A)[3].id as number;
      const sent = await getJson<Envelope<HostawayMessage>>(
        sim,
        `conversations/${conversationId}/messages`,
        token,
      );
      expect(sent.count).toBe(3);
      expect(sent.result.every((m) => m.status === 'sent')).toBe(true);
      const all = await getJson<Envelope<HostawayMessage>>(
        sim,
        `conversations/${conversationId}/messages?includeScheduledMessages=1`,
        token,
      );
      expect(all.count).toBe(4);
      expect(all.result.filter((m) => m.status === 'awaiting')).toHaveLength(1);
      const dates = all.result.map((m) => m.date);
      expect(dates).toEqual([...dates].sort().reverse());
      for (const m of all.result) {
        expect(m).toMatchObject({ accountId: A, conversationId, isIncoming: expect.any(Number) });
        expect(m.id).toBeGreaterThan(2 ** 32);
      }
      expect(sim.dataset(A)).toEqual({
        listings: 3,
        reservations: 12,
        conversations: 12,
        messages: 36,
        scheduledMessages: 3,
      });
    });

    it("404s another account's conversation and unknown routes", async () => {
      const token = await ready();
      const otherConversation = sim.conversations(B)[0].id as number;
      expect((await get(sim, `conversations/${otherConversation}/messages`, token)).status).toBe(404);
      expect((await get(sim, 'nope', token)).status).toBe(404);
      expect((await get(sim, `reservations/${sim.reservations(B)[0].id}`, token)).status).toBe(404);
    });

    it('keeps ids unique across accounts and kinds', () => {
      const ids = (accountId: number) => [
        ...sim.listings(accountId).map((l) => `l${l.id}`),
        ...sim.reservations(accountId).map((r) => `r${r.id}`),
        ...sim
          .conversations(accountId)
          .flatMap((c) => [
            `c${c.id}`,
            ...sim.messages(accountId, c.id as number, { includeScheduled: true }).map((m) => `m${m.id}`),
          ]),
      ];
      const all = [...ids(A), ...ids(B)];
      expect(new Set(all).size).toBe(all.length);
      const numeric = all.map((id) => id.slice(1));
      expect(new Set(numeric).size).toBe(numeric.length);
      expect(sim.dataset(B)).toMatchObject({ listings: 2, reservations: 10, messages: 40 });
    });

    it('generates the same data for the same (accountId, now)', async () => {
      const other = await start();
      try {
        expect(other.listings(A)).toEqual(sim.listings(A));
        expect(other.reservations(A)).toEqual(sim.reservations(A));
        expect(other.conversations(B)).toEqual(sim.conversations(B));
      } finally {
        await other.stop();
      }
      const statuses = sim.reservations(A).map((r) => r.status);
      expect(statuses.filter((s) => s === 'new' || s === 'modified').length).toBeGreaterThan(
        statuses.length / 2,
      );
    });
  });

  describe('latestActivity filters', () => {
    it('filters listings and reservations by latestActivityOn, inclusive', async () => {
      const token = await ready();
      const byActivity = sim
        .reservations(A)
        .sort((a, b) => a.latestActivityOn.localeCompare(b.latestActivityOn));
      const startAt = byActivity[4].latestActivityOn;
      const endAt = byActivity[9].latestActivityOn;
      const expected = sim
        .reservations(A)
        .filter((r) => r.latestActivityOn >= startAt && r.latestActivityOn <= endAt)
        .map((r) => r.id);
      const q = `latestActivityStart=${encodeURIComponent(startAt)}&latestActivityEnd=${encodeURIComponent(endAt)}`;
      const body = await getJson<Envelope<HostawayReservation>>(sim, `reservations?${q}`, token);
      expect(body.result.map((r) => r.id)).toEqual(expected);
      expect(body.count).toBe(expected.length);
      expect(expected.length).toBeGreaterThanOrEqual(6);

      const listings = sim.listings(A);
      const pivot = listings.map((l) => l.latestActivityOn).sort()[1];
      const newer = await getJson(sim, `listings?latestActivityStart=${encodeURIComponent(pivot)}`, token);
      expect(newer.result.map((l) => l.id)).toEqual(
        listings.filter((l) => l.latestActivityOn >= pivot).map((l) => l.id),
      );
      // a bare date as the end means the whole day
      const day = pivot.slice(0, 10);
      const upTo = await getJson(sim, `listings?latestActivityEnd=${day}`, token);
      expect(upTo.result.map((l) => l.id)).toEqual(
        listings.filter((l) => l.latestActivityOn.slice(0, 10) <= day).map((l) => l.id),
      );
      for (const bad of ['latestActivityStart=yesterday', 'latestActivityEnd=2025-13-01%2000:00:00']) {
        expect((await get(sim, `reservations?${bad}`, token)).status).toBe(400);
      }
    });
  });

  describe('mutators', () => {
    it('updateReservation stamps now and moves the row to the top', async () => {
      const token = await ready();
      const target = sim.reservations(A)[7];
      now = new Date('2025-07-11T08:00:00Z');
      const updated = sim.updateReservation(A, target.id, { guestName: 'New Name', numberOfGuests: 5 });
      expect(updated).toMatchObject({
        id: target.id,
        guestName: 'New Name',
        numberOfGuests: 5,
        updatedOn: '2025-07-11 08:00:00',
        latestActivityOn: '2025-07-11 08:00:00',
      });
      expect(sim.reservation(A, target.id)).toEqual(updated);
      const first = await getJson<Envelope<HostawayReservation>>(sim, 'reservations?limit=1', token);
      expect(first.result[0]).toEqual(updated);
      const recent = await getJson(sim, 'reservations?latestActivityStart=2025-07-11%2000:00:00', token);
      expect(recent.result.map((r) => r.id)).toEqual([target.id]);
      expect(sim.reservation(A, 1)).toBeUndefined();
      expect(() => sim.reservation(424242, target.id)).toThrow(/not configured/);
      expect(() => sim.updateReservation(B, target.id, {})).toThrow(/no reservation/);
    });

    it('cancelReservation sets status, cancellationDate and cancelledBy', () => {
      const target = sim.reservations(A)[0];
      now = new Date('2025-07-12T09:30:00Z');
      const cancelled = sim.cancelReservation(A, target.id, 'host');
      expect(cancelled).toMatchObject({
        status: 'cancelled',
        cancellationDate: '2025-07-12 09:30:00',
        cancelledBy: 'host',
        updatedOn: '2025-07-12 09:30:00',
      });
      expect(sim.cancelReservation(A, sim.reservations(A)[5].id).cancelledBy).toBe('guest');
      expect(sim.dataset(A).reservations).toBe(12);
    });

    it('addMessage appends a newest message and updates the preview and counts', async () => {
      const token = await ready();
      const conversation = sim.conversations(A)[2];
      const conversationId = conversation.id as number;
      now = new Date('2025-07-13T10:00:00Z');
      const message = sim.addMessage(A, conversationId, 'Can we check out late?');
      expect(message).toMatchObject({
        accountId: A,
        conversationId,
        reservationId: conversation.reservationId,
        listingMapId: conversation.listingMapId,
        body: 'Can we check out late?',
        isIncoming: 1,
        status: 'sent',
        date: '2025-07-13 10:00:00',
        sentToChannelDate: null,
      });
      const thread = await getJson<Envelope<HostawayMessage>>(
        sim,
        `conversations/${conversationId}/messages`,
        token,
      );
      expect(thread.count).toBe(4);
      expect(thread.result[0]).toEqual(message);
      const [view] = (await getJson(sim, `conversations?reservationId=${conversation.reservationId}`, token))
        .result;
      expect(view.id).toBe(conversationId);
      expect(view.conversationMessages).toEqual([message]);
      expect(view.messageReceivedOn).toBe('2025-07-13 10:00:00');
      expect(sim.reservation(A, conversation.reservationId as number)?.latestActivityOn).toBe(
        '2025-07-13 10:00:00',
      );
      expect(sim.dataset(A).messages).toBe(37);
      // 4 messages at page size 3 → one more page
      expect(sim.expectedRequestsForFullSync(A, 3)).toBe(1 + 4 + 4 + 12 + 1);

      const reply = sim.addMessage(A, conversationId, 'Sure, until 1 pm.', { isIncoming: 0 });
      expect(reply.sentToChannelDate).toBe('2025-07-13 10:00:00');
      expect(reply.id).toBeGreaterThan(message.id);
    });
  });

  describe('expectedRequestsForFullSync', () => {
    it.each([1, 2, 3, 4, 5, 12, 100])(
      'equals what a straightforward client makes at page size %i',
      async (size) => {
        const token = await ready();
        sim.resetStats();
        const result = await fullSync(sim, token, size);
        expect(result.listings).toHaveLength(3);
        expect(result.reservations).toHaveLength(12);
        expect(result.conversations).toHaveLength(12);
        expect(result.messages).toHaveLength(36);
        const stats = sim.stats();
        const kinds = stats.byAccount[String(A)].byKind;
        const gets = kinds.listings + kinds.reservations + kinds.conversations + kinds.messages;
        expect(gets).toBe(result.requests);
        expect(stats.requests).toBe(result.requests);
        expect(sim.expectedRequestsForFullSync(A, size)).toBe(result.requests);
      },
    );

    it('matches the closed form', () => {
      // ceil(L/P) + ceil(LR/P) + ceil(LR/P) + LR·max(1, ceil(M/P))
      expect(sim.expectedRequestsForFullSync(A, 100)).toBe(1 + 1 + 1 + 12);
      expect(sim.expectedRequestsForFullSync(A, 2)).toBe(2 + 6 + 6 + 12 * 2);
      expect(sim.expectedRequestsForFullSync(B, 3)).toBe(1 + 4 + 4 + 10 * 2);
      // 3 of 12 conversations hold a scheduled message: 4 at page size 2 is still 2 pages, at 3 it is 2
      expect(sim.expectedRequestsForFullSync(A, 3, { includeScheduledMessages: true })).toBe(
        1 + 4 + 4 + 9 + 3 * 2,
      );
      expect(() => sim.expectedRequestsForFullSync(A, 0)).toThrow(RangeError);
    });

    it('counts one page for empty lists', async () => {
      await sim.stop();
      sim = await start({ accounts: [{ accountId: A, clientSecret: SECRET_A, listings: 0 }] });
      const token = await ready();
      const result = await fullSync(sim, token, 10);
      expect(result.requests).toBe(3);
      expect(sim.expectedRequestsForFullSync(A, 10)).toBe(3);
      await sim.stop();
      sim = await start({ accounts: [{ accountId: A, clientSecret: SECRET_A, messagesPerConversation: 0 }] });
      const token2 = await ready();
      expect((await fullSync(sim, token2, 10)).requests).toBe(1 + 2 + 2 + 12);
      expect(sim.expectedRequestsForFullSync(A, 10)).toBe(17);
    });
  });

  describe('rate limits', () => {
    it('limits per account in a sliding window with Retry-After', async () => {
      await sim.stop();
      sim = await start({ rateLimits: { perIp: false, perAccount: { limit: 5, windowMs: 200 } } });
      const tokenA = await ready(A, SECRET_A);
      const tokenB = await ready(B, SECRET_B);
      for (const step of [0, 50, 50, 50, 40]) {
        clock.advance(step); // t = 0, 50, 100, 150, 190
        expect((await get(sim, 'listings', tokenA)).status).toBe(200);
      }
      clock.advance(9); // 199: window full
      const limited = await get(sim, 'listings', tokenA);
      expect(limited.status).toBe(429);
      expect(limited.headers.get('retry-after')).toBe('1');
      expect(await limited.json()).toEqual({
        status: 'fail',
        message: expect.stringContaining('per account'),
      });
      expect((await get(sim, 'listings', tokenB)).status).toBe(200);
      clock.advance(1); // 200: the arrival at 0 left
      expect((await get(sim, 'listings', tokenA)).status).toBe(200);
      expect((await get(sim, 'listings', tokenA)).status).toBe(429);
      clock.advance(50); // 250: the arrival at 50 left
      expect((await get(sim, 'listings', tokenA)).status).toBe(200);

      const stats = sim.stats();
      expect(stats.rateLimited).toBe(2);
      expect(stats.byAccount[String(A)].rateLimited).toBe(2);
      expect(stats.byAccount[String(B)].rateLimited).toBe(0);
      expect(stats.byStatus).toEqual({ '200': 10, '429': 2 }); // 2 mints + 8 GETs
    });

    it('computes Retry-After in whole seconds until a slot frees', async () => {
      await sim.stop();
      sim = await start({ rateLimits: { perIp: false, perAccount: { limit: 2, windowMs: 10_000 } } });
      const token = await ready();
      await get(sim, 'listings', token);
      clock.advance(1500);
      await get(sim, 'listings', token);
      clock.advance(500);
      const res = await get(sim, 'listings', token);
      expect(res.status).toBe(429);
      expect(res.headers.get('retry-after')).toBe('8');
    });

    it('limits per IP over every request, tokens and 403s included', async () => {
      await sim.stop();
      sim = await start({
        rateLimits: { perIp: { limit: 5, windowMs: 200 }, perAccount: false },
        trustForwardedFor: true,
        tokenWarmupMs: 0,
      });
      const tokenA = await mint(sim, A, SECRET_A); // 1
      expect((await get(sim, 'listings')).status).toBe(403); // 2
      expect((await get(sim, 'listings', tokenA)).status).toBe(200); // 3
      expect((await get(sim, 'listings', tokenA)).status).toBe(200); // 4
      expect((await get(sim, 'reservations', tokenA)).status).toBe(200); // 5
      const limited = await tokenRequest(sim, {
        grant_type: 'client_credentials',
        client_id: String(B),
        client_secret: SECRET_B,
      });
      expect(limited.status).toBe(429);
      expect(await limited.json()).toEqual({ status: 'fail', message: expect.stringContaining('per IP') });
      expect(limited.headers.get('retry-after')).toBe('1');
      // another IP has its own window
      expect(
        (await get(sim, 'listings', tokenA, { headers: { 'x-forwarded-for': '10.0.0.2' } })).status,
      ).toBe(200);
      clock.advance(200);
      expect((await get(sim, 'listings', tokenA)).status).toBe(200);
      expect(sim.stats().rateLimited).toBe(1);
    });

    it('defaults to 15 per IP and 20 per account per 10 s', async () => {
      await sim.stop();
      sim = await start({ rateLimits: undefined, trustForwardedFor: true });
      const token = await ready();
      const statuses: number[] = [];
      for (let i = 0; i < 15; i++) statuses.push((await get(sim, 'listings', token)).status);
      // the mint was the 1st request of this IP: 14 pass, the 15th GET is the 16th request
      expect(statuses.filter((s) => s === 200)).toHaveLength(14);
      expect(statuses[14]).toBe(429);
      // from many IPs the account limit (20 admitted) applies; 14 are already in the window
      const more: number[] = [];
      for (let i = 0; i < 8; i++) {
        more.push(
          (await get(sim, 'listings', token, { headers: { 'x-forwarded-for': `10.0.1.${i}` } })).status,
        );
      }
      expect(more).toEqual([200, 200, 200, 200, 200, 200, 429, 429]);
      clock.advance(10_000);
      expect((await get(sim, 'listings', token)).status).toBe(200);
    });

    it('can be disabled', async () => {
      const token = await ready();
      const statuses = await Promise.all(Array.from({ length: 40 }, () => get(sim, 'listings', token)));
      expect(statuses.every((r) => r.status === 200)).toBe(true);
      expect(sim.stats().rateLimited).toBe(0);
    });
  });

  describe('concurrency', () => {
    it('tracks peak in-flight requests overall and per account, latency included', async () => {
      await sim.stop();
      sim = await start({ latencyMs: 150 });
      const tokenA = await ready(A, SECRET_A);
      const tokenB = await ready(B, SECRET_B);
      sim.resetStats();
      await Promise.all([
        ...Array.from({ length: 7 }, () => get(sim, 'reservations?limit=1', tokenA).then((r) => r.text())),
        ...Array.from({ length: 3 }, () => get(sim, 'listings', tokenB).then((r) => r.text())),
      ]);
      let stats = sim.stats();
      expect(stats.peakConcurrency).toBe(10);
      expect(stats.byAccount[String(A)].peakConcurrency).toBe(7);
      expect(stats.byAccount[String(B)].peakConcurrency).toBe(3);
      expect(stats.requests).toBe(10);

      sim.resetStats();
      for (let i = 0; i < 3; i++) await (await get(sim, 'listings', tokenA)).text();
      stats = sim.stats();
      expect(stats.peakConcurrency).toBe(1);
      expect(stats.byAccount[String(A)].peakConcurrency).toBe(1);
      expect(stats.byAccount[String(B)]).toMatchObject({ requests: 0, peakConcurrency: 0 });
    });
  });

  describe('faults', () => {
    it('failNext fails the next matching requests, then recovers', async () => {
      await sim.stop();
      sim = await start({ faults: { failNext: [{ path: 'reservations', status: 503, times: 2 }] } });
      const token = await ready();
      expect((await get(sim, 'listings', token)).status).toBe(200);
      const failed = await get(sim, 'reservations', token);
      expect(failed.status).toBe(503);
      expect(await failed.json()).toEqual({ status: 'fail', message: 'Simulated 503' });
      expect((await get(sim, 'reservations', token)).status).toBe(503);
      expect((await get(sim, 'reservations', token)).status).toBe(200);

      sim.addFaults({ failNext: [{ path: /\/messages$/, status: 500 }] });
      const conversationId = sim.conversations(A)[0].id;
      expect((await get(sim, `conversations/${conversationId}/messages`, token)).status).toBe(500);
      expect((await get(sim, `conversations/${conversationId}/messages`, token)).status).toBe(200);
      expect(sim.stats().faults).toEqual({ failed: 3, hung: 0 });
    });

    it('faults only requests that pass auth', async () => {
      sim.addFaults({ failNext: [{ path: '/v1/listings', status: 502 }] });
      expect((await get(sim, 'listings')).status).toBe(403);
      const token = await ready();
      expect((await get(sim, 'listings', token)).status).toBe(502);
    });

    it('hangNext holds a request (client timeout) or delays it with hangMs', async () => {
      const token = await ready();
      sim.addFaults({ hangNext: [{ path: 'listings' }, { path: 'reservations', hangMs: 50 }] });
      await expect(get(sim, 'listings', token, { signal: AbortSignal.timeout(200) })).rejects.toThrow();
      expect((await get(sim, 'listings', token)).status).toBe(200);
      const started = Date.now();
      expect((await get(sim, 'reservations', token)).status).toBe(200);
      expect(Date.now() - started).toBeGreaterThanOrEqual(45);
      expect(sim.stats().faults.hung).toBe(2);
    });

    it('stop() ends held requests; in-flight accounting sees them', async () => {
      const token = await ready();
      sim.addFaults({ hangNext: [{ path: 'conversations' }] });
      const held = get(sim, 'conversations', token).then(
        () => 'answered',
        () => 'dropped',
      );
      while (sim.stats().faults.hung === 0) await new Promise((resolve) => setTimeout(resolve, 5));
      expect(sim.stats()).toMatchObject({ inFlight: 1, peakConcurrency: 1 });
      await sim.stop();
      expect(await held).toBe('dropped');
      expect(sim.stats().inFlight).toBe(0);
    });
  });
});
