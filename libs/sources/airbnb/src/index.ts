export * from './operations';
export * from './payloads';
export * from './windows';
export * from './plan';
export * from './request-variables';
export * from './cookie';
export * from './errors';
export * from './classify';
export * from './client';
export * from './tables';
export { coerceNumber, unwrapValue, type MetricUnit } from './parse/decode';
export {
  parseChartQuery,
  decodeChartQuery,
  seriesOf,
  type DecodedChart,
  type ChartPoint,
} from './parse/chart-query';
export { parseListOfMetrics, decodeListOfMetrics } from './parse/list-of-metrics';
export { parseListingsSection, decodeListingsSection, type ListingSummary } from './parse/listings-section';
export type { MetricParseContext } from './parse/rows';
export { parserV1, parseAirbnbEnvelope, AIRBNB_SOURCE_NAME } from './parser.v1';
export { airbnbSource } from './source';
export * from './parse-command';
export * from './fetch';
export * from './session/jar';
export * from './session/preflight';
export * from './session/client-hints';
export * from './topics/airbnb.metrics.v1';
export * from './topics/airbnb.metrics.v2';
export {
  airbnbListingMetricsMessages,
  airbnbListingMetricsTopic,
  airbnbMetricMessages,
  airbnbMetricsTopic,
} from './topics/metrics-topic';
export { airbnbAdmin, airbnbAdminConfigOf, type AirbnbAdminConfig } from './admin-config';
export * from './accounts';
