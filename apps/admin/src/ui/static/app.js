// staysync dashboard: plain ES module, no build. The API key lives in sessionStorage (this tab only)
// and travels in the X-API-Key header, never in a URL. Every value is put in the page as text.
import uPlot from '/ui/vendor/uplot/uPlot.esm.js';

const KEY = 'staysync.apiKey';
const POLL_MS = 2000;
const $ = (id) => document.getElementById(id);
let stopPolling = () => {};
/** charts by name, for the browser tests to compare plotted points with the API */
window.staysyncCharts = {};

class Unauthorized extends Error {}

async function api(path, options = {}) {
  const res = await fetch(path, {
    ...options,
    headers: {
      'X-API-Key': sessionStorage.getItem(KEY) ?? '',
      ...(options.body ? { 'Content-Type': 'application/json' } : {}),
    },
  });
  if (res.status === 401) throw new Unauthorized();
  const body = res.status === 204 ? null : await res.json();
  if (!res.ok) throw new Error(body?.detail ?? `HTTP ${res.status}`);
  return body;
}

/** Follows next_cursor until the end (pages of 500). */
async function all(path) {
  const items = [];
  let cursor = null;
  do {
    const page = await api(
      `${path}${path.includes('?') ? '&' : '?'}limit=500${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
    );
    items.push(...page.items);
    cursor = page.next_cursor;
  } while (cursor);
  return items;
}

function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (name.startsWith('on')) el.addEventListener(name.slice(2), value);
    else if (value !== undefined && value !== null && value !== false)
      el.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children.flat())
    el.append(child instanceof Node ? child : document.createTextNode(child ?? ''));
  return el;
}

const table = (headers, rows, attrs = {}) =>
  h(
    'table',
    attrs,
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        headers.map((x) => h('th', {}, x)),
      ),
    ),
    h('tbody', {}, rows),
  );
const when = (iso) => (iso ? new Date(iso).toISOString().replace('T', ' ').slice(0, 19) : '—');
const status = (s) => h('span', { class: `status-${s}` }, s);

function showLogin(message = '') {
  stopPolling();
  sessionStorage.removeItem(KEY);
  $('nav').hidden = true;
  $('view').replaceChildren();
  $('login').hidden = false;
  $('login-error').textContent = message;
}

async function signIn(event) {
  event.preventDefault();
  sessionStorage.setItem(KEY, $('api-key').value);
  $('api-key').value = '';
  try {
    await api('/api/v1/jobs?limit=1');
    $('login').hidden = true;
    $('nav').hidden = false;
    if (!location.hash) location.hash = '#/accounts';
    else route();
  } catch (error) {
    showLogin(error instanceof Unauthorized ? 'That API key was not accepted.' : error.message);
  }
}

/** Runs `tick` now and every POLL_MS until the view changes. */
function poll(tick) {
  let timer;
  let stopped = false;
  const run = async () => {
    try {
      await tick();
    } catch (error) {
      if (error instanceof Unauthorized) return showLogin('Your API key is no longer accepted.');
    }
    if (!stopped) timer = setTimeout(run, POLL_MS);
  };
  stopPolling = () => {
    stopped = true;
    clearTimeout(timer);
  };
  return run();
}

// ---------- accounts ----------
async function accountsView(view) {
  const [airbnb, hostaway, schedule] = await Promise.all([
    all('/api/v1/airbnb/accounts'),
    all('/api/v1/hostaway/accounts'),
    api('/api/v1/schedule'),
  ]);
  const row = (source, a) =>
    h(
      'tr',
      { 'data-account': `${source}:${a.account_id}` },
      h('td', {}, source),
      h('td', {}, String(a.account_id)),
      h('td', {}, a.is_active ? status(a.status) : status('inactive')),
      h('td', {}, a.status_reason ?? ''),
      h('td', {}, when(a.last_sync_at)),
      h('td', {}, a.is_active ? when(schedule.next_run_at) : '—'),
      h(
        'td',
        {},
        h(
          'button',
          {
            type: 'button',
            onclick: () =>
              act(`/api/v1/${source}/accounts/${a.account_id}/sync`, { method: 'POST', body: '{}' }),
          },
          'Sync now',
        ),
        ' ',
        a.is_active
          ? h(
              'button',
              {
                type: 'button',
                onclick: () =>
                  act(`/api/v1/${source}/accounts/${a.account_id}`, {
                    method: 'PATCH',
                    body: JSON.stringify({ is_active: false }),
                  }),
              },
              'Deactivate',
            )
          : '',
      ),
    );
  const message = h('p', { id: 'account-message', role: 'status' });
  const act = async (path, options) => {
    try {
      const result = await api(path, options);
      message.textContent = result?.job_id
        ? `Job ${result.job_id} ${result.created ? 'queued' : 'already running'}.`
        : 'Done.';
      if (!result?.job_id) route();
    } catch (error) {
      message.textContent = error instanceof Unauthorized ? '' : error.message;
      if (error instanceof Unauthorized) showLogin();
    }
  };
  view.replaceChildren(
    h('h1', {}, 'Accounts'),
    h('p', {}, `Scheduled syncs: ${schedule.enabled ? `${schedule.cron} (UTC)` : 'off'}`),
    message,
    table(
      ['Source', 'Account', 'Status', 'Reason', 'Last sync', 'Next sync', ''],
      [...airbnb.map((a) => row('airbnb', a)), ...hostaway.map((a) => row('hostaway', a))],
      { id: 'accounts' },
    ),
  );
}

// ---------- jobs ----------
async function jobsView(view) {
  const body = h('tbody');
  view.replaceChildren(
    h('h1', {}, 'Jobs'),
    h(
      'table',
      { id: 'jobs' },
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          [
            'Job',
            'Source',
            'Account',
            'Mode',
            'Status',
            'Planned',
            'Fetched',
            'Loaded',
            'Failed',
            'Dead-lettered',
            'Duration',
          ].map((x) => h('th', {}, x)),
        ),
      ),
      body,
    ),
  );
  await poll(async () => {
    const { items } = await api('/api/v1/jobs?limit=50');
    body.replaceChildren(
      ...items.map((j) =>
        h(
          'tr',
          { 'data-job': j.id, 'data-status': j.status },
          h('td', {}, h('a', { href: `#/jobs/${j.id}` }, j.id.slice(0, 8))),
          h('td', {}, j.source),
          h('td', {}, j.account_id),
          h('td', {}, j.mode),
          h('td', {}, status(j.status)),
          ...['planned', 'fetched', 'loaded', 'failed', 'dead_lettered'].map((c) =>
            h('td', {}, String(j.counts[c] ?? 0)),
          ),
          h('td', {}, duration(j)),
        ),
      ),
    );
  });
}

