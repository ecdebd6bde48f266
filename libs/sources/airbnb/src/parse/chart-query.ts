/*
 * ChartQuery → airbnb.chart_query (daily points) + airbnb.chart_summary (window totals).
 *
 * components[0] (PIVOT_CHART_SECTION), the parts we read:
 *   {
 *     "componentName": "PIVOT_CHART_SECTION",
 *     "metricLineCharts": [
 *       { "label": "Your performance", "granularity": "DAY",
 *         "dataPoints": [ { "ds": "2025-01-12", "value": { "longValue": "15" }, "valueString": "15" }, … ] },
 *       { "label": "Similar listings", "dataPoints": [ … ] }
 *     ],
 *     "primaryMetric":    { "metricName": "p3_impressions", "value": { "longValue": "460" }, "valueString": "460",
 *                           "valueChange": { "doubleValue": 222.0 }, "valueChangeString": "222" },
 *     "secondaryMetrics": [ { "metricName": "p2_impressions", "value": { "longValue": "8166" }, … } ]
 *   }
 * Ignored: title, description, comparisonTypeSelectors, emptyState, and minPoint/maxPoint (their ds
 * falls outside the window).
 */
import type { ParseResult, Row } from '@staysync/core';
import { AIRBNB_TABLES } from '../tables';
import {
  decodeMetricUnit,
  decodeMetricUnits,
  firstComponent,
  optionalArray,
  optionalObject,
  presentArray,
  requireIsoDate,
  requireObject,
  stringOrNull,
  unwrapValue,
  type MetricUnit,
} from './decode';
import {
  RowBuilder,
  setUnitValueChange,
  setUnitValues,
  valueColumns,
  windowBaseColumns,
  type MetricParseContext,
  type ValueColumns,
} from './rows';

export const CHART_COMPONENT = {
  componentName: 'PIVOT_CHART_SECTION',
  typename: 'porygonPPivotChartSection',
};

export type ChartSeries = 'your' | 'similar';

export interface ChartPoint {
  date: string;
  series: ChartSeries;
  value: number | null;
  valueString: string | null;
}

export interface DecodedChart {
  points: ChartPoint[];
  primaryMetric: MetricUnit | null;
  secondaryMetrics: MetricUnit[];
}

export function parseChartQuery(body: unknown, ctx: MetricParseContext): ParseResult {
  const chart = decodeChartQuery(body);
  const unknownMetrics = new Set<string>();
  return {
    rows: {
      [AIRBNB_TABLES.chartQuery]: chart ? chartQueryRows(chart, ctx, unknownMetrics) : [],
      [AIRBNB_TABLES.chartSummary]: chart ? chartSummaryRows(chart, ctx, unknownMetrics) : [],
    },
    unknownMetrics: [...unknownMetrics].sort(),
  };
}

/** null when the response has no component. */
export function decodeChartQuery(body: unknown): DecodedChart | null {
  const component = firstComponent(body, CHART_COMPONENT);
  if (!component) return null;
  const primary = optionalObject(component.primaryMetric, 'primaryMetric');
  return {
    // the charts are what this response is for: their absence is drift, an empty list is no data
    points: presentArray(component.metricLineCharts, 'metricLineCharts').flatMap((chart, i) =>
      decodeLineChart(chart, `metricLineCharts[${i}]`),
    ),
    primaryMetric: primary && decodeMetricUnit(primary, 'primaryMetric'),
    secondaryMetrics: decodeMetricUnits(component.secondaryMetrics, 'secondaryMetrics'),
  };
}

function decodeLineChart(value: unknown, path: string): ChartPoint[] {
  const chart = requireObject(value, path);
  const series = seriesOf(chart.label);
  return optionalArray(chart.dataPoints, `${path}.dataPoints`).map((pointValue, j) => {
    const pointPath = () => `${path}.dataPoints[${j}]`;
    const point = requireObject(pointValue, pointPath);
    return {
      date: requireIsoDate(point.ds, () => `${pointPath()}.ds`),
      series,
      value: unwrapValue(point.value),
      valueString: stringOrNull(point.valueString),
    };
  });
}

/** "Your performance" → your; "Similar listings" (or anything else) → similar. */
export function seriesOf(label: unknown): ChartSeries {
  return typeof label === 'string' && label.toLowerCase().includes('your') ? 'your' : 'similar';
}

/**
 * One row per date; columns `<m>_<series>_value[_string]` where m is the REQUEST's groupByValue (the
 * response does not name the charted metric). Points of the same date merge; the last one wins.
 */
export function chartQueryRows(
  chart: DecodedChart,
  ctx: MetricParseContext,
  unknownMetrics: Set<string>,
): Row[] {
  const metric = ctx.groupByValue;
  const columnsBySeries: Record<ChartSeries, ValueColumns> = {
    your: valueColumns(AIRBNB_TABLES.chartQuery, `${metric}_your`),
    similar: valueColumns(AIRBNB_TABLES.chartQuery, `${metric}_similar`),
  };
  const rowsByDate = new Map<string, RowBuilder>();
  for (const point of chart.points) {
    let row = rowsByDate.get(point.date);
    if (!row) {
      row = new RowBuilder(
        {
          account_id: ctx.accountId,
          time: ctx.scrapeDate,
          airbnb_listing_id: ctx.listingId,
          airbnb_internal_name: ctx.internalName,
          metric_date: point.date,
        },
        unknownMetrics,
      );
      rowsByDate.set(point.date, row);
    }
    row.setValues(metric, columnsBySeries[point.series], point.value, point.valueString);
  }
  return [...rowsByDate.keys()].sort().map((date) => (rowsByDate.get(date) as RowBuilder).build());
}

/** One row per response (none when it has no metric units): primary with its change, then secondaries. */
export function chartSummaryRows(
  chart: DecodedChart,
  ctx: MetricParseContext,
  unknownMetrics: Set<string>,
): Row[] {
  const { primaryMetric, secondaryMetrics } = chart;
  if (!primaryMetric && secondaryMetrics.length === 0) return [];
  const table = AIRBNB_TABLES.chartSummary;
  const row = new RowBuilder(windowBaseColumns(ctx), unknownMetrics);
  if (primaryMetric) {
    setUnitValues(row, table, primaryMetric);
    setUnitValueChange(row, table, primaryMetric);
  }
  for (const unit of secondaryMetrics) setUnitValues(row, table, unit);
  return [row.build()];
}
