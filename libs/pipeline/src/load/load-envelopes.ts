import type { ClientBase, Pool } from 'pg';
import type { Logger } from 'pino';
import { currentParser, type Parser, type RawEnvelope, type Row, type SourcePlugin, type TableSpec } from '@staysync/core';
import { finishJobsIfComplete, refreshLoadedCounts, upsertRows } from '@staysync/db';
import type { PipelineMetrics } from '../metrics';
import { sourceByName } from '../sources';
import { compareWithStored, MAX_SAMPLES, type ChangeSample } from './compare-rows';
import { markRawResponsesParsed, storeRawResponses, type StoredEnvelope } from './raw-store';

export interface LoadOptions {
  /** the parser to use per source; default: the plug-in's current (highest) version */
  parserFor?: (plugin: SourcePlugin) => Parser;
  /** compare with the stored rows and write nothing */
  dryRun?: boolean;
  /** insert the raw payloads into `<source>.raw_responses`; default true */
  storeRaw?: boolean;
  /** with storeRaw false: the payloads are already stored, record the parser version on them */
  markParsed?: boolean;
  /** count added/changed/unchanged rows exactly (always on for a dry run; one extra SELECT per table) */
  compare?: boolean;
  metrics?: PipelineMetrics;
  logger?: Logger;
}

export interface TableCounts {
  inserted: number;
  updated: number;
  unchanged: number;
}

export interface PoisonEnvelope {
  /** position in the input array */
  index: number;
  error: unknown;
  parserVersion: number | null;
}

export interface LoadResult {
  /** envelopes parsed and loaded (or, in a dry run, that would be) */
  responses: number;
  /** per qualified table; with `compare`/`dryRun`: inserted = added, updated = changed */
  rows: Record<string, TableCounts>;
  /** with `compare`/`dryRun`: up to 10 changed rows per table, old → new */
  samples: Record<string, ChangeSample[]>;
  poison: PoisonEnvelope[];
  /** metric name → responses that carried it without a column for it */
  unknownMetrics: Record<string, number>;
  jobIds: string[];
  /** every row written, for publishing downstream (empty in a dry run) */
  loadedRows: Array<{ table: string; row: Row }>;
}

/** The envelopes of one source that parsed, with their rows. */
interface ParsedSourceBatch {
  plugin: SourcePlugin;
  parserVersion: number;
  envelopes: RawEnvelope[];
  rowsByTable: Map<string, Row[]>;
}

/**
 * Parses a batch of raw envelopes and loads it in one transaction per source: raw payloads, then
 * every table in write order with one set-based upsert each, then the jobs' loaded counts. Envelopes
 * that cannot be parsed are returned as poison; the rest load. Jobs that are now complete finish
 * after the commit.
 */
export async function loadEnvelopes(pool: Pool, envelopes: RawEnvelope[], options: LoadOptions = {}): Promise<LoadResult> {
  const result: LoadResult = { responses: 0, rows: {}, samples: {}, poison: [], unknownMetrics: {}, jobIds: [], loadedRows: [] };
  for (const [sourceName, indexed] of groupBySource(envelopes)) {
    const plugin = sourceByName(sourceName);
    if (!plugin) {
      for (const { index } of indexed) result.poison.push({ index, error: new Error(`no source plug-in named "${sourceName}"`), parserVersion: null });
      continue;
    }
    const parsed = parseAll(plugin, indexed, options, result);
    await writeSourceBatch(pool, parsed, options, result);
  }
  result.poison.sort((a, b) => a.index - b.index);
  logUnknownMetrics(options.logger, result.unknownMetrics);
  return result;
}

function groupBySource(envelopes: RawEnvelope[]): Map<string, Array<{ index: number; envelope: RawEnvelope }>> {
  const groups = new Map<string, Array<{ index: number; envelope: RawEnvelope }>>();
  envelopes.forEach((envelope, index) => {
    const source = typeof envelope?.source === 'string' ? envelope.source : '';
    const group = groups.get(source) ?? groups.set(source, []).get(source)!;
    group.push({ index, envelope });
  });
  return groups;
}

function parseAll(plugin: SourcePlugin, indexed: Array<{ index: number; envelope: RawEnvelope }>, options: LoadOptions, result: LoadResult): ParsedSourceBatch {
  const parser = options.parserFor?.(plugin) ?? currentParser(plugin);
  const batch: ParsedSourceBatch = { plugin, parserVersion: parser.version, envelopes: [], rowsByTable: new Map() };
  for (const { index, envelope } of indexed) {
    let parsed;
    try {
      parsed = parser.parse(envelope);
    } catch (error) {
      // PoisonMessageError or not: a parser that throws on this input will throw again on redelivery
      result.poison.push({ index, error, parserVersion: parser.version });
      continue;
    }
    batch.envelopes.push(envelope);
    for (const [table, rows] of Object.entries(parsed.rows)) {
      const all = batch.rowsByTable.get(table) ?? batch.rowsByTable.set(table, []).get(table)!;
      all.push(...rows);
    }
    countUnknownMetrics(plugin.name, parsed.unknownMetrics, parsed.rows, options.metrics, result);
  }
  return batch;
}

