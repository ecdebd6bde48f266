import { addDays } from '@staysync/core';
import { makeAirbnbCookie } from './cookie';
import { AIRBNB_PERSISTED_QUERIES } from './protocol';
import type { chartResponse, listingsResponse, listOfMetricsResponse } from './responses';
import { type AirbnbSimulator, startAirbnbSimulator } from './server';
import {
  chartArgs,
  fixture,
  type Json,
  listingsArgs,
  lomArgs,
  post,
  requestBody,
  shapeOf,
  sorted,
} from './spec-helpers';

type ChartBody = ReturnType<typeof chartResponse>;
type LomBody = ReturnType<typeof listOfMetricsResponse>;
type ListingsBody = ReturnType<typeof listingsResponse>;

const HOST = '123456789';
const OTHER_HOST = '987654321';
const EMPTY_HOST = '555';
const SCRAPE_DAY = '2025-07-16'; // reference §3 example (a Wednesday)

const AUTH_ERROR = {
  errors: [
    {
      message: 'Please login to continue.',
      extensions: {
        errorType: 'authentication_required',
        errorClass: 'ServiceApiAuthenticationError',
        response: { statusCode: 401 },
      },
    },
  ],
  data: { porygon: { getPerformanceComponents: null } },
};

describe('Airbnb simulator', () => {
  let sim: AirbnbSimulator;
  let today = SCRAPE_DAY;
  const cookie = makeAirbnbCookie(HOST);
  let listingId: string;

  beforeAll(async () => {
    sim = await startAirbnbSimulator({
      accounts: [
        { accountId: HOST, listingCount: 7 },
        { accountId: OTHER_HOST, listingCount: 2, cookie: makeAirbnbCookie(OTHER_HOST) },
        { accountId: EMPTY_HOST, listingCount: 0 },
      ],
      today: () => today,
    });
    listingId = sim.listingsFor(HOST)[1].id;
  });
  afterAll(() => sim.close());
  beforeEach(() => {
    today = SCRAPE_DAY;
    sim.reset();
  });

  const chart = async (start: number, end: number, group = 'p3_impressions', id = listingId) => {
    const res = await post(sim, 'ChartQuery', requestBody('ChartQuery', chartArgs(id, start, end, group)), {
      cookie,
    });
    expect(res.status).toBe(200);
    return (await res.json()) as ChartBody;
  };
  const lom = async (start: number, end: number, group = 'conversion_rate') => {
    const res = await post(
      sim,
      'ListOfMetricsQuery',
      requestBody('ListOfMetricsQuery', lomArgs(listingId, start, end, group)),
      {
        cookie,
      },
    );
    expect(res.status).toBe(200);
    return (await res.json()) as LomBody;
  };
  const componentOf = <T>(body: { data: { porygon: { getPerformanceComponents: { components: T[] } } } }) =>
    body.data.porygon.getPerformanceComponents.components[0];

  describe('response shape matches the captured fixtures', () => {
    it('ChartQuery p3_impressions', async () => {
      const body = await chart(-175, -148);
      expect(sorted(shapeOf(body as unknown as Json))).toEqual(
        sorted(shapeOf(fixture('ChartQuery_CONVERSION_p3_impressions'))),
      );
    });

    it('ChartQuery conversion_rate: same shape with double wrappers', async () => {
      const wrappersAlike = (shape: Set<string>) =>
        sorted(
          new Set(
            [...shape].map((line) =>
              line
                .replace(/porygon(Long|Double)Wrapper/g, 'Wrapper')
                .replace(/(longValue|doubleValue)(: \w+)?/g, 'value'),
            ),
          ),
        );
      const body = await chart(-175, -148, 'conversion_rate');
      expect(wrappersAlike(shapeOf(body as unknown as Json))).toEqual(
        wrappersAlike(shapeOf(fixture('ChartQuery_CONVERSION_p3_impressions'))),
      );
    });

    it('ListOfMetricsQuery conversion_rate', async () => {
      const body = await lom(-175, -169);
      expect(sorted(shapeOf(body as unknown as Json))).toEqual(
        sorted(shapeOf(fixture('ListOfMetricsQuery_CONVERSION_conversion_rate'))),
      );
    });

    it('ListingsSectionQuery', async () => {
      const res = await post(
        sim,
        'ListingsSectionQuery',
        requestBody('ListingsSectionQuery', listingsArgs()),
        { cookie },
      );
      const body = (await res.json()) as ListingsBody;
      expect(sorted(shapeOf(body as unknown as Json))).toEqual(
        sorted(shapeOf(fixture('ListingsSectionQuery'))),
      );
    });
  });

  describe('ListingsSectionQuery', () => {
    it('lists listingCount rows with 18-digit string ids, matching listingsFor()', async () => {
      const res = await post(
        sim,
        'ListingsSectionQuery',
        requestBody('ListingsSectionQuery', listingsArgs()),
        { cookie },
      );
      const section = componentOf((await res.json()) as ListingsBody);
      expect(section.totalCount).toBe(7);
      expect(section.resultsCount).toBe(7);
      expect(section.tableRows.map(({ id, internalName }) => ({ id, internalName }))).toEqual(
        sim.listingsFor(HOST),
      );
      for (const row of section.tableRows) {
        expect(row.id).toMatch(/^[1-9]\d{17}$/);
        expect(row.thumbnailUrl).toContain(`Hosting-${row.id}/`);
      }
      expect(new Set(section.tableRows.map((r) => r.id)).size).toBe(7);
      expect(new Set(section.tableRows.map((r) => r.internalName)).size).toBe(7);
      expect(section.tableRows[0].metricUnit.valueString).toBe('-');
      expect(section.tableRows[1].metricUnit.valueString).toMatch(/^\d+\.\d%$/);
    });

    it('derives listings from the account id alone', async () => {
      const again = await startAirbnbSimulator({ accounts: [{ accountId: HOST, listingCount: 9 }] });
      try {
        expect(again.listingsFor(HOST).slice(0, 7)).toEqual(sim.listingsFor(HOST));
        expect(sim.listingsFor(OTHER_HOST)[0].id).not.toBe(sim.listingsFor(HOST)[0].id);
      } finally {
        await again.close();
      }
    });

    it('answers an empty table for a host without listings', async () => {
      const res = await post(
        sim,
        'ListingsSectionQuery',
        requestBody('ListingsSectionQuery', listingsArgs()),
        {
          cookie: makeAirbnbCookie(EMPTY_HOST),
        },
      );
      const section = componentOf((await res.json()) as ListingsBody);
      expect(section).toMatchObject({ tableRows: [], totalCount: 0, resultsCount: 0 });
    });

    it('throws for an account that was not configured', () => {
      expect(() => sim.listingsFor('42')).toThrow(/not configured/);
    });
  });

  describe('ChartQuery', () => {
    it('has one point per day of the window, dated scrapeDay + relativeDs − 3', async () => {
      // reference §3: scrape day 2025-07-16, window #1 (−175, −148) = 2025-01-19 … 2025-02-15
      const section = componentOf(await chart(-175, -148));
      const [your, similar] = section.metricLineCharts;
      expect(your.label.toLowerCase()).toContain('your');
      expect(similar.label).toBe('Similar listings');
      for (const line of [your, similar]) {
        expect(line.dataPoints).toHaveLength(28);
        expect(line.dataPoints[0].ds).toBe('2025-01-19');
        expect(line.dataPoints[27].ds).toBe('2025-02-15');
        expect(line.dataPoints.map((p) => p.ds)).toEqual(
          Array.from({ length: 28 }, (_, i) => addDays('2025-01-19', i)),
        );
      }
    });

    it('accepts the last window of the reference example (161, 181) and the 21-day truncation', async () => {
      const section = componentOf(await chart(161, 181));
      expect(section.metricLineCharts[0].dataPoints).toHaveLength(21);
      expect(section.metricLineCharts[0].dataPoints[20].ds).toBe('2026-01-10');
    });

    it('p3_impressions: integer strings; primary = Σ your points, valueChange = your − similar', async () => {
      const section = componentOf(await chart(-175, -148));
      const sum = (i: number) =>
        section.metricLineCharts[i].dataPoints.reduce((total, p) => {
          expect(p.value.__typename).toBe('porygonLongWrapper');
          const longValue = 'longValue' in p.value ? p.value.longValue : '';
          expect(longValue).toMatch(/^\d+$/);
          expect(p.valueString).toBe(longValue);
          return total + Number(longValue);
        }, 0);
      const your = sum(0);
      const similar = sum(1);
      expect(your).toBeGreaterThan(0);
      const primary = section.primaryMetric;
      expect(primary).toMatchObject({
        metricName: 'p3_impressions',
        label: 'Total page views',
        valueType: 'NUMBER',
        value: { __typename: 'porygonLongWrapper', longValue: String(your) },
        valueString: String(your),
        valueChange: { __typename: 'porygonDoubleWrapper', doubleValue: your - similar },
        valueChangeString: String(your - similar),
      });
      expect(section.secondaryMetrics).toEqual([
        expect.objectContaining({ metricName: 'p2_impressions', valueChange: null, valueChangeString: null }),
      ]);
      expect(section.description).toContain(String(Math.abs(your - similar)));
    });

    it('conversion_rate: fractions with "0.11%"-style strings; valueChange = your − similar', async () => {
      const section = componentOf(await chart(-175, -148, 'conversion_rate'));
      for (const line of section.metricLineCharts) {
        for (const p of line.dataPoints) {
          expect(p.valueType).toBe('PERCENTAGE');
          const fraction = 'doubleValue' in p.value ? p.value.doubleValue : NaN;
          expect(fraction).toBeGreaterThanOrEqual(0);
          expect(fraction).toBeLessThan(1);
          expect(p.valueString).toMatch(/^\d+\.\d{1,2}%$/);
        }
      }
      const { primaryMetric } = section;
      expect(primaryMetric.metricName).toBe('conversion_rate');
      expect(primaryMetric.valueType).toBe('PERCENTAGE');
      expect(primaryMetric.value.__typename).toBe('porygonDoubleWrapper');
      expect(primaryMetric.valueChange?.__typename).toBe('porygonDoubleWrapper');
    });

    it('primary and secondary equal the LoM totals of the same window', async () => {
      const section = componentOf(await chart(10, 16));
      const metrics = componentOf(await lom(10, 16, 'p3_impressions')).metrics;
      expect(metrics.map((m) => [m.metricName, m.label, m.valueType])).toEqual([
        ['p3_impressions', 'Total page views', 'NUMBER'],
        ['p2_impressions', 'Total first-page search impressions', 'NUMBER'],
      ]);
      expect(metrics[0].value).toEqual(section.primaryMetric.value);
      expect(metrics[1].value).toEqual(section.secondaryMetrics[0].value);
    });
  });

  describe('ListOfMetricsQuery conversion_rate', () => {
    it('returns the four PERCENTAGE metrics, consistent with each other', async () => {
      const metrics = componentOf(await lom(-7, -1)).metrics;
      expect(metrics.map((m) => [m.metricName, m.label])).toEqual([
        ['conversion_rate', 'Overall conversion rate'],
        ['p2_impressions_first_page_rate', 'First-page search impression rate'],
        ['search_conversion_rate', 'Search-to-listing conversion'],
        ['listing_conversion_rate', 'Listing-to-booking conversion'],
      ]);
      const value = (i: number) => {
        const wrapper = metrics[i].value;
        return 'doubleValue' in wrapper ? wrapper.doubleValue : NaN;
      };
      for (let i = 0; i < 4; i++) {
        expect(metrics[i]).toMatchObject({
          valueType: 'PERCENTAGE',
          valueChange: null,
          valueChangeString: null,
        });
        expect(value(i)).toBeGreaterThanOrEqual(0);
        expect(value(i)).toBeLessThanOrEqual(1);
        const percent = value(i) * 100;
        expect(metrics[i].valueString).toBe(`${percent.toFixed(percent >= 10 ? 1 : 2)}%`);
      }
      // overall = search-to-listing × listing-to-booking
      expect(value(0)).toBeCloseTo(value(2) * value(3), 12);
    });
  });

  describe('determinism', () => {
    it('answers the same request with a byte-identical body', async () => {
      const send = () =>
        post(sim, 'ChartQuery', requestBody('ChartQuery', chartArgs(listingId, -20, 7)), { cookie }).then(
          (r) => r.text(),
        );
      expect(await send()).toBe(await send());
    });

    it('gives a date the same values whatever the scrape day and window', async () => {
      const before = componentOf(await chart(-175, -148)).metricLineCharts;
      today = addDays(SCRAPE_DAY, 1);
      const after = componentOf(await chart(-176, -149)).metricLineCharts;
      expect(after).toEqual(before);
      today = SCRAPE_DAY;
      const shifted = componentOf(await chart(-170, -160)).metricLineCharts[0].dataPoints;
      expect(shifted).toEqual(before[0].dataPoints.slice(5, 16));
    });

    it('varies between listings and accounts', async () => {
      const a = componentOf(await chart(-27, 0)).primaryMetric;
      const b = componentOf(await chart(-27, 0, 'p3_impressions', sim.listingsFor(HOST)[2].id)).primaryMetric;
      expect(a.value).not.toEqual(b.value);
    });
  });

  describe('rejections (HTTP 400, GraphQL error body)', () => {
    type Case = [string, () => Promise<Response>, RegExp];
    const chartBody = (args: Record<string, unknown> = {}) =>
      requestBody('ChartQuery', { ...chartArgs(listingId, -27, 0), ...args });
    const cases: Case[] = [
      [
        'a hash of another operation',
        () =>
          post(sim, 'ChartQuery', chartBody(), {
            cookie,
            hash: AIRBNB_PERSISTED_QUERIES.ListOfMetricsQuery.sha256Hash,
          }),
        /PersistedQueryNotFound/,
      ],
      [
        'an unknown operation',
        () =>
          fetch(`${sim.url}/api/v3/CalendarQuery/${'0'.repeat(64)}`, {
            method: 'POST',
            headers: { cookie },
            body: '{}',
          }),
        /unknown operation/,
      ],
      [
        'a body that is not JSON',
        () =>
          fetch(`${sim.url}/api/v3/ChartQuery/${AIRBNB_PERSISTED_QUERIES.ChartQuery.sha256Hash}`, {
            method: 'POST',
            headers: { cookie },
            body: 'nope',
          }),
        /not valid JSON/,
      ],
      [
        'operationName mismatch',
        () => post(sim, 'ChartQuery', { ...chartBody(), operationName: 'ListOfMetricsQuery' }, { cookie }),
        /operationName/,
      ],
      [
        'missing extensions.persistedQuery',
        () => post(sim, 'ChartQuery', { ...chartBody(), extensions: {} }, { cookie }),
        /persistedQuery/,
      ],
      [
        'a wrong clientName',
        () =>
          post(
            sim,
            'ChartQuery',
            {
              ...chartBody(),
              variables: {
                request: { ...chartBody().variables.request, clientName: 'web-performance-dash-metrics' },
              },
            },
            { cookie },
          ),
        /clientName/,
      ],
      [
        'a missing clientName',
        () =>
          post(
            sim,
            'ChartQuery',
            { ...chartBody(), variables: { request: { arguments: chartArgs(listingId, 0, 1) } } },
            { cookie },
          ),
        /clientName/,
      ],
      [
        'a missing metricType',
        () => post(sim, 'ChartQuery', chartBody({ metricType: undefined }), { cookie }),
        /metricType/,
      ],
      [
        'two groupByValues',
        () =>
          post(sim, 'ChartQuery', chartBody({ groupByValues: ['p3_impressions', 'conversion_rate'] }), {
            cookie,
          }),
        /groupByValues/,
      ],
      [
        'an unknown groupByValues',
        () => post(sim, 'ChartQuery', chartBody({ groupByValues: ['occupancy_rate'] }), { cookie }),
        /groupByValues/,
      ],
      [
        'two listing ids',
        () =>
          post(sim, 'ChartQuery', chartBody({ filters: { listingIds: [listingId, listingId] } }), { cookie }),
        /listingIds/,
      ],
      ['no listing ids', () => post(sim, 'ChartQuery', chartBody({ filters: {} }), { cookie }), /listingIds/],
      [
        'relativeDsStart > relativeDsEnd',
        () => post(sim, 'ChartQuery', chartBody({ relativeDsStart: 5, relativeDsEnd: 4 }), { cookie }),
        /> relativeDsEnd/,
      ],
      [
        'relativeDsEnd beyond 182 + 3',
        () => post(sim, 'ChartQuery', chartBody({ relativeDsStart: 180, relativeDsEnd: 186 }), { cookie }),
        /forward limit/,
      ],
      [
        'a 29-day chart window',
        () => post(sim, 'ChartQuery', chartBody({ relativeDsStart: 0, relativeDsEnd: 28 }), { cookie }),
        /exceeds 28 days/,
      ],
      [
        'an 8-day LoM window',
        () =>
          post(sim, 'ListOfMetricsQuery', requestBody('ListOfMetricsQuery', lomArgs(listingId, 0, 7)), {
            cookie,
          }),
        /exceeds 7 days/,
      ],
      [
        'a listing of another account',
        () =>
          post(
            sim,
            'ChartQuery',
            chartBody({ filters: { listingIds: [sim.listingsFor(OTHER_HOST)[0].id] } }),
            { cookie },
          ),
        /not found/,
      ],
    ];

    it.each(cases)('rejects %s', async (_name, send, message) => {
      const res = await send();
      expect(res.status).toBe(400);
      expect(res.headers.get('content-type')).toBe('application/json');
      const body = (await res.json()) as { errors: Array<{ message: string }>; data: null };
      expect(body.data).toBeNull();
      expect(body.errors[0].message).toMatch(message);
      expect(sim.stats().rejected).toBe(1);
    });

    it('accepts the limits themselves: relativeDsEnd 185, 28-day chart, 7-day LoM', async () => {
      expect(componentOf(await chart(158, 185)).metricLineCharts[0].dataPoints.at(-1)?.ds).toBe(
        addDays(SCRAPE_DAY, 182),
      );
      await lom(179, 185);
      expect(sim.stats().rejected).toBe(0);
    });
  });

  describe('authentication', () => {
    const listings = (cookieHeader?: string) =>
      post(sim, 'ListingsSectionQuery', requestBody('ListingsSectionQuery', listingsArgs()), {
        cookie: cookieHeader,
      });

    it.each([
      ['no cookie', undefined],
      ['a cookie without _user_attributes', '_airbed_session_id=abc; _aat=0%7Cxyz'],
      ['an unknown account', makeAirbnbCookie('111222333')],
    ])('answers %s with the auth error body (HTTP 200)', async (_name, cookieHeader) => {
      const res = await listings(cookieHeader);
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual(AUTH_ERROR);
      expect(sim.stats().authFailures).toBe(1);
    });

    it('requires the configured cookies to match exactly, tolerating extra cookies', async () => {
      const configured = makeAirbnbCookie(OTHER_HOST);
      const withAkamai = await listings(`${configured}; ak_bmsc=ABC; bm_sz=DEF`);
      expect(componentOf((await withAkamai.json()) as ListingsBody).totalCount).toBe(2);
      const tampered = configured.replace(/_aat=[^;]+/, '_aat=0%7Cstolen');
      expect(await (await listings(tampered)).json()).toEqual(AUTH_ERROR);
    });

    it('fails authFailureAccounts until the faults change', async () => {
      sim.setFaults({ authFailureAccounts: [HOST] });
      try {
        expect(await (await listings(cookie)).json()).toEqual(AUTH_ERROR);
      } finally {
        sim.setFaults({});
      }
      expect(componentOf((await (await listings(cookie)).json()) as ListingsBody).totalCount).toBe(7);
    });
  });

  describe('preflight pages', () => {
    it('redirects a live session to /performance/ with fresh Akamai cookies', async () => {
      const res = await fetch(`${sim.url}/hosting/insights`, { headers: { cookie } });
      expect(res.status).toBe(200);
      expect(res.url).toContain('/performance/');
      expect(res.headers.getSetCookie().map((c) => c.split('=')[0])).toEqual(['ak_bmsc', 'bm_sv', 'bm_sz']);
    });

    it('sends a dead session to login', async () => {
      const res = await fetch(`${sim.url}/hosting/insights`, { headers: { cookie: makeAirbnbCookie('42') } });
      expect(res.url).toContain('/login');
    });

    it('stays on /hosting/insights for a host without listings', async () => {
      const res = await fetch(`${sim.url}/hosting/insights`, {
        headers: { cookie: makeAirbnbCookie(EMPTY_HOST) },
      });
      expect(res.url).toBe(`${sim.url}/hosting/insights`);
      expect(await res.text()).toContain("you don't have any listings yet");
    });
  });

  describe('stats', () => {
    it('counts requests by operation, status and account; reset() zeroes them', async () => {
      await chart(-27, 0);
      await lom(-6, 0);
      await post(sim, 'ListingsSectionQuery', requestBody('ListingsSectionQuery', listingsArgs()), {
        cookie,
      });
      await post(sim, 'ChartQuery', requestBody('ChartQuery', chartArgs(listingId, 0, 40)), { cookie });
      await post(sim, 'ChartQuery', requestBody('ChartQuery', chartArgs(listingId, 0, 1)), {
        cookie: makeAirbnbCookie('42'),
      });
      await fetch(`${sim.url}/nowhere`);

      expect(sim.stats()).toEqual({
        requests: 6,
        byOperation: { ChartQuery: 3, ListOfMetricsQuery: 1, ListingsSectionQuery: 1, '(unknown)': 1 },
        byStatus: { '200': 4, '400': 1, '404': 1 },
        rejected: 2,
        byAccount: { [HOST]: 4, '42': 1 },
        authFailures: 1,
        byFault: { rateLimit: 0, serverError: 0, timeout: 0, cookieRotation: 0, edgeBlock: 0, staleHash: 0 },
        windows: [
          {
            operation: 'ChartQuery',
            listingId: '875643462438083273',
            start: '2025-06-16',
            end: '2025-07-13',
            serverDay: '2025-07-16',
          },
          {
            operation: 'ListOfMetricsQuery',
            listingId: '875643462438083273',
            start: '2025-07-07',
            end: '2025-07-13',
            serverDay: '2025-07-16',
          },
        ],
      });
      sim.reset();
      expect(sim.stats()).toMatchObject({
        requests: 0,
        byOperation: {},
        byStatus: {},
        rejected: 0,
        byAccount: {},
      });
    });
  });
});

describe('Airbnb simulator options', () => {
  it('rejects non-numeric or duplicate account ids', async () => {
    await expect(
      startAirbnbSimulator({ accounts: [{ accountId: 'acct-1', listingCount: 1 }] }),
    ).rejects.toThrow(/digits only/);
    await expect(
      startAirbnbSimulator({
        accounts: [
          { accountId: '1', listingCount: 1 },
          { accountId: '1', listingCount: 2 },
        ],
      }),
    ).rejects.toThrow(/twice/);
  });

  it('adds latencyMs before replying and keeps connections alive', async () => {
    const sim = await startAirbnbSimulator({
      accounts: [{ accountId: HOST, listingCount: 1 }],
      latencyMs: 120,
    });
    try {
      const started = performance.now();
      const res = await post(
        sim,
        'ListingsSectionQuery',
        requestBody('ListingsSectionQuery', listingsArgs()),
        {
          cookie: makeAirbnbCookie(HOST),
        },
      );
      await res.arrayBuffer();
      expect(performance.now() - started).toBeGreaterThanOrEqual(115);
      expect(res.headers.get('connection')).not.toBe('close');
    } finally {
      await sim.close();
    }
  });
});
