import type { ClientBase, Pool } from 'pg';
import type { Logger } from 'pino';
import {
  currentParser,
  type Parser,
  type RawEnvelope,
  type Row,
  type SourcePlugin,
  type TableSpec,
} from '@staysync/core';
import {
  addJobLoadCounts,
  type CountedJobs,
  finishJobsIfComplete,
  inTransaction,
  upsertRows,
  type FinishedJob,
  type JobLoadCounts,
} from '@staysync/db';
import type { PipelineMetrics } from '../metrics';
import { sourceByName } from '@staysync/sources';
import { compareWithStored, MAX_SAMPLES, type ChangeSample } from './compare-rows';
import { refuseDeletedAccounts } from './deleted-accounts';
import {
  keepUnparsedResponses,
  recordResponseParses,
  storeRawResponses,
  type StoredEnvelope,
} from './raw-store';

export interface LoadOptions {
  /** the parser to use per source; default: the plug-in's current (highest) version */
  parserFor?: (plugin: SourcePlugin) => Parser;
  /** compare with the stored rows and write nothing */
  dryRun?: boolean;
  /** insert the raw payloads into `<source>.raw_responses`, the ones the parser refused too (for a replay); default true */
  storeRaw?: boolean;
  /** with storeRaw false: the payloads are already stored, record the parser version in the `<source>.response_parses` ledger */
  markParsed?: boolean;
  /** count added/changed/unchanged rows exactly (always on for a dry run; one extra SELECT per table) */
  compare?: boolean;
  /** return every written row as stored afterwards (WriteResult.storedRows), e.g. to publish it */
  returnStored?: boolean;
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
  /** envelopes of hard-deleted accounts: not written (see refuseDeletedAccounts) */
  refused: RawEnvelope[];
  /** poison the parser refused that went into the raw store now, for a replay (`parser_version` NULL) */
  keptUnparsed: number;
  /** jobs this write finished */
  finishedJobs: FinishedJob[];
}

/** The envelopes of one source that parsed, with their rows. */
export interface ParsedSourceBatch {
  plugin: SourcePlugin;
  parserVersion: number;
  envelopes: RawEnvelope[];
  rowsByTable: Map<string, Row[]>;
  /** the envelopes this parser refused (also in ParsedEnvelopes.poison): kept in the raw store by a live load */
  unparsed: RawEnvelope[];
  /** per job: the parsed responses of the source's data operations and the rows they gave */
  dataByJob: Map<string, DataCounts>;
}

export type DataCounts = Pick<JobLoadCounts, 'dataResponses' | 'dataRows'>;

/** The parse stage's output: pure CPU work, done before (and apart from) the database write. */
export interface ParsedEnvelopes {
  sources: ParsedSourceBatch[];
  poison: PoisonEnvelope[];
  /** metric name → responses that carried it without a column for it */
  unknownMetrics: Record<string, number>;
}

/** What a write did, per qualified table, and which jobs it touched. */
export interface WriteResult extends Pick<
  LoadResult,
  'responses' | 'rows' | 'samples' | 'jobIds' | 'refused' | 'keptUnparsed' | 'finishedJobs'
> {
  /** with `returnStored`: the rows inserted or updated, as stored after the write (the spec's columns), once per key */
  storedRows: Array<{ table: string; row: Row }>;
}

/**
 * Parses a batch of raw envelopes and loads it in one transaction per source: raw payloads, then
 * every table in write order with one set-based upsert each, then the jobs' loaded counts. Envelopes
 * that cannot be parsed are returned as poison; the rest load. Jobs that are now complete finish
 * after the commit.
 */
export async function loadEnvelopes(
  pool: Pool,
  envelopes: RawEnvelope[],
  options: LoadOptions = {},
): Promise<LoadResult> {
  const parsed = parseEnvelopes(envelopes, options);
  const { responses, rows, samples, jobIds, refused, keptUnparsed, finishedJobs } = await writeParsed(
    pool,
    [parsed],
    options,
  );
  return {
    responses,
    rows,
    samples,
    jobIds,
    refused,
    keptUnparsed,
    finishedJobs,
    poison: parsed.poison,
    unknownMetrics: parsed.unknownMetrics,
  };
}

