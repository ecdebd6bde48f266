/*
 * ListingsSectionQuery → airbnb.listings, one row per tableRows entry.
 *
 * components[0] (PIVOT_LISTINGS_SECTION):
 *   {
 *     "componentName": "PIVOT_LISTINGS_SECTION", "totalCount": 7, "resultsCount": 7,
 *     "tableRows": [
 *       { "id": "999161464035752799", "internalName": "510 Schuyler Street Apt 1",
 *         "listingName": "Thoughtfully Designed and Fully Equipped", "summary": "…",
 *         "thumbnailUrl": "https://a0.muscache.com/…", "metricUnit": { "metricName": "occupancy_rate", … } }
 *     ]
 *   }
 * `id` is an 18–19 digit string, beyond Number.MAX_SAFE_INTEGER: it stays a string. The occupancy
 * metricUnit is the dashboard's sort column, not a metric we store.
 */
import type { ParseResult, Row } from '@staysync/core';
import { AIRBNB_TABLES } from '../tables';
import {
  firstComponent,
  malformed,
  presentArray,
  requireObject,
  stringOrNull,
  type JsonPath,
} from './decode';

export const LISTINGS_COMPONENT = {
  componentName: 'PIVOT_LISTINGS_SECTION',
  typename: 'porygonPPivotListingsSection',
};

export interface ListingsParseContext {
  accountId: string;
  scrapeDate: string;
}

export interface ListingSummary {
  id: string;
  internalName: string | null;
  listingName: string | null;
  thumbnailUrl: string | null;
}

export function parseListingsSection(body: unknown, ctx: ListingsParseContext): ParseResult {
  return {
    rows: {
      [AIRBNB_TABLES.listings]: decodeListingsSection(body).map((listing) => listingRow(listing, ctx)),
    },
    unknownMetrics: [],
  };
}

export function decodeListingsSection(body: unknown): ListingSummary[] {
  const component = firstComponent(body, LISTINGS_COMPONENT);
  if (!component) return [];
  return presentArray(component.tableRows, 'tableRows').map((value, i) => {
    const entryPath = () => `tableRows[${i}]`;
    const entry = requireObject(value, entryPath);
    return {
      id: listingId(entry.id, () => `${entryPath()}.id`),
      internalName: stringOrNull(entry.internalName),
      listingName: stringOrNull(entry.listingName),
      thumbnailUrl: stringOrNull(entry.thumbnailUrl),
    };
  });
}

export function listingRow(listing: ListingSummary, ctx: ListingsParseContext): Row {
  return {
    account_id: ctx.accountId,
    airbnb_listing_id: listing.id,
    airbnb_internal_name: listing.internalName,
    listing_name: listing.listingName,
    thumbnail_url: listing.thumbnailUrl,
    last_seen_date: ctx.scrapeDate,
  };
}

/** A digit string; a JSON number is accepted only while it is still exact. */
function listingId(value: unknown, path: JsonPath): string {
  if (typeof value === 'string' && /^\d+$/.test(value)) return value;
  if (typeof value === 'number' && Number.isSafeInteger(value) && value > 0) return String(value);
  return malformed(path, `is not a listing id (digit string): ${JSON.stringify(value)}`);
}