const duration = (j) =>
  j.started_at
    ? `${Math.round(((j.finished_at ? Date.parse(j.finished_at) : Date.now()) - Date.parse(j.started_at)) / 1000)} s`
    : '—';

async function jobView(view, id) {
  const head = h('div');
  const progress = h('tbody');
  const errors = h('tbody');
  const dead = h('tbody');
  view.replaceChildren(
    h('h1', {}, `Job ${id}`),
    head,
    h('h2', {}, 'Progress per listing / resource'),
    h(
      'table',
      { id: 'job-progress' },
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          ['Resource', 'Planned', 'Fetched', 'Loaded', 'Failed', 'Progress', 'Error'].map((x) =>
            h('th', {}, x),
          ),
        ),
      ),
      progress,
    ),
    h('h2', {}, 'Errors'),
    h(
      'table',
      {},
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          ['At', 'Resource', 'Message'].map((x) => h('th', {}, x)),
        ),
      ),
      errors,
    ),
    h('h2', {}, 'Dead-lettered responses'),
    h(
      'table',
      { id: 'dead-letters' },
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          ['Request', 'Stage', 'Reason', 'Parser', 'At'].map((x) => h('th', {}, x)),
        ),
      ),
      dead,
    ),
  );
  await poll(async () => {
    const [job, letters] = await Promise.all([
      api(`/api/v1/jobs/${id}`),
      api(`/api/v1/jobs/${id}/dead-letters?limit=500`),
    ]);
    head.replaceChildren(
      h(
        'p',
        { id: 'job-status', 'data-status': job.status },
        'Status: ',
        status(job.status),
        ` · ${job.source} ${job.account_id} · ${job.mode} · started ${when(job.started_at)} · finished ${when(job.finished_at)} · ${duration(job)}`,
      ),
      job.error ? h('p', { class: 'error' }, job.error) : '',
      ...(job.notes ?? []).map((note) =>
        h('p', { class: note.startsWith('warning:') ? 'warning job-note' : 'job-note' }, note),
      ),
    );
    progress.replaceChildren(
      ...Object.entries(job.progress ?? {}).map(([resource, p]) =>
        h(
          'tr',
          {},
          h('td', {}, resource),
          ...['planned', 'fetched', 'loaded', 'failed'].map((c) => h('td', {}, String(p[c] ?? 0))),
          h('td', {}, h('progress', { max: p.planned || 1, value: p.loaded ?? p.fetched ?? 0 })),
          h('td', { class: 'error' }, p.error ?? ''),
        ),
      ),
    );
    errors.replaceChildren(
      ...(job.errors ?? []).map((e) =>
        h('tr', {}, h('td', {}, when(e.at)), h('td', {}, e.resourceId ?? ''), h('td', {}, e.message)),
      ),
    );
    dead.replaceChildren(
      ...letters.items.map((d) =>
        h(
          'tr',
          {},
          h('td', {}, d.request_key),
          h('td', {}, d.stage),
          h('td', {}, d.reason),
          h('td', {}, String(d.parser_version ?? '')),
          h('td', {}, when(d.created_at)),
        ),
      ),
    );
    if (['succeeded', 'failed', 'cancelled'].includes(job.status)) stopPolling();
  });
}

