import type { ClientBase } from 'pg';
import type { RawEnvelope, Row } from '@staysync/core';
import { copyRows } from '@staysync/db';

/** A parsed envelope bound for `<source>.raw_responses`, with the parser version that read it. */
export interface StoredEnvelope {
  envelope: RawEnvelope;
  parserVersion: number;
}

const ENVELOPE_VERSION = 1;

const STAGED_COLUMNS = ['request_key', 'fetched_at', 'account_id', 'job_id', 'operation', 'resource_id', 'scrape_date', 'window_start', 'window_end', 'http_status', 'variables', 'body', 'envelope_version', 'parser_version'];
/** variables and body travel as JSON text (a JSON null body stays JSON null; no body is SQL NULL) */
const STAGED_TYPES: ReadonlyMap<string, string> = new Map();

/**
 * Stores raw payloads: COPY into a session-local staging table, then one INSERT … SELECT into the
 * store. COPY is the cheap way in for megabytes of JSON (a parameter array of bodies costs several
 * times as much to build, escape and parse). A re-delivered response (same request_key and
 * fetched_at) only records which parser read it last and when.
 *
 * Returns, per job, how many request keys the job had not stored before (a response fetched again
 * under the same request key counts once), for the jobs' `loaded` counters.
 */
export async function storeRawResponses(client: ClientBase, source: string, stored: StoredEnvelope[]): Promise<Map<string, number>> {
  const unique = lastPerIdentity(stored);
  if (unique.length === 0) return new Map();
  const staging = `raw_responses_staging_${source}`;
  // ON COMMIT DELETE ROWS: empty at the start of every transaction, also after a rollback
  await client.query(`CREATE TEMP TABLE IF NOT EXISTS ${staging} (LIKE ${source}.raw_responses INCLUDING DEFAULTS) ON COMMIT DELETE ROWS`);
  await copyRows(client, `pg_temp.${staging}`, STAGED_COLUMNS, STAGED_TYPES, unique.map(rawRow));
  const columns = STAGED_COLUMNS.join(', ');
  const { rows } = await client.query<{ job_id: string; added: number }>(
    `WITH stored AS (
       INSERT INTO ${source}.raw_responses (${columns}, parsed_at)
       SELECT ${columns}, now() FROM pg_temp.${staging} ORDER BY request_key, fetched_at
       ON CONFLICT (request_key, fetched_at) DO UPDATE SET parser_version = EXCLUDED.parser_version, parsed_at = now()
       RETURNING job_id, request_key, fetched_at, (xmax = 0) AS inserted)
     SELECT s.job_id, count(DISTINCT s.request_key)::int AS added FROM stored s
      WHERE s.inserted AND s.job_id IS NOT NULL
        AND NOT EXISTS (SELECT 1 FROM ${source}.raw_responses r
                         WHERE r.request_key = s.request_key AND r.job_id = s.job_id AND r.fetched_at <> s.fetched_at)
      GROUP BY s.job_id`,
  );
  return new Map(rows.map((r) => [r.job_id, r.added]));
}

/** For responses already in the store (replay from the store): record the parser version only. */
export async function markRawResponsesParsed(client: ClientBase, source: string, stored: StoredEnvelope[]): Promise<void> {
  const unique = lastPerIdentity(stored);
  if (unique.length === 0) return;
  await client.query(
    `UPDATE ${source}.raw_responses r SET parser_version = u.parser_version, parsed_at = now()
       FROM unnest($1::text[], $2::timestamptz[], $3::int4[]) AS u(request_key, fetched_at, parser_version)
      WHERE r.request_key = u.request_key AND r.fetched_at = u.fetched_at`,
    [unique.map((s) => s.envelope.requestKey), unique.map((s) => s.envelope.fetchedAt), unique.map((s) => s.parserVersion)],
  );
}

function rawRow({ envelope: e, parserVersion }: StoredEnvelope): Row {
  return {
    request_key: e.requestKey,
    fetched_at: e.fetchedAt,
    account_id: e.accountId,
    job_id: e.jobId,
    operation: e.operation,
    resource_id: e.resourceId,
    scrape_date: e.scrapeDate,
    window_start: e.window?.start ?? null,
    window_end: e.window?.end ?? null,
    http_status: e.httpStatus,
    variables: JSON.stringify(e.variables ?? {}),
    body: e.body === undefined ? null : JSON.stringify(e.body),
    envelope_version: ENVELOPE_VERSION,
    parser_version: parserVersion,
  };
}

/** One statement may not touch a row twice, so a batch holding the same response twice keeps the last. */
function lastPerIdentity(stored: StoredEnvelope[]): StoredEnvelope[] {
  const byIdentity = new Map<string, StoredEnvelope>();
  for (const s of stored) byIdentity.set(`${s.envelope.requestKey}\u0000${Date.parse(s.envelope.fetchedAt)}`, s);
  // a fixed order: concurrent transactions lock the same rows in the same order (no deadlocks)
  return [...byIdentity.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, s]) => s);
}
