/**
 * `RawEnvelope.variables` for Airbnb envelopes: what the fetcher records about a request (never secrets).
 * The parser needs `groupByValue` for ChartQuery (it names the chart_query columns) and reads
 * `listingName` into `airbnb_internal_name`; the rest is for audit and replay.
 *
 *   {
 *     "listingName": "510 Schuyler Street",   // the listing's internalName; null for ListingsSectionQuery
 *     "metricType": "CONVERSION",
 *     "groupByValue": "p3_impressions",       // groupByValues[0] of the request
 *     "relativeDsStart": -175,                 // null for ListingsSectionQuery
 *     "relativeDsEnd": -148
 *   }
 */
export type AirbnbRequestVariables = {
  listingName: string | null;
  metricType: string;
  groupByValue: string;
  relativeDsStart: number | null;
  relativeDsEnd: number | null;
};
