import { HostawayStatsRecorder } from './stats';

describe('HostawayStatsRecorder', () => {
  it('counts requests in flight from arrival to landing, overall and per attributed account', () => {
    const recorder = new HostawayStatsRecorder([1, 2], false);
    const a = recorder.arrive();
    const b = recorder.arrive();
    a.attribute(1, 'listings');
    a.attribute(2, 'listings'); // only the first attribution counts
    b.attribute(1, 'reservations');
    expect(recorder.snapshot()).toMatchObject({ requests: 2, inFlight: 2, peakConcurrency: 2 });
    expect(recorder.snapshot().byAccount['1']).toMatchObject({
      requests: 2,
      byKind: { listings: 1, reservations: 1 },
      peakConcurrency: 2,
    });
    expect(recorder.snapshot().byAccount['2'].requests).toBe(0);
    a.land();
    a.land(); // landing twice changes nothing
    const c = recorder.arrive();
    c.attribute(1, 'messages');
    expect(recorder.snapshot()).toMatchObject({ inFlight: 2, peakConcurrency: 2 });
    recorder.landAll();
    expect(recorder.snapshot().inFlight).toBe(0);
  });

  it('reset zeroes the counters; peaks restart from the requests still in flight', () => {
    const recorder = new HostawayStatsRecorder([1], false);
    const held = recorder.arrive();
    held.attribute(1, 'listings');
    recorder.arrive().land();
    recorder.replied(200);
    recorder.forbidden(1);
    recorder.rateLimited(undefined);
    recorder.tokenIssued(1);
    recorder.faultFired('hung');
    recorder.webhook(1, 'create');
    expect(recorder.snapshot()).toMatchObject({
      requests: 2,
      byStatus: { '200': 1 },
      forbidden: 1,
      rateLimited: 1,
      tokensIssued: 1,
      faults: { failed: 0, hung: 1 },
      webhooks: { create: 1 },
    });
    expect(recorder.snapshot().byAccount['1']).toMatchObject({
      forbidden: 1,
      rateLimited: 0,
      tokensIssued: 1,
      webhooks: { create: 1 },
    });
    recorder.reset();
    const stats = recorder.snapshot();
    expect(stats).toMatchObject({ requests: 0, byStatus: {}, inFlight: 1, peakConcurrency: 1 });
    expect(stats.byAccount['1']).toMatchObject({ requests: 0, peakConcurrency: 1, forbidden: 0 });
  });

  it('keeps the requests received only when asked to; reset forgets them', () => {
    const request = {
      method: 'GET',
      path: '/v1/listings',
      query: { limit: '2' },
      headers: {},
      body: '',
      receivedAt: 5,
    };
    const off = new HostawayStatsRecorder([1], false);
    off.received(request);
    expect(off.requests()).toEqual([]);
    const on = new HostawayStatsRecorder([1], true);
    on.received(request);
    const [copy] = on.requests();
    expect(copy).toEqual(request);
    copy.query.limit = '9';
    expect(on.requests()[0].query.limit).toBe('2');
    on.reset();
    expect(on.requests()).toEqual([]);
  });

  it('snapshots are copies', () => {
    const recorder = new HostawayStatsRecorder([1], false);
    const snapshot = recorder.snapshot();
    snapshot.requests = 99;
    expect(recorder.snapshot().requests).toBe(0);
  });
});
