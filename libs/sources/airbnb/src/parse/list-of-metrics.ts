/*
 * ListOfMetricsQuery → airbnb.list_of_metrics, one row per response (the request window).
 *
 * components[0] (LIST_OF_METRICS_SECTION):
 *   {
 *     "componentName": "LIST_OF_METRICS_SECTION",
 *     "metrics": [
 *       { "metricName": "conversion_rate", "label": "Overall conversion rate", "valueType": "PERCENTAGE",
 *         "value": { "doubleValue": 0.0011021307861866275 }, "valueString": "0.11%", "valueChange": null },
 *       …
 *     ]
 *   }
 * The conversion_rate card answers conversion_rate, p2_impressions_first_page_rate,
 * search_conversion_rate, listing_conversion_rate (fractions); the p3_impressions card answers
 * p3_impressions and p2_impressions (counts, longValue strings).
 */
import type { ParseResult, Row } from '@staysync/core';
import { AIRBNB_TABLES } from '../tables';
import { decodeMetricUnits, firstComponent, presentArray, type MetricUnit } from './decode';
import { RowBuilder, setUnitValues, windowBaseColumns, type MetricParseContext } from './rows';

export const LIST_OF_METRICS_COMPONENT = {
  componentName: 'LIST_OF_METRICS_SECTION',
  typename: 'porygonPListOfMetricsSection',
};

export function parseListOfMetrics(body: unknown, ctx: MetricParseContext): ParseResult {
  const metrics = decodeListOfMetrics(body);
  const unknownMetrics = new Set<string>();
  return {
    rows: { [AIRBNB_TABLES.listOfMetrics]: listOfMetricsRows(metrics, ctx, unknownMetrics) },
    unknownMetrics: [...unknownMetrics].sort(),
  };
}

export function decodeListOfMetrics(body: unknown): MetricUnit[] {
  const component = firstComponent(body, LIST_OF_METRICS_COMPONENT);
  if (!component) return [];
  return decodeMetricUnits(presentArray(component.metrics, 'metrics'), 'metrics');
}

/** `<metricName>_value` and `_value_string` per metric; no row when the response has no metrics. */
export function listOfMetricsRows(
  metrics: MetricUnit[],
  ctx: MetricParseContext,
  unknownMetrics: Set<string>,
): Row[] {
  if (metrics.length === 0) return [];
  const row = new RowBuilder(windowBaseColumns(ctx), unknownMetrics);
  for (const unit of metrics) setUnitValues(row, AIRBNB_TABLES.listOfMetrics, unit);
  return [row.build()];
}
