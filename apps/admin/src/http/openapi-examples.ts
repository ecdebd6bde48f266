/** Example bodies of the admin API's OpenAPI document, by operation (`METHOD /path`). Shapes follow the views. */
import { accountSources } from '../accounts/accounts.service';

const AT = '2026-11-22T05:00:00.000Z';
const JOB_ID = '0b6f1a52-3f0e-4c47-9d4e-2f1f7f3b9a10';
const REPLAY_ID = '5d3c2b1a-7e6f-4a5b-8c9d-0e1f2a3b4c5d';

const job = {
  id: JOB_ID,
  source: 'airbnb',
  account_id: '6001',
  mode: 'incremental',
  trigger: 'manual',
  status: 'succeeded',
  scrape_date: '2026-11-22',
  counts: {
    planned: 5,
    fetched: 5,
    loaded: 5,
    failed: 0,
    dead_lettered: 0,
    data_responses: 4,
    data_rows: 58,
  },
  progress: { '745515258634591476': { planned: 4, fetched: 4, failed: 0, loaded: 4 } },
  errors: [],
  notes: [],
  error: null,
  created_at: AT,
  started_at: AT,
  fetch_completed_at: AT,
  finished_at: AT,
};

const replay = {
  id: REPLAY_ID,
  source: 'airbnb',
  origin: 'store',
  from: '2026-11-01T00:00:00.000Z',
  to: '2026-11-22T23:59:59.000Z',
  account_id: '6001',
  dry_run: true,
  status: 'succeeded',
  total: 12,
  processed: 12,
  report: { 'airbnb.chart_query': { added: 0, changed: 2, unchanged: 54 } },
  error: null,
  created_at: AT,
  started_at: AT,
  finished_at: AT,
};

const chartRow = {
  account_id: '6001',
  time: '2026-11-22',
  airbnb_listing_id: '745515258634591476',
  airbnb_internal_name: '211 N Wilbur',
  metric_date: '2026-11-20',
  conversion_rate_your_value: 0.021,
  conversion_rate_your_value_string: '2.1%',
  conversion_rate_similar_value: 0.018,
  conversion_rate_similar_value_string: '1.8%',
  p3_impressions_your_value: 134,
  p3_impressions_your_value_string: '134',
  p3_impressions_similar_value: 121,
  p3_impressions_similar_value_string: '121',
  extra: null,
};

const page = (item: unknown) => ({
  items: [item],
  next_cursor: 'WyI2MDAxIiwiNzQ1NTE1MjU4NjM0NTkxNDc2IiwiMjAyNi0xMS0yMCJd',
});
const jobAccepted = {
  job_id: JOB_ID,
  created: true,
  job: { ...job, status: 'queued', started_at: null, fetch_completed_at: null, finished_at: null },
};

/** Each source's account routes, from the examples its account hook declares. */
function accountExamples(): { response: Record<string, unknown>; request: Record<string, unknown> } {
  const response: Record<string, unknown> = {};
  const request: Record<string, unknown> = {};
  for (const { name, accounts } of accountSources()) {
    const { account, upsert } = accounts.examples;
    const path = `/api/v1/${name}/accounts`;
    const accountId = String((account as { account_id: unknown }).account_id);
    Object.assign(response, {
      [`POST ${path}`]: account,
      [`GET ${path}`]: { items: [account], next_cursor: null },
      [`GET ${path}/{id}`]: account,
      [`PATCH ${path}/{id}`]: account,
      [`POST ${path}/{id}/sync`]: {
        ...jobAccepted,
        job: { ...jobAccepted.job, source: name, account_id: accountId },
      },
    });
    for (const action of accounts.actions ?? [])
      response[`POST ${path}/{id}/${action.path}`] = action.example;
    Object.assign(request, {
      [`POST ${path}`]: upsert,
      [`PATCH ${path}/{id}`]: { is_active: false },
      [`POST ${path}/{id}/sync`]: { mode: 'incremental' },
    });
  }
  return { response, request };
}

const ACCOUNTS = accountExamples();

export const RESPONSE_EXAMPLES: Record<string, unknown> = {
  ...ACCOUNTS.response,
  'POST /api/v1/hostaway/webhooks': { status: 'accepted' },
  'GET /api/v1/jobs': { items: [job] },
  'GET /api/v1/jobs/{id}': job,
  'POST /api/v1/replays': { ...replay, status: 'running', processed: 0, report: {}, finished_at: null },
  'GET /api/v1/replays': { items: [replay] },
  'GET /api/v1/replays/{id}': replay,
  'GET /api/v1/airbnb/metrics/{table}': page(chartRow),
  'GET /api/v1/airbnb/listings': page({
    account_id: '6001',
    airbnb_listing_id: '745515258634591476',
    airbnb_internal_name: '211 N Wilbur',
    listing_name: '211 N Wilbur',
    thumbnail_url: null,
    last_seen_date: '2026-11-22',
    created_at: AT,
    updated_at: AT,
  }),
  'GET /api/v1/hostaway/listings': page({
    id: 100201,
    account_id: 10001,
    name: 'Loft',
    city: 'Lisbon',
    country_code: 'PT',
    currency_code: 'EUR',
    time_zone: 'Europe/Lisbon',
    latest_activity_on: AT,
    raw_payload: { id: 100201, name: 'Loft', wifiPassword: '***' },
    observed_at: AT,
    created_at: AT,
    updated_at: AT,
  }),
  'GET /api/v1/hostaway/reservations': page({
    id: 5000001,
    account_id: 10001,
    listing_id: 100201,
    channel_id: 2018,
    channel_name: 'airbnbOfficial',
    status: 'new',
    arrival_date: '2026-12-01',
    departure_date: '2026-12-04',
    cancelled_at: null,
    upstream_updated_at: AT,
    raw_payload: { id: 5000001, doorCode: '***' },
    observed_at: AT,
    created_at: AT,
    updated_at: AT,
  }),
  'GET /api/v1/jobs/{id}/dead-letters': page({
    job_id: JOB_ID,
    request_key: '6001:ChartQuery:745515258634591476:p3_impressions:2026-11-01',
    stage: 'parse',
    reason: 'ParseError: unknown chart shape',
    parser_version: 1,
    created_at: AT,
  }),
  'GET /api/v1/schedule': { cron: '0 5 * * *', enabled: true, next_run_at: '2026-11-23T05:00:00.000Z' },
  'GET /api/v1/hostaway/messages': page({
    id: 900000002,
    account_id: 10001,
    conversation_id: 7000001,
    reservation_id: 5000001,
    listing_id: 100201,
    sent_at: AT,
    is_incoming: true,
    status: 'sent',
    raw_payload: { id: 900000002, body: 'Thanks!' },
    observed_at: AT,
    created_at: AT,
    updated_at: AT,
  }),
};

export const REQUEST_EXAMPLES: Record<string, unknown> = {
  ...ACCOUNTS.request,
  'POST /api/v1/hostaway/webhooks': {
    object: 'reservation',
    event: 'reservation.updated',
    accountId: 10001,
    payload: { data: { id: 5000001, listingMapId: 100201, status: 'new' } },
  },
  'POST /api/v1/replays': {
    source: 'airbnb',
    origin: 'store',
    from: '2026-11-01T00:00:00Z',
    to: '2026-11-22T23:59:59Z',
    account_id: '6001',
    dry_run: true,
  },
};