/** The parse stage: envelopes → rows per source and table, and the envelopes no parser could read. */
export function parseEnvelopes(
  envelopes: RawEnvelope[],
  options: Pick<LoadOptions, 'parserFor' | 'metrics' | 'logger'> = {},
): ParsedEnvelopes {
  const parsed: ParsedEnvelopes = { sources: [], poison: [], unknownMetrics: {} };
  for (const [sourceName, indexed] of groupBySource(envelopes)) {
    const plugin = sourceByName(sourceName);
    if (!plugin) {
      for (const { index } of indexed)
        parsed.poison.push({
          index,
          error: new Error(`no source plug-in named "${sourceName}"`),
          parserVersion: null,
        });
      continue;
    }
    parsed.sources.push(parseAll(plugin, indexed, options, parsed));
  }
  parsed.poison.sort((a, b) => a.index - b.index);
  logUnknownMetrics(options.logger, parsed.unknownMetrics);
  return parsed;
}

/**
 * The write stage: the parsed batches (e.g. several partitions' batches, see groupCommit) in one
 * transaction per source.
 */
export async function writeParsed(
  pool: Pool,
  batches: ParsedEnvelopes[],
  options: Omit<LoadOptions, 'parserFor'> = {},
): Promise<WriteResult> {
  const result: WriteResult = {
    responses: 0,
    rows: {},
    samples: {},
    jobIds: [],
    refused: [],
    keptUnparsed: 0,
    finishedJobs: [],
    storedRows: [],
  };
  for (const batch of mergeBySource(batches.flatMap((b) => b.sources)))
    await writeSourceBatch(pool, batch, options, result);
  return result;
}

function groupBySource(
  envelopes: RawEnvelope[],
): Map<string, Array<{ index: number; envelope: RawEnvelope }>> {
  const groups = new Map<string, Array<{ index: number; envelope: RawEnvelope }>>();
  envelopes.forEach((envelope, index) => {
    const source = typeof envelope?.source === 'string' ? envelope.source : '';
    const group = groups.get(source) ?? groups.set(source, []).get(source)!;
    group.push({ index, envelope });
  });
  return groups;
}

/** One batch per source (a source read by two parser versions in one group is written apart). */
function mergeBySource(batches: ParsedSourceBatch[]): ParsedSourceBatch[] {
  const merged = new Map<string, ParsedSourceBatch[]>();
  for (const batch of batches) {
    const id = `${batch.plugin.name}\u0000${batch.parserVersion}`;
    (merged.get(id) ?? merged.set(id, []).get(id)!).push(batch);
  }
  return [...merged.values()].map((group) => (group.length === 1 ? group[0] : concatBatches(group)));
}

function concatBatches(batches: ParsedSourceBatch[]): ParsedSourceBatch {
  const into: ParsedSourceBatch = {
    ...batches[0],
    envelopes: [],
    rowsByTable: new Map(),
    unparsed: [],
    dataByJob: new Map(),
  };
  for (const batch of batches) {
    for (const envelope of batch.envelopes) into.envelopes.push(envelope);
    for (const envelope of batch.unparsed) into.unparsed.push(envelope);
    for (const [table, rows] of batch.rowsByTable) appendRows(into.rowsByTable, table, rows);
    for (const [jobId, counts] of batch.dataByJob)
      addDataCounts(into.dataByJob, jobId, counts.dataResponses, counts.dataRows);
  }
  return into;
}

function appendRows(rowsByTable: Map<string, Row[]>, table: string, rows: Row[]): void {
  const all = rowsByTable.get(table);
  if (!all) rowsByTable.set(table, [...rows]);
  // push(...rows) would overflow the call stack for very large groups
  else for (const row of rows) all.push(row);
}

