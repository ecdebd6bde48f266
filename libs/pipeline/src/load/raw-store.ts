import type { ClientBase } from 'pg';
import type { ColumnSpec, RawEnvelope, Row } from '@staysync/core';
import { copyRows, stagingTable } from '@staysync/db';
import { producerBodyText } from './producer-text';

/** A parsed envelope bound for `<source>.raw_responses`, with the parser version that read it. */
export interface StoredEnvelope {
  envelope: RawEnvelope;
  parserVersion: number;
}

/** A response no parser could read: stored without a parser version. */
interface UnparsedEnvelope {
  envelope: RawEnvelope;
  parserVersion: null;
}

const ENVELOPE_VERSION = 1;

/** The columns written from an envelope, with the types the redelivery path's staging table converts them to. */
const RAW_COLUMN_TYPES: readonly ColumnSpec[] = [
  { name: 'request_key', type: 'text' },
  { name: 'fetched_at', type: 'timestamptz' },
  { name: 'account_id', type: 'text' },
  { name: 'job_id', type: 'uuid' },
  { name: 'operation', type: 'text' },
  { name: 'resource_id', type: 'text' },
  { name: 'scrape_date', type: 'date' },
  { name: 'window_start', type: 'date' },
  { name: 'window_end', type: 'date' },
  { name: 'http_status', type: 'int4' },
  { name: 'variables', type: 'jsonb' },
  { name: 'body', type: 'jsonb' },
  { name: 'envelope_version', type: 'int4' },
  { name: 'parser_version', type: 'int4' },
];
const RAW_COLUMNS = RAW_COLUMN_TYPES.map((c) => c.name);
/** variables and body travel as JSON text (a JSON null body stays JSON null; no body is SQL NULL) */
const RAW_TYPES: ReadonlyMap<string, string> = new Map();

/**
 * Stores raw payloads by COPY, the cheap way in for megabytes of JSON (a parameter array of bodies costs
 * several times as much to build, escape and parse):
 *
 * - straight into the store, under a savepoint: the usual case, every response new;
 * - if a response is already there (a redelivery, a replay of the topic; looked up first, or a COPY
 *   failing on a concurrent insert, which rolls the savepoint back), through a session-local staging
 *   table and one INSERT … SELECT … ON CONFLICT DO NOTHING: a stored raw row is never rewritten (on
 *   TimescaleDB that would decompress its chunk); a parser version other than the stored one goes to
 *   the `<source>.response_parses` ledger instead.
 *
 * Runs in the caller's transaction.
 *
 * Returns, per job, how many request keys the job had not stored before (a response fetched again
 * under the same request key counts once), for the jobs' `loaded` counters.
 */
export async function storeRawResponses(
  client: ClientBase,
  source: string,
  stored: StoredEnvelope[],
  /** told when PostgreSQL refused the producer texts and the parsed bodies went in instead */
  onTextRefused?: (error: unknown) => void,
): Promise<Map<string, number>> {
  const unique = lastPerIdentity(stored);
  if (unique.length === 0) return new Map();
  const before = await storedBefore(client, source, unique);
  // a redelivery: straight to the path that handles it rather than sending every payload twice
  if (before.someAlreadyStored) return upsertRawResponses(client, source, unique);
  // now() as text: COPY stores it to the microsecond, as the staging path's now() does
  const [, { rows }] = (await client.query(`SAVEPOINT raw_store; SELECT now()::text AS now`)) as unknown as [
    unknown,
    { rows: Array<{ now: string }> },
  ];
  const copyInto = (bodies: 'producer text' | 'serialized') =>
    copyRows(
      client,
      `${source}.raw_responses`,
      [...RAW_COLUMNS, 'parsed_at'],
      RAW_TYPES,
      unique.map((s) => rawRow(s, { parsedAt: rows[0].now, bodies })),
    );
  try {
    try {
      await copyInto('producer text');
    } catch (error) {
      // a producer's text PostgreSQL refuses (see producerBodyText): the parsed bodies instead
      if (!isDataException(error)) throw error;
      await client.query('ROLLBACK TO SAVEPOINT raw_store');
      await copyInto('serialized');
      onTextRefused?.(error);
    }
    await client.query('RELEASE SAVEPOINT raw_store');
  } catch (error) {
    // stored meanwhile by a concurrent transaction (e.g. two loaders during a rebalance)
    if ((error as { code?: unknown }).code !== UNIQUE_VIOLATION) throw error;
    await client.query('ROLLBACK TO SAVEPOINT raw_store');
    return upsertRawResponses(client, source, unique);
  }
  return newKeysPerJob(unique, before.jobKeys);
}

