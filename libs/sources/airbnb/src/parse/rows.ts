import type { Row } from '@staysync/core';
import { AIRBNB_KNOWN_METRIC_COLUMNS, type AirbnbTableName } from '../tables';
import type { MetricUnit } from './decode';

/**
 * A column a metric value is destined for, resolved against the table once rather than per value:
 * when the table lacks it (`known` false) the value goes into `extra`.
 */
export interface MetricColumn {
  name: string;
  known: boolean;
}

/** A `<x>` / `<x>_string` column pair: the number and its display string. */
export interface ValueColumns {
  value: MetricColumn;
  valueString: MetricColumn;
}

const KNOWN_COLUMNS: ReadonlyMap<string, ReadonlySet<string>> = new Map(
  Object.entries(AIRBNB_KNOWN_METRIC_COLUMNS).map(([table, columns]) => [table, new Set(columns)]),
);

const VALUE_SUFFIX = '_value';

// The known `<prefix>_value[_string]` pairs of each table by prefix: every response names the same
// few metrics, so they are resolved once here instead of per response.
const KNOWN_VALUE_COLUMNS: ReadonlyMap<string, ReadonlyMap<string, ValueColumns>> = new Map(
  Object.entries(AIRBNB_KNOWN_METRIC_COLUMNS).map(([table, columns]) => [
    table,
    new Map(
      columns
        .filter((name) => name.endsWith(VALUE_SUFFIX))
        .map((name) => [name.slice(0, -VALUE_SUFFIX.length), columnPair(table, name)]),
    ),
  ]),
);

/** `<prefix>_value` and `<prefix>_value_string`. */
export function valueColumns(table: AirbnbTableName, prefix: string): ValueColumns {
  return KNOWN_VALUE_COLUMNS.get(table)?.get(prefix) ?? columnPair(table, `${prefix}${VALUE_SUFFIX}`);
}

/** `<metricName>_value_change` and `<metricName>_value_change_string`. */
export function valueChangeColumns(table: AirbnbTableName, metric: string): ValueColumns {
  return columnPair(table, `${metric}_value_change`);
}

function columnPair(table: string, valueName: string): ValueColumns {
  return { value: metricColumn(table, valueName), valueString: metricColumn(table, `${valueName}_string`) };
}

function metricColumn(table: string, name: string): MetricColumn {
  return { name, known: KNOWN_COLUMNS.get(table)?.has(name) ?? false };
}

/**
 * A row being filled: the base columns, then metric columns in the order they are first set (a later
 * value for the same column wins). Values for columns the table lacks go into `extra` (added last, and
 * only when non-empty so merge-present never clears it) and their metric names into `unknownMetrics`.
 */
export class RowBuilder {
  private extra: Record<string, unknown> | null = null;

  constructor(
    private readonly row: Row,
    private readonly unknownMetrics: Set<string>,
  ) {}

  set(metric: string, column: MetricColumn, value: number | string | null): void {
    if (column.known) {
      this.row[column.name] = value;
    } else {
      (this.extra ??= {})[column.name] = value;
      this.unknownMetrics.add(metric);
    }
  }

  setValues(metric: string, columns: ValueColumns, value: number | null, valueString: string | null): void {
    this.set(metric, columns.value, value);
    this.set(metric, columns.valueString, valueString);
  }

  build(): Row {
    if (this.extra) this.row.extra = this.extra;
    return this.row;
  }
}

/** The unit's `<metricName>_value` and `_value_string` (list_of_metrics, chart_summary). */
export function setUnitValues(row: RowBuilder, table: AirbnbTableName, unit: MetricUnit): void {
  row.setValues(unit.metricName, valueColumns(table, unit.metricName), unit.value, unit.valueString);
}

/** The unit's `<metricName>_value_change` and `_value_change_string` (chart_summary). */
export function setUnitValueChange(row: RowBuilder, table: AirbnbTableName, unit: MetricUnit): void {
  const columns = valueChangeColumns(table, unit.metricName);
  row.setValues(unit.metricName, columns, unit.valueChange, unit.valueChangeString);
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