// ---------- replays ----------
async function replaysView(view) {
  const today = new Date().toISOString().slice(0, 10);
  const form = h(
    'form',
    { id: 'replay-form', class: 'inline' },
    h(
      'label',
      {},
      'Source ',
      h('select', { name: 'source' }, h('option', {}, 'airbnb'), h('option', {}, 'hostaway')),
    ),
    h(
      'label',
      {},
      'Origin ',
      h('select', { name: 'origin' }, h('option', {}, 'store'), h('option', {}, 'topic')),
    ),
    h('label', {}, 'From ', h('input', { name: 'from', type: 'date', value: '2020-01-01', required: true })),
    h('label', {}, 'To ', h('input', { name: 'to', type: 'date', value: today, required: true })),
    h('label', {}, 'Account ', h('input', { name: 'account_id', pattern: '[0-9]+', size: 12 })),
    h('button', { type: 'submit' }, 'Dry run'),
  );
  const result = h('section', { id: 'replay-result' });
  const request = () => {
    const f = new FormData(form);
    return {
      source: f.get('source'),
      origin: f.get('origin'),
      from: `${f.get('from')}T00:00:00Z`,
      to: `${f.get('to')}T23:59:59Z`,
      ...(f.get('account_id') ? { account_id: f.get('account_id') } : {}),
    };
  };
  const start = async (dryRun) => {
    stopPolling();
    try {
      const replay = await api('/api/v1/replays', {
        method: 'POST',
        body: JSON.stringify({ ...request(), dry_run: dryRun }),
      });
      await poll(async () => {
        const r = await api(`/api/v1/replays/${replay.id}`);
        result.replaceChildren(...replayReport(r, () => start(false)));
        if (r.status !== 'running' && r.status !== 'queued') stopPolling();
      });
    } catch (error) {
      if (error instanceof Unauthorized) return showLogin();
      result.replaceChildren(h('p', { class: 'error' }, error.message));
    }
  };
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void start(true);
  });
  view.replaceChildren(
    h('h1', {}, 'Replays'),
    h('p', {}, 'A dry run reports what a replay would change, writing nothing; then run it.'),
    form,
    result,
  );
}

