import type { Row } from '@staysync/core';
import { AIRBNB_KNOWN_METRIC_COLUMNS, type AirbnbTableName } from '../tables';
import type { MetricUnit } from './decode';

/** One metric value destined for a column (or, when the table lacks that column, for `extra`). */
export interface MetricCell {
  metric: string;
  column: string;
  value: number | string | null;
}

const KNOWN_COLUMNS: ReadonlyMap<string, ReadonlySet<string>> = new Map(
  Object.entries(AIRBNB_KNOWN_METRIC_COLUMNS).map(([table, columns]) => [table, new Set(columns)]),
);

/** `<prefix>_value` and `<prefix>_value_string`. */
export function valueCells(
  metric: string,
  prefix: string,
  value: number | null,
  valueString: string | null,
): MetricCell[] {
  return [
    { metric, column: `${prefix}_value`, value },
    { metric, column: `${prefix}_value_string`, value: valueString },
  ];
}

/** `<metricName>_value_change` and `<metricName>_value_change_string`. */
export function valueChangeCells(unit: MetricUnit): MetricCell[] {
  return [
    { metric: unit.metricName, column: `${unit.metricName}_value_change`, value: unit.valueChange },
    {
      metric: unit.metricName,
      column: `${unit.metricName}_value_change_string`,
      value: unit.valueChangeString,
    },
  ];
}

/**
 * The row = base columns + the cells the table has columns for; the others go into `extra` (only present
 * when non-empty, so merge-present never clears it) and their metric names into `unknownMetrics`.
 * Later cells for the same column win.
 */
export function rowWithCells(
  table: AirbnbTableName,
  baseColumns: Row,
  cells: MetricCell[],
  unknownMetrics: Set<string>,
): Row {
  const known = KNOWN_COLUMNS.get(table) ?? new Set<string>();
  const row: Row = { ...baseColumns };
  const extra: Record<string, unknown> = {};
  for (const cell of cells) {
    if (known.has(cell.column)) {
      row[cell.column] = cell.value;
    } else {
      extra[cell.column] = cell.value;
      unknownMetrics.add(cell.metric);
    }
  }
  if (Object.keys(extra).length > 0) row.extra = extra;
  return row;
}

/** What every metric parser needs from the envelope. */
export interface MetricParseContext {
  accountId: string;
  listingId: string;
  /** the listing's internalName (envelope variables.listingName) */
  internalName: string | null;
  scrapeDate: string;
  window: { start: string; end: string };
  /** the request's groupByValues[0] */
  groupByValue: string;
}

export function windowBaseColumns(ctx: MetricParseContext): Row {
  return {
    account_id: ctx.accountId,
    time: ctx.scrapeDate,
    airbnb_listing_id: ctx.listingId,
    airbnb_internal_name: ctx.internalName,
    window_start: ctx.window.start,
    window_end: ctx.window.end,
  };
}