const UNIQUE_VIOLATION = '23505';

/** SQLSTATE class 22: a value the column refuses (invalid JSON, invalid UTF-8, …) */
function isDataException(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' && code.startsWith('22');
}

/**
 * What the store already holds of this batch: whether any response itself (same request_key and
 * fetched_at), and which `job_id\0request_key` pairs a job stored before under another fetched_at.
 */
async function storedBefore(
  client: ClientBase,
  source: string,
  unique: StoredEnvelope[],
): Promise<{ someAlreadyStored: boolean; jobKeys: Set<string> }> {
  const { rows } = await client.query<{ job_id: string | null; request_key: string; same_fetch: boolean }>(
    `SELECT r.job_id, r.request_key, r.fetched_at = b.fetched_at AS same_fetch
       FROM unnest($1::text[], $2::timestamptz[], $3::uuid[]) AS b(request_key, fetched_at, job_id)
       JOIN ${source}.raw_responses r ON r.request_key = b.request_key AND (r.fetched_at = b.fetched_at OR r.job_id = b.job_id)`,
    [
      unique.map((s) => s.envelope.requestKey),
      unique.map((s) => s.envelope.fetchedAt),
      unique.map((s) => s.envelope.jobId ?? null),
    ],
  );
  return {
    someAlreadyStored: rows.some((r) => r.same_fetch),
    jobKeys: new Set(rows.map((r) => `${r.job_id}\u0000${r.request_key}`)),
  };
}

function newKeysPerJob(unique: StoredEnvelope[], keysStoredBefore: Set<string>): Map<string, number> {
  const counted = new Set<string>();
  const added = new Map<string, number>();
  for (const { envelope } of unique) {
    if (typeof envelope.jobId !== 'string') continue;
    const jobKey = `${envelope.jobId}\u0000${envelope.requestKey}`;
    if (keysStoredBefore.has(jobKey) || counted.has(jobKey)) continue;
    counted.add(jobKey);
    added.set(envelope.jobId, (added.get(envelope.jobId) ?? 0) + 1);
  }
  return added;
}

/** The redelivery path: staging table, then one INSERT … SELECT … ON CONFLICT. */
async function upsertRawResponses(
  client: ClientBase,
  source: string,
  unique: StoredEnvelope[],
): Promise<Map<string, number>> {
  const staging = await stagingTable(client, 'raw_responses', RAW_COLUMN_TYPES);
  await copyRows(
    client,
    staging,
    RAW_COLUMNS,
    RAW_TYPES,
    unique.map((s) => rawRow(s)),
  );
  const columns = RAW_COLUMNS.join(', ');
  const { rows } = await client.query<{ job_id: string; added: number }>(
    `WITH stored AS (
       INSERT INTO ${source}.raw_responses (${columns}, parsed_at)
       SELECT ${columns}, now() FROM ${staging} ORDER BY request_key, fetched_at
       ON CONFLICT (request_key, fetched_at) DO NOTHING
       RETURNING job_id, request_key, fetched_at)
     SELECT s.job_id, count(DISTINCT s.request_key)::int AS added FROM stored s
      WHERE s.job_id IS NOT NULL
        AND NOT EXISTS (SELECT 1 FROM ${source}.raw_responses r
                         WHERE r.request_key = s.request_key AND r.job_id = s.job_id AND r.fetched_at <> s.fetched_at)
      GROUP BY s.job_id`,
  );
  // stored before by another parser version: the ledger records which one read it now
  await client.query(
    `INSERT INTO ${source}.response_parses (request_key, fetched_at, account_id, parser_version)
     SELECT s.request_key, s.fetched_at, s.account_id, s.parser_version
       FROM ${staging} s JOIN ${source}.raw_responses r ON r.request_key = s.request_key AND r.fetched_at = s.fetched_at
      WHERE r.parser_version IS DISTINCT FROM s.parser_version
      ORDER BY s.request_key, s.fetched_at
     ${LEDGER_CONFLICT}`,
  );
  // empty again for a second use in this transaction
  await client.query(`DELETE FROM ${staging}`);
  return new Map(rows.map((r) => [r.job_id, r.added]));
}