function replayReport(r, run) {
  // report.rows: per table, rows the replay adds / changes / leaves unchanged; the rest (samples of diffs) below
  const tables = r.report?.rows ?? {};
  const counts = Object.entries(tables).map(([name, t]) =>
    h(
      'tr',
      {},
      h('td', {}, name),
      ...['added', 'changed', 'unchanged'].map((c) => h('td', {}, String(t[c] ?? ''))),
    ),
  );
  return [
    h(
      'p',
      { id: 'replay-status', 'data-status': r.status, 'data-dry-run': String(r.dry_run) },
      `${r.dry_run ? 'Dry run' : 'Replay'} ${r.id}: `,
      status(r.status),
      ` · ${r.processed}${r.total != null ? ` / ${r.total}` : ''} responses`,
    ),
    r.error ? h('p', { class: 'error' }, r.error) : '',
    counts.length ? table(['Table', 'Added', 'Changed', 'Unchanged'], counts, { id: 'replay-report' }) : '',
    h(
      'details',
      { open: true },
      h('summary', {}, 'Report (with sample diffs)'),
      h('pre', { id: 'replay-report-json' }, JSON.stringify(r.report, null, 2)),
    ),
    r.dry_run && r.status === 'succeeded'
      ? h('button', { type: 'button', id: 'replay-run', onclick: run }, 'Run this replay')
      : '',
  ];
}

// ---------- listing ----------
async function listingView(view, params) {
  const listings = await all('/api/v1/airbnb/listings');
  const chosen =
    params.get('listing') ??
    (listings[0] ? `${listings[0].account_id}:${listings[0].airbnb_listing_id}` : '');
  const form = h(
    'form',
    { id: 'listing-form', class: 'inline' },
    h(
      'label',
      {},
      'Listing ',
      h(
        'select',
        { name: 'listing' },
        listings.map((l) =>
          h(
            'option',
            {
              value: `${l.account_id}:${l.airbnb_listing_id}`,
              selected: `${l.account_id}:${l.airbnb_listing_id}` === chosen,
            },
            `${l.listing_name ?? l.airbnb_internal_name ?? l.airbnb_listing_id} (${l.account_id})`,
          ),
        ),
      ),
    ),
    h('label', {}, 'From ', h('input', { name: 'from', type: 'date', value: params.get('from') ?? '' })),
    h('label', {}, 'To ', h('input', { name: 'to', type: 'date', value: params.get('to') ?? '' })),
    h('label', {}, 'As of ', h('input', { name: 'as_of', type: 'date', value: params.get('as_of') ?? '' })),
    h(
      'label',
      {},
      'Compare with as of ',
      h('input', { name: 'compare', type: 'date', value: params.get('compare') ?? '' }),
    ),
    h('button', { type: 'submit' }, 'Show'),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const f = new URLSearchParams([...new FormData(form)].filter(([, v]) => v));
    location.hash = `#/listing?${f}`;
  });
  view.replaceChildren(h('h1', {}, 'Listing'), form);
  if (!chosen) return view.append(h('p', {}, 'No listings yet.'));
  const [account, listing] = chosen.split(':');
  const filter = new URLSearchParams({ account_id: account, listing_id: listing });
  for (const name of ['from', 'to']) if (params.get(name)) filter.set(name, params.get(name));
  const series = async (asOf) =>
    all(`/api/v1/airbnb/metrics/chart_query?${filter}${asOf ? `&as_of=${asOf}` : ''}`);
  const [rows, compared, windows] = await Promise.all([
    series(params.get('as_of')),
    params.get('compare') ? series(params.get('compare')) : null,
    all(`/api/v1/airbnb/metrics/list_of_metrics?${filter}`),
  ]);
  const pageViews = h('div', { class: 'chart', id: 'chart-page-views' });
  const conversion = h('div', { class: 'chart', id: 'chart-conversion' });
  view.append(
    h('h2', {}, 'Page views: yours vs similar listings'),
    pageViews,
    h('h2', {}, 'Conversion rate: yours vs similar listings'),
    conversion,
  );
  drawChart('pageViews', pageViews, rows, compared, 'p3_impressions', params.get('compare'));
  drawChart('conversion', conversion, rows, compared, 'conversion_rate', params.get('compare'));
  view.append(
    h('h2', {}, 'List of metrics (windows)'),
    table(
      [
        'Window',
        'Scraped',
        'Conversion rate',
        'Search conversion',
        'Listing conversion',
        'First-page rate',
        'Page views',
        'Search impressions',
      ],
      windows.map((w) =>
        h(
          'tr',
          {},
          h('td', {}, `${w.window_start} – ${w.window_end}`),
          h('td', {}, w.time),
          ...[
            'conversion_rate',
            'search_conversion_rate',
            'listing_conversion_rate',
            'p2_impressions_first_page_rate',
            'p3_impressions',
            'p2_impressions',
          ].map((m) => h('td', {}, w[`${m}_value_string`] ?? (w[`${m}_value`] ?? '—').toString())),
        ),
      ),
      { id: 'list-of-metrics' },
    ),
  );
}

