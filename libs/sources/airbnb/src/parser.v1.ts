import {
  PoisonMessageError,
  type ParseResult,
  type Parser,
  type RawEnvelope,
  isJsonObject,
} from '@staysync/core';
import { isAuthErrorBody } from './classify';
import { isAirbnbOperationName, type AirbnbOperationName } from './operations';
import { parseChartQuery } from './parse/chart-query';
import { isIsoDate } from './parse/decode';
import { parseListOfMetrics } from './parse/list-of-metrics';
import { parseListingsSection } from './parse/listings-section';
import type { MetricParseContext } from './parse/rows';
import { AIRBNB_TABLES, type AirbnbTableName } from './tables';

/**
 * Parser v1: RawEnvelope → rows, dispatching on `envelope.operation`.
 * - A non-2xx httpStatus, an auth-error body or a GraphQL error body yields zero rows (the fetcher
 *   already failed it).
 * - A malformed envelope (missing account/listing/window/groupByValue, unknown operation) or body
 *   throws PoisonMessageError.
 */
export const parserV1: Parser = { version: 1, parse: parseAirbnbEnvelope };

export const AIRBNB_SOURCE_NAME = 'airbnb';

const TABLES_BY_OPERATION: Readonly<Record<AirbnbOperationName, readonly AirbnbTableName[]>> = {
  ListingsSectionQuery: [AIRBNB_TABLES.listings],
  ChartQuery: [AIRBNB_TABLES.chartQuery, AIRBNB_TABLES.chartSummary],
  ListOfMetricsQuery: [AIRBNB_TABLES.listOfMetrics],
};

export function parseAirbnbEnvelope(envelope: RawEnvelope): ParseResult {
  if (!isJsonObject(envelope)) invalid('envelope is not an object');
  if (envelope.source !== AIRBNB_SOURCE_NAME) {
    invalid(`source is ${JSON.stringify(envelope.source)}, expected "airbnb"`);
  }
  const operation = envelope.operation;
  if (!isAirbnbOperationName(operation)) invalid(`unknown operation ${JSON.stringify(operation)}`);
  if (!Number.isInteger(envelope.httpStatus)) invalid('httpStatus is not an integer');

  if (operation === 'ListingsSectionQuery') {
    const ctx = { accountId: requireAccountId(envelope), scrapeDate: requireScrapeDate(envelope) };
    return hasUsableBody(envelope) ? parseListingsSection(envelope.body, ctx) : emptyResult(operation);
  }
  const ctx = metricContext(envelope, operation);
  if (!hasUsableBody(envelope)) return emptyResult(operation);
  return operation === 'ChartQuery'
    ? parseChartQuery(envelope.body, ctx)
    : parseListOfMetrics(envelope.body, ctx);
}

/** A 2xx answer that is not an error: auth failures and GraphQL errors were already failed by the fetcher. */
function hasUsableBody(envelope: RawEnvelope): boolean {
  return (
    envelope.httpStatus >= 200 &&
    envelope.httpStatus < 300 &&
    !isAuthErrorBody(envelope.body) &&
    !hasGraphqlErrors(envelope.body)
  );
}

function hasGraphqlErrors(body: unknown): boolean {
  return isJsonObject(body) && Array.isArray(body.errors) && body.errors.length > 0;
}

function emptyResult(operation: AirbnbOperationName): ParseResult {
  return {
    rows: Object.fromEntries(TABLES_BY_OPERATION[operation].map((table) => [table, []])),
    unknownMetrics: [],
  };
}

function metricContext(
  envelope: RawEnvelope,
  operation: 'ChartQuery' | 'ListOfMetricsQuery',
): MetricParseContext {
  const variables = isJsonObject(envelope.variables)
    ? envelope.variables
    : invalid('variables is not an object');
  return {
    accountId: requireAccountId(envelope),
    listingId: requireListingId(envelope),
    internalName: optionalListingName(variables),
    scrapeDate: requireScrapeDate(envelope),
    window: requireWindow(envelope),
    // Only ChartQuery names columns after it; for ListOfMetricsQuery it is informational.
    groupByValue:
      operation === 'ChartQuery'
        ? requireGroupByValue(variables)
        : typeof variables.groupByValue === 'string'
          ? variables.groupByValue
          : '',
  };
}

function requireListingId(envelope: RawEnvelope): string {
  const { resourceId } = envelope;
  return typeof resourceId === 'string' && resourceId !== ''
    ? resourceId
    : invalid('resourceId (listing id) is missing');
}

function optionalListingName(variables: Record<string, unknown>): string | null {
  const listingName = variables.listingName ?? null;
  return listingName === null || typeof listingName === 'string'
    ? listingName
    : invalid('variables.listingName is not a string');
}

function requireGroupByValue(variables: Record<string, unknown>): string {
  const { groupByValue } = variables;
  return typeof groupByValue === 'string' && groupByValue !== ''
    ? groupByValue
    : invalid('variables.groupByValue is required for ChartQuery (it names the chart_query columns)');
}

function requireAccountId(envelope: RawEnvelope): string {
  const { accountId } = envelope;
  return typeof accountId === 'string' && accountId !== '' ? accountId : invalid('accountId is missing');
}

function requireScrapeDate(envelope: RawEnvelope): string {
  return requireDate(envelope.scrapeDate, 'scrapeDate');
}

function requireWindow(envelope: RawEnvelope): { start: string; end: string } {
  const window: unknown = envelope.window;
  if (!isJsonObject(window)) return invalid('window is missing');
  return { start: requireDate(window.start, 'window.start'), end: requireDate(window.end, 'window.end') };
}

function requireDate(value: unknown, name: string): string {
  if (typeof value === 'string' && isIsoDate(value)) return value;
  return invalid(`${name} is not a YYYY-MM-DD date: ${JSON.stringify(value)}`);
}

function invalid(reason: string): never {
  throw new PoisonMessageError(`invalid Airbnb envelope: ${reason}`);
}
