import { isJsonObject, tryParseJson, type RawEnvelope, type Row } from '@staysync/core';
import { graphqlErrors, isAuthErrorBody } from './classify';
import { isAirbnbOperationName } from './operations';
import { parserV1, AIRBNB_SOURCE_NAME } from './parser.v1';
import { metricRequestKey, planListingsRequest } from './plan';
import type { AirbnbRequestVariables } from './request-variables';
import { AIRBNB_TABLES } from './tables';
import { relativeDs } from './windows';

/**
 * Backs `npm run cli -- parse airbnb …`: turns a saved response body into the rows the loader would
 * upsert, by wrapping it in the RawEnvelope the fetcher would have published and running the parser.
 */
export interface ParseCommandInput {
  /** ListingsSectionQuery | ChartQuery | ListOfMetricsQuery */
  operation: string;
  /** required for ChartQuery / ListOfMetricsQuery */
  listingId?: string;
  /** the listing's internalName → airbnb_internal_name */
  listingName?: string | null;
  /** the request's groupByValue, e.g. `p3_impressions`; required for ChartQuery */
  metric?: string;
  /** `<start>:<end>` (YYYY-MM-DD:YYYY-MM-DD); required for ChartQuery / ListOfMetricsQuery */
  window?: string;
  scrapeDate: string;
  /** the response JSON, parsed or as text */
  body: unknown;
  metricType?: string;
  /** goes into account_id; a placeholder by default */
  accountId?: string;
}

export interface ParseCommandOutput {
  chart_query: Row[];
  list_of_metrics: Row[];
  chart_summary: Row[];
  listings: Row[];
}

export const PARSE_COMMAND_ACCOUNT_ID = 'cli';

/** A saved body that is not a usable response: the CLI prints the reason and exits non-zero. */
export class AirbnbResponseError extends Error {
  override readonly name = 'AirbnbResponseError';
}

/**
 * Refuses bodies that carry no rows, saying why: an authentication failure (either rule of reference
 * §6), a page that is not JSON (an edge block or error page), or JSON without `data` (an error answer).
 */
export function assertUsableResponse(body: unknown): void {
  const parsed = typeof body === 'string' ? tryParseJson(body) : body;
  if (parsed === undefined)
    throw new AirbnbResponseError('the response is not JSON (an HTML edge block or error page?): no rows');
  if (!isJsonObject(parsed)) throw new AirbnbResponseError('the response is not a JSON object: no rows');
  const messages = graphqlErrors(parsed).map((e) => e.message ?? e.errorType ?? '?');
  if (isAuthErrorBody(parsed)) {
    throw new AirbnbResponseError(
      `authentication failure: the session cookie was rejected (${messages.length > 0 ? messages.join('; ') : 'getPerformanceComponents is null'}): no rows`,
    );
  }
  if (!isJsonObject(parsed.data)) {
    throw new AirbnbResponseError(
      `the response has no data${messages.length > 0 ? ` (errors: ${messages.join('; ')})` : ''}: no rows`,
    );
  }
}

export function buildParseOutput(input: ParseCommandInput): ParseCommandOutput {
  assertUsableResponse(input.body);
  const { rows } = parserV1.parse(buildEnvelope(input));
  return {
    chart_query: rows[AIRBNB_TABLES.chartQuery] ?? [],
    list_of_metrics: rows[AIRBNB_TABLES.listOfMetrics] ?? [],
    chart_summary: rows[AIRBNB_TABLES.chartSummary] ?? [],
    listings: rows[AIRBNB_TABLES.listings] ?? [],
  };
}

export function buildEnvelope(input: ParseCommandInput): RawEnvelope {
  const { operation, scrapeDate, accountId = PARSE_COMMAND_ACCOUNT_ID } = input;
  if (!isAirbnbOperationName(operation)) {
    throw new Error(
      `unknown operation "${operation}": use ListingsSectionQuery, ChartQuery or ListOfMetricsQuery`,
    );
  }
  const base = {
    schemaVersion: 1 as const,
    jobId: null,
    source: AIRBNB_SOURCE_NAME,
    accountId,
    operation,
    scrapeDate,
    fetchedAt: `${scrapeDate}T00:00:00.000Z`,
    httpStatus: 200,
    body: typeof input.body === 'string' ? (JSON.parse(input.body) as unknown) : input.body,
  };
  if (operation === 'ListingsSectionQuery') {
    const request = planListingsRequest(scrapeDate);
    return {
      ...base,
      resourceId: null,
      requestKey: request.requestKey,
      variables: request.variables,
      window: null,
    };
  }

  const listingId = required(input.listingId, '--listing-id');
  const groupByValue = operation === 'ChartQuery' ? required(input.metric, '--metric') : (input.metric ?? '');
  const window = parseWindowArgument(required(input.window, '--window'));
  const metricType = input.metricType ?? 'CONVERSION';
  const variables: AirbnbRequestVariables = {
    listingName: input.listingName ?? null,
    metricType,
    groupByValue,
    relativeDsStart: relativeDs(window.start, scrapeDate),
    relativeDsEnd: relativeDs(window.end, scrapeDate),
  };
  return {
    ...base,
    resourceId: listingId,
    requestKey: metricRequestKey({
      operation,
      listingId,
      metricType,
      groupByValue,
      window,
      scrapeDay: scrapeDate,
    }),
    variables,
    window,
  };
}

/** `2025-01-12:2025-02-08` → { start, end }. */
export function parseWindowArgument(text: string): { start: string; end: string } {
  const match = /^(\d{4}-\d{2}-\d{2}):(\d{4}-\d{2}-\d{2})$/.exec(text.trim());
  if (!match) throw new Error(`invalid window "${text}": expected YYYY-MM-DD:YYYY-MM-DD`);
  return { start: match[1], end: match[2] };
}

function required(value: string | undefined, flag: string): string {
  if (value === undefined || value === '') throw new Error(`${flag} is required for this operation`);
  return value;
}