const day = (iso) => Date.parse(`${iso}T00:00:00Z`) / 1000;

/** One x axis (metric days of both snapshots); yours, similar, and the compared snapshot's yours. */
function drawChart(name, el, rows, compared, metric, compareDate) {
  const byDay = (list) => new Map((list ?? []).map((r) => [r.metric_date, r]));
  const a = byDay(rows);
  const b = byDay(compared);
  const days = [...new Set([...a.keys(), ...b.keys()])].sort();
  const value = (map, d, column) => map.get(d)?.[column] ?? null;
  const data = [
    days.map(day),
    days.map((d) => value(a, d, `${metric}_your_value`)),
    days.map((d) => value(a, d, `${metric}_similar_value`)),
  ];
  const seriesOpts = [
    {},
    { label: 'yours', stroke: '#1d3557', width: 2 },
    { label: 'similar', stroke: '#e76f51', width: 2 },
  ];
  if (compared) {
    data.push(days.map((d) => value(b, d, `${metric}_your_value`)));
    seriesOpts.push({ label: `yours as of ${compareDate}`, stroke: '#2a9d8f', width: 2, dash: [6, 4] });
  }
  window.staysyncCharts[name]?.destroy();
  window.staysyncCharts[name] = new uPlot(
    { width: 900, height: 260, series: seriesOpts, axes: [{}, { size: 60 }], scales: { x: { time: true } } },
    data,
    el,
  );
}

// ---------- routing ----------
async function route() {
  stopPolling();
  if (!sessionStorage.getItem(KEY)) return showLogin();
  const [path, query] = location.hash.slice(1).split('?');
  const params = new URLSearchParams(query ?? '');
  for (const a of document.querySelectorAll('#nav a'))
    a.classList.toggle('active', path.startsWith(a.getAttribute('href').slice(1)));
  const view = $('view');
  view.replaceChildren(h('p', {}, 'Loading…'));
  try {
    if (path.startsWith('/jobs/')) await jobView(view, path.slice(6));
    else if (path === '/jobs') await jobsView(view);
    else if (path === '/replays') await replaysView(view);
    else if (path === '/listing') await listingView(view, params);
    else await accountsView(view);
  } catch (error) {
    if (error instanceof Unauthorized) return showLogin('Your API key is no longer accepted.');
    view.replaceChildren(h('p', { class: 'error' }, error.message));
  }
}

$('login').addEventListener('submit', signIn);
$('logout').addEventListener('click', () => showLogin());
window.addEventListener('hashchange', route);
if (sessionStorage.getItem(KEY)) {
  $('login').hidden = true;
  $('nav').hidden = false;
  void route();
} else showLogin();