async function writeSourceBatch(pool: Pool, batch: ParsedSourceBatch, options: LoadOptions, result: LoadResult): Promise<void> {
  if (batch.envelopes.length === 0) return;
  const dryRun = options.dryRun ?? false;
  const jobIds = [...new Set(batch.envelopes.map((e) => e.jobId).filter((id): id is string => typeof id === 'string'))];
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    if (!dryRun) await storeRaw(client, batch, options);
    for (const spec of tablesInWriteOrder(batch)) {
      const rows = batch.rowsByTable.get(spec.table) ?? [];
      if (rows.length === 0) continue;
      await writeTable(client, spec, rows, options, result);
      if (!dryRun) result.loadedRows.push(...rows.map((row) => ({ table: spec.table, row })));
    }
    if (!dryRun) await refreshJobCounts(client, batch.plugin.name, jobIds);
    await client.query(dryRun ? 'ROLLBACK' : 'COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
  result.responses += batch.envelopes.length;
  result.jobIds.push(...jobIds);
  if (!dryRun) await finishJobsIfComplete(pool, jobIds);
}

/**
 * Locks the job rows first (in id order: no deadlocks between batches). Under READ COMMITTED the
 * recount's snapshot is taken when its statement starts, so without the lock two batches of one job
 * loading concurrently could each count without the other's responses, and the later write wins.
 */
async function refreshJobCounts(client: ClientBase, source: string, jobIds: string[]): Promise<void> {
  if (jobIds.length === 0) return;
  await client.query(`SELECT 1 FROM ops.sync_jobs WHERE id = ANY($1::uuid[]) ORDER BY id FOR UPDATE`, [jobIds]);
  await refreshLoadedCounts(client, source, jobIds);
}

async function storeRaw(client: ClientBase, batch: ParsedSourceBatch, options: LoadOptions): Promise<void> {
  const stored: StoredEnvelope[] = batch.envelopes.map((envelope) => ({ envelope, parserVersion: batch.parserVersion }));
  if (options.storeRaw ?? true) await storeRawResponses(client, batch.plugin.name, stored);
  else if (options.markParsed) await markRawResponsesParsed(client, batch.plugin.name, stored);
}

async function writeTable(client: ClientBase, spec: TableSpec, rows: Row[], options: LoadOptions, result: LoadResult): Promise<void> {
  const counts = (result.rows[spec.table] ??= { inserted: 0, updated: 0, unchanged: 0 });
  if (options.dryRun || options.compare) {
    const comparison = await compareWithStored(client, spec, rows);
    counts.inserted += comparison.added;
    counts.updated += comparison.changed;
    counts.unchanged += comparison.unchanged;
    const samples = (result.samples[spec.table] ??= []);
    samples.push(...comparison.samples.slice(0, Math.max(0, MAX_SAMPLES - samples.length)));
    if (!options.dryRun) await upsertRows(client, spec, rows);
    return;
  }
  const upserted = await upsertRows(client, spec, rows);
  counts.inserted += upserted.inserted;
  counts.updated += upserted.updated;
  counts.unchanged += upserted.unchanged;
}

/** FK parents first; a table the parser produced that the plug-in does not declare is a bug. */
function tablesInWriteOrder(batch: ParsedSourceBatch): TableSpec[] {
  const declared = new Set(batch.plugin.tables.map((t) => t.table));
  const undeclared = [...batch.rowsByTable.keys()].filter((t) => !declared.has(t));
  if (undeclared.length > 0) throw new Error(`parser v${batch.parserVersion} of ${batch.plugin.name} produced rows for undeclared tables: ${undeclared.join(', ')}`);
  return [...batch.plugin.tables].sort((a, b) => (a.order ?? 0) - (b.order ?? 0));
}

function countUnknownMetrics(source: string, names: string[], rows: Record<string, Row[]>, metrics: PipelineMetrics | undefined, result: LoadResult): void {
  for (const name of names) {
    result.unknownMetrics[name] = (result.unknownMetrics[name] ?? 0) + 1;
    metrics?.unknownMetrics.inc({ source, table: tableKeepingMetric(name, rows) });
  }
}

/** Unknown metrics land in a row's `extra` under a column named after the metric. */
function tableKeepingMetric(metric: string, rows: Record<string, Row[]>): string {
  for (const [table, tableRows] of Object.entries(rows)) {
    const kept = tableRows.some((row) => typeof row.extra === 'object' && row.extra !== null && Object.keys(row.extra).some((k) => k.startsWith(metric)));
    if (kept) return table;
  }
  return 'unknown';
}

function logUnknownMetrics(logger: Logger | undefined, unknownMetrics: Record<string, number>): void {
  if (Object.keys(unknownMetrics).length === 0) return;
  logger?.warn({ unknownMetrics }, 'responses carried metrics without a column (kept in extra); add columns to keep them queryable');
}
