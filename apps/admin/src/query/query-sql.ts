import type { SqlType } from '@staysync/core';
import type { QueryTable } from './query-tables';

export interface QueryFilters {
  accountId?: string;
  jobId?: string;
  listingIds?: string[];
  /** inclusive first day of the table's date column */
  from?: string;
  /** inclusive last day */
  to?: string;
  status?: string;
  /** snapshot tables: a scrape day (latest snapshot on or before it), 'all', or undefined for the latest */
  asOf?: string;
  /** metric names or columns; a name selects every column it prefixes (`p3_impressions` → `p3_impressions_your_value`, …) */
  metrics?: string[];
}

export interface KeysetPage {
  /** key of the last row of the previous page */
  after?: string[];
  limit: number;
}

export interface BuiltQuery {
  text: string;
  values: unknown[];
  columns: string[];
  /** columns the page cursor is made of (in key order) */
  cursorColumns: string[];
}

export class UnknownMetricError extends Error {
  constructor(
    readonly metric: string,
    readonly known: string[],
  ) {
    super(`unknown metric "${metric}"; known: ${known.join(', ')}`);
  }
}

const ident = (name: string) => `"${name.replace(/"/g, '""')}"`;

/** Columns of the answer: all of them, or the key and descriptive columns plus the chosen metrics. */
export function selectedColumns(table: QueryTable, metrics?: string[]): string[] {
  if (!metrics?.length || !table.metricColumns) return table.columns;
  const known = table.metricColumns;
  const chosen = new Set<string>();
  for (const metric of metrics) {
    const matches = known.filter((c) => c === metric || c.startsWith(`${metric}_`));
    if (matches.length === 0) throw new UnknownMetricError(metric, known);
    for (const c of matches) chosen.add(c);
  }
  return table.columns.filter((c) => !known.includes(c) || chosen.has(c));
}

/**
 * One parameterized SELECT over `table`: filters, snapshot choice, keyset continuation and order.
 *
 *   SELECT DISTINCT ON (account_id, airbnb_listing_id, metric_date) …
 *     FROM airbnb.chart_query
 *    WHERE account_id = $1::text AND metric_date >= $2::date AND (account_id, airbnb_listing_id, metric_date) > ($3, $4, $5)
 *    ORDER BY account_id, airbnb_listing_id, metric_date, time DESC
 *    LIMIT $6
 *
 * The order is the key (a unique index's column order), so a page or an export walks that index.
 */
export function buildQuery(table: QueryTable, filters: QueryFilters, page?: KeysetPage): BuiltQuery {
  const columns = selectedColumns(table, filters.metrics);
  const values: unknown[] = [];
  const param = (value: unknown, type: SqlType) => {
    values.push(value);
    return `$${values.length}::${type}`;
  };
  const typeOf = (column: string): SqlType => table.types[column] ?? 'text';
  const where: string[] = [];

  if (filters.accountId !== undefined) {
    if (!table.account) throw new Error(`${table.name} has no account filter`);
    where.push(`${ident(table.account)} = ${param(filters.accountId, typeOf(table.account))}`);
  }
  if (filters.jobId !== undefined) {
    if (!table.job) throw new Error(`${table.name} has no job filter`);
    where.push(`${ident(table.job)} = ${param(filters.jobId, 'uuid')}`);
  }
  if (filters.listingIds?.length) {
    if (!table.listing) throw new Error(`${table.name} has no listing filter`);
    where.push(
      `${ident(table.listing)} = ANY(${param(filters.listingIds, `${typeOf(table.listing)}[]` as SqlType)})`,
    );
  }
  if ((filters.from || filters.to) && !table.date) throw new Error(`${table.name} has no date filter`);
  if (table.date) {
    const date = ident(table.date);
    const instant = typeOf(table.date) === 'timestamptz';
    if (filters.from) where.push(`${date} >= ${param(filters.from, 'date')}`);
    if (filters.to)
      where.push(
        instant ? `${date} < ${param(filters.to, 'date')} + 1` : `${date} <= ${param(filters.to, 'date')}`,
      );
  }
  if (filters.status !== undefined) {
    if (!table.status) throw new Error(`${table.name} has no status filter`);
    where.push(`${ident(table.status)} = ${param(filters.status, 'text')}`);
  }

  const everySnapshot = !table.snapshot || filters.asOf === 'all';
  if (table.snapshot && filters.asOf && filters.asOf !== 'all')
    where.push(`"time" <= ${param(filters.asOf, 'date')}`);
  // the latest snapshot per key: one row per key without `time`, so the cursor is that shorter key
  const cursorColumns = everySnapshot ? table.key : table.key.filter((c) => c !== 'time');
  if (page?.after) {
    if (page.after.length !== cursorColumns.length) throw new Error('cursor does not match this query');
    const left = cursorColumns.map(ident).join(', ');
    const right = cursorColumns.map((c, i) => param(page.after![i], typeOf(c))).join(', ');
    where.push(cursorColumns.length === 1 ? `${left} > ${right}` : `(${left}) > (${right})`);
  }

  const distinct = everySnapshot ? '' : `DISTINCT ON (${cursorColumns.map(ident).join(', ')}) `;
  const order = table.key.map((c) => (c === 'time' && !everySnapshot ? `"time" DESC` : ident(c))).join(', ');
  const text = [
    `SELECT ${distinct}${columns.map(ident).join(', ')}`,
    `FROM ${table.relation}`,
    where.length ? `WHERE ${where.join(' AND ')}` : '',
    `ORDER BY ${order}`,
    page ? `LIMIT ${param(page.limit, 'bigint')}` : '',
  ]
    .filter(Boolean)
    .join('\n');
  return { text, values, columns, cursorColumns };
}