function parseAll(
  plugin: SourcePlugin,
  indexed: Array<{ index: number; envelope: RawEnvelope }>,
  options: Pick<LoadOptions, 'parserFor' | 'metrics'>,
  result: ParsedEnvelopes,
): ParsedSourceBatch {
  const parser = options.parserFor?.(plugin) ?? currentParser(plugin);
  const batch: ParsedSourceBatch = {
    plugin,
    parserVersion: parser.version,
    envelopes: [],
    rowsByTable: new Map(),
    unparsed: [],
    dataByJob: new Map(),
  };
  const dataOperations = new Set(plugin.dataOperations);
  for (const { index, envelope } of indexed) {
    let parsed;
    try {
      parsed = parser.parse(envelope);
    } catch (error) {
      // PoisonMessageError or not: a parser that throws on this input will throw again on redelivery
      result.poison.push({ index, error, parserVersion: parser.version });
      batch.unparsed.push(envelope);
      continue;
    }
    batch.envelopes.push(envelope);
    let rowCount = 0;
    for (const [table, rows] of Object.entries(parsed.rows)) {
      appendRows(batch.rowsByTable, table, rows);
      rowCount += rows.length;
    }
    if (typeof envelope.jobId === 'string' && dataOperations.has(envelope.operation))
      addDataCounts(batch.dataByJob, envelope.jobId, 1, rowCount);
    countUnknownMetrics(plugin.name, parsed.unknownMetrics, parsed.rows, options.metrics, result);
  }
  return batch;
}

function addDataCounts(
  counts: Map<string, DataCounts>,
  jobId: string,
  responses: number,
  rows: number,
): void {
  const job = counts.get(jobId) ?? counts.set(jobId, { dataResponses: 0, dataRows: 0 }).get(jobId)!;
  job.dataResponses += responses;
  job.dataRows += rows;
}

async function writeSourceBatch(
  pool: Pool,
  parsed: ParsedSourceBatch,
  options: Omit<LoadOptions, 'parserFor'>,
  result: WriteResult,
): Promise<void> {
  const dryRun = options.dryRun ?? false;
  const keepUnparsed = !dryRun && (options.storeRaw ?? true) && parsed.unparsed.length > 0;
  if (parsed.envelopes.length === 0 && !keepUnparsed) return;
  let batch = parsed;
  let counted: CountedJobs = { counted: [], complete: [] };
  await inTransaction(
    pool,
    async (client) => {
      // first: holds off a hard delete of these accounts until this transaction ends
      const refused = await refuseDeletedAccounts(client, parsed);
      batch = refused.kept;
      if (refused.envelopes.length > 0) {
        result.refused.push(...refused.envelopes);
        options.metrics?.refusedEnvelopes.inc({ source: parsed.plugin.name }, refused.envelopes.length);
      }
      if (keepUnparsed)
        result.keptUnparsed += await keepUnparsedResponses(client, batch.plugin.name, batch.unparsed);
      if (batch.envelopes.length === 0) return;
      const added = dryRun ? new Map<string, number>() : await storeRaw(client, batch, options);
      for (const spec of tablesInWriteOrder(batch)) {
        const rows = batch.rowsByTable.get(spec.table) ?? [];
        if (rows.length > 0) await writeTable(client, spec, rows, options, result);
      }
      // last, so the job rows stay locked only for the moment before COMMIT
      if (!dryRun) counted = await addJobLoadCounts(client, jobLoadCounts(batch, added, options));
    },
    { rollback: dryRun },
  );
  const jobIds = [
    ...new Set(batch.envelopes.map((e) => e.jobId).filter((id): id is string => typeof id === 'string')),
  ];
  result.responses += batch.envelopes.length;
  result.jobIds.push(...jobIds);
  if (dryRun) return;
  // jobs this load counted against are checked when their counts said complete; the others (a
  // redelivery adds nothing) always, in case the load that completed them stopped before its check
  const countedIds = new Set(counted.counted);
  const uncounted = jobIds.filter((id) => !countedIds.has(id));
  const finished = await finishJobsIfComplete(pool, [...counted.complete, ...uncounted]);
  result.finishedJobs.push(...finished);
  countZeroRowJobs(finished, options.metrics);
}

export function countZeroRowJobs(finished: FinishedJob[], metrics: PipelineMetrics | undefined): void {
  for (const job of finished) if (job.zeroRows) metrics?.zeroRowJobs.inc({ source: job.source });
}

/**
 * What a live load adds to its jobs: responses newly stored (`loaded`) and the data counts. A store
 * replay (storeRaw false) adds nothing; a topic replay adds no data counts to a finished job (see
 * addJobLoadCounts). A batch redelivered after its commit adds its data counts again: only whether a
 * job's data rows are zero is read from them.
 */