/**
 * Keeps responses the parser refused (dead-lettered at stage `parse`) in the store with
 * `parser_version` NULL, so that a replay with a fixed parser finds and loads them. They never count
 * toward a job's `loaded` (its `dead_lettered` counts them); a response already stored stays as it is.
 * Runs in the caller's transaction; returns how many were not stored before.
 */
export async function keepUnparsedResponses(
  client: ClientBase,
  source: string,
  envelopes: RawEnvelope[],
): Promise<number> {
  const unique = lastPerIdentity(envelopes.map((envelope) => ({ envelope, parserVersion: null })));
  if (unique.length === 0) return 0;
  const staging = await stagingTable(client, 'raw_responses', RAW_COLUMN_TYPES);
  await copyRows(
    client,
    staging,
    RAW_COLUMNS,
    RAW_TYPES,
    unique.map((s) => rawRow(s)),
  );
  const { rowCount } = await client.query(
    `INSERT INTO ${source}.raw_responses (${RAW_COLUMNS.join(', ')})
     SELECT ${RAW_COLUMNS.join(', ')} FROM ${staging} ORDER BY request_key, fetched_at
     ON CONFLICT (request_key, fetched_at) DO NOTHING`,
  );
  await client.query(`DELETE FROM ${staging}`);
  return rowCount ?? 0;
}

const LEDGER_CONFLICT = `ON CONFLICT (request_key, fetched_at) DO UPDATE SET parser_version = EXCLUDED.parser_version, parsed_at = now()`;

/**
 * For responses already in the store (replay from the store): records the parser version that read
 * them in the `<source>.response_parses` ledger. The raw rows themselves are not touched.
 */
export async function recordResponseParses(
  client: ClientBase,
  source: string,
  stored: StoredEnvelope[],
): Promise<void> {
  const unique = lastPerIdentity(stored);
  if (unique.length === 0) return;
  await client.query(
    `INSERT INTO ${source}.response_parses (request_key, fetched_at, account_id, parser_version)
     SELECT * FROM unnest($1::text[], $2::timestamptz[], $3::text[], $4::int4[])
     ${LEDGER_CONFLICT}`,
    [
      unique.map((s) => s.envelope.requestKey),
      unique.map((s) => s.envelope.fetchedAt),
      unique.map((s) => s.envelope.accountId),
      unique.map((s) => s.parserVersion),
    ],
  );
}

/**
 * An envelope as a raw_responses row. The direct COPY writes the body as the producer's text where the
 * consumer kept it; the other paths serialize the parsed body.
 */
function rawRow(
  { envelope: e, parserVersion }: StoredEnvelope | UnparsedEnvelope,
  { parsedAt, bodies = 'serialized' }: { parsedAt?: string; bodies?: 'producer text' | 'serialized' } = {},
): Row {
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
    body:
      e.body === undefined
        ? null
        : (bodies === 'producer text' && producerBodyText(e)) || JSON.stringify(e.body),
    envelope_version: ENVELOPE_VERSION,
    parser_version: parserVersion,
    parsed_at: parsedAt,
  };
}

/** One statement may not touch a row twice, so a batch holding the same response twice keeps the last. */
function lastPerIdentity<T extends { envelope: RawEnvelope }>(stored: T[]): T[] {
  const byIdentity = new Map<string, T>();
  for (const s of stored)
    byIdentity.set(`${s.envelope.requestKey}\u0000${Date.parse(s.envelope.fetchedAt)}`, s);
  // a fixed order: concurrent transactions lock the same rows in the same order (no deadlocks)
  return [...byIdentity.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, s]) => s);
}
