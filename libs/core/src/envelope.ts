/**
 * The raw-response envelope published by fetchers on `raw.<source>.v1` and stored in
 * `<source>.raw_responses`. Its JSON Schema is libs/contracts/src/topics/raw/raw-envelope.schema.json.
 */
export interface RequestWindow {
  /** inclusive, YYYY-MM-DD */
  start: string;
  /** inclusive, YYYY-MM-DD */
  end: string;
}

export interface RawEnvelope<TBody = unknown> {
  schemaVersion: 1;
  /** sync job that produced it; null for webhook deliveries */
  jobId: string | null;
  source: string;
  accountId: string;
  /** upstream operation, e.g. ChartQuery, reservations, webhook */
  operation: string;
  /** listing id / resource id the request was about, if any */
  resourceId: string | null;
  /** stable identity of the request (also the Kafka key): same request on the same scrape day → same key */
  requestKey: string;
  /** request variables without secrets */
  variables: Record<string, unknown>;
  window: RequestWindow | null;
  /** YYYY-MM-DD (UTC) the data was scraped for */
  scrapeDate: string;
  /** ISO-8601 timestamp */
  fetchedAt: string;
  httpStatus: number;
  body: TBody;
}

/** Rows per table, keyed by qualified table name (`airbnb.chart_query`). */
export type Row = Record<string, unknown>;
export type RowsByTable = Record<string, Row[]>;