function jobLoadCounts(
  batch: ParsedSourceBatch,
  added: ReadonlyMap<string, number>,
  options: Pick<LoadOptions, 'storeRaw'>,
): Map<string, JobLoadCounts> {
  const counts = new Map<string, JobLoadCounts>();
  for (const [jobId, loaded] of added) counts.set(jobId, { loaded, dataResponses: 0, dataRows: 0 });
  if (!(options.storeRaw ?? true)) return counts;
  for (const [jobId, data] of batch.dataByJob)
    counts.set(jobId, { loaded: counts.get(jobId)?.loaded ?? 0, ...data });
  return counts;
}

/** Returns, per job, the responses it had not stored before. */
async function storeRaw(
  client: ClientBase,
  batch: ParsedSourceBatch,
  options: Pick<LoadOptions, 'storeRaw' | 'markParsed' | 'metrics' | 'logger'>,
): Promise<Map<string, number>> {
  const stored: StoredEnvelope[] = batch.envelopes.map((envelope) => ({
    envelope,
    parserVersion: batch.parserVersion,
  }));
  const source = batch.plugin.name;
  if (options.storeRaw ?? true)
    return storeRawResponses(client, source, stored, (error) => {
      options.metrics?.rawTextFallbacks.inc({ source });
      // code and message only: the error's detail and context quote the body
      const { code, message } = error as { code?: unknown; message?: unknown };
      options.logger?.warn(
        { source, responses: stored.length, code, error: message },
        "PostgreSQL refused the producers' texts of these raw bodies; stored them serialized from the parsed bodies",
      );
    });
  if (options.markParsed) await recordResponseParses(client, source, stored);
  return new Map();
}

async function writeTable(
  client: ClientBase,
  spec: TableSpec,
  rows: Row[],
  options: Pick<LoadOptions, 'dryRun' | 'compare' | 'returnStored'>,
  result: WriteResult,
): Promise<void> {
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
  const upserted = await upsertRows(client, spec, rows, { returnStored: options.returnStored });
  counts.inserted += upserted.inserted;
  counts.updated += upserted.updated;
  counts.unchanged += upserted.unchanged;
  for (const row of upserted.stored ?? []) result.storedRows.push({ table: spec.table, row });
}

/** FK parents first; a table the parser produced that the plug-in does not declare is a bug. */
function tablesInWriteOrder(batch: ParsedSourceBatch): TableSpec[] {
  const declared = new Set(batch.plugin.tables.map((t) => t.table));
  const undeclared = [...batch.rowsByTable.keys()].filter((t) => !declared.has(t));
  if (undeclared.length > 0)
    throw new Error(
      `parser v${batch.parserVersion} of ${batch.plugin.name} produced rows for undeclared tables: ${undeclared.join(', ')}`,
    );
  return [...batch.plugin.tables].sort((a, b) => (a.order ?? 0) - (b.order ?? 0));
}

function countUnknownMetrics(
  source: string,
  names: string[],
  rows: Record<string, Row[]>,
  metrics: PipelineMetrics | undefined,
  result: ParsedEnvelopes,
): void {
  for (const name of names) {
    result.unknownMetrics[name] = (result.unknownMetrics[name] ?? 0) + 1;
    metrics?.unknownMetrics.inc({ source, table: tableKeepingMetric(name, rows) });
  }
}

/** Unknown metrics land in a row's `extra` under a column named after the metric. */
function tableKeepingMetric(metric: string, rows: Record<string, Row[]>): string {
  for (const [table, tableRows] of Object.entries(rows)) {
    const kept = tableRows.some(
      (row) =>
        typeof row.extra === 'object' &&
        row.extra !== null &&
        Object.keys(row.extra).some((k) => k.startsWith(metric)),
    );
    if (kept) return table;
  }
  return 'unknown';
}

function logUnknownMetrics(logger: Logger | undefined, unknownMetrics: Record<string, number>): void {
  if (Object.keys(unknownMetrics).length === 0) return;
  logger?.warn(
    { unknownMetrics },
    'responses carried metrics without a column (kept in extra); add columns to keep them queryable',
  );
}
