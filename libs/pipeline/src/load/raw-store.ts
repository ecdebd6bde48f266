import type { ClientBase } from 'pg';
import type { RawEnvelope } from '@staysync/core';

/** A parsed envelope bound for `<source>.raw_responses`, with the parser version that read it. */
export interface StoredEnvelope {
  envelope: RawEnvelope;
  parserVersion: number;
}

const ENVELOPE_VERSION = 1;

/**
 * Stores raw payloads in one statement. A re-delivered response (same request_key and fetched_at)
 * only records which parser read it last and when.
 */
export async function storeRawResponses(client: ClientBase, source: string, stored: StoredEnvelope[]): Promise<void> {
  const unique = lastPerIdentity(stored);
  if (unique.length === 0) return;
  const column = <T>(pick: (e: RawEnvelope, s: StoredEnvelope) => T) => unique.map((s) => pick(s.envelope, s));
  await client.query(
    `INSERT INTO ${source}.raw_responses
       (request_key, fetched_at, account_id, job_id, operation, resource_id, scrape_date, window_start, window_end,
        http_status, variables, body, envelope_version, parser_version, parsed_at)
     SELECT r.*, now() FROM unnest($1::text[], $2::timestamptz[], $3::text[], $4::uuid[], $5::text[], $6::text[], $7::date[],
                                  $8::date[], $9::date[], $10::int4[], $11::text[]::jsonb[], $12::text[]::jsonb[], $13::int4[], $14::int4[]) AS r
     ON CONFLICT (request_key, fetched_at) DO UPDATE SET parser_version = EXCLUDED.parser_version, parsed_at = now()`,
    [
      column((e) => e.requestKey),
      column((e) => e.fetchedAt),
      column((e) => e.accountId),
      column((e) => e.jobId),
      column((e) => e.operation),
      column((e) => e.resourceId),
      column((e) => e.scrapeDate),
      column((e) => e.window?.start ?? null),
      column((e) => e.window?.end ?? null),
      column((e) => e.httpStatus),
      column((e) => JSON.stringify(e.variables ?? {})),
      column((e) => (e.body === undefined ? null : JSON.stringify(e.body))),
      column(() => ENVELOPE_VERSION),
      column((_, s) => s.parserVersion),
    ],
  );
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

/** One statement may not touch a row twice, so a batch holding the same response twice keeps the last. */
function lastPerIdentity(stored: StoredEnvelope[]): StoredEnvelope[] {
  const byIdentity = new Map<string, StoredEnvelope>();
  for (const s of stored) byIdentity.set(`${s.envelope.requestKey}\u0000${Date.parse(s.envelope.fetchedAt)}`, s);
  // a fixed order: concurrent transactions lock the same rows in the same order (no deadlocks)
  return [...byIdentity.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, s]) => s);
}
