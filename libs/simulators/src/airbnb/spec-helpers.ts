/** Request builders shared by the simulator's specs (not exported from the package). */
import { fixtureText, type AirbnbFixtureName } from '../../../sources/airbnb/fixtures/load';
import { AIRBNB_PERSISTED_QUERIES, type AirbnbOperation } from './protocol';
import type { AirbnbSimulator } from './server';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** A recorded upstream response, from the one copy in the Airbnb source's fixtures (`name` without `.json`). */
export function fixture(name: AirbnbFixtureName extends `${infer Base}.json` ? Base : never): Json {
  return JSON.parse(fixtureText(`${name}.json`)) as Json;
}

export function requestBody(operation: AirbnbOperation, args: Record<string, unknown>) {
  const query = AIRBNB_PERSISTED_QUERIES[operation];
  return {
    operationName: operation,
    locale: 'en',
    currency: 'USD',
    variables: { request: { clientName: query.clientName, arguments: args, useStubbedData: false } },
    extensions: { persistedQuery: { version: 1, sha256Hash: query.sha256Hash } },
  };
}

export const listingsArgs = () => ({
  metricType: 'CONVERSION',
  groupBys: ['RATING_CATEGORY'],
  groupByValues: ['occupancy_rate'],
});

export const chartArgs = (listingId: string, start: number, end: number, group = 'p3_impressions') => ({
  metricType: 'CONVERSION',
  groupBys: ['RATING_CATEGORY'],
  groupByValues: [group],
  metricComparisonType: 'MARKET',
  relativeDsStart: start,
  relativeDsEnd: end,
  filters: { listingIds: [listingId] },
});

export const lomArgs = (listingId: string, start: number, end: number, group = 'conversion_rate') => ({
  metricType: 'CONVERSION',
  groupBys: ['RATING_CATEGORY'],
  groupByValues: [group],
  relativeDsStart: start,
  relativeDsEnd: end,
  filters: { listingIds: [listingId] },
});

export interface PostOptions {
  cookie?: string;
  /** URL hash; default: the operation's */
  hash?: string;
  signal?: AbortSignal;
}

export function post(
  sim: AirbnbSimulator,
  operation: AirbnbOperation,
  body: unknown,
  { cookie, hash, signal }: PostOptions = {},
): Promise<Response> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (cookie !== undefined) headers.cookie = cookie;
  const url = `${sim.url}/api/v3/${operation}/${hash ?? AIRBNB_PERSISTED_QUERIES[operation].sha256Hash}`;
  return fetch(url, { method: 'POST', headers, body: JSON.stringify(body), signal });
}

/**
 * The structure of a JSON document as a set of lines: each object's key list in order,
 * each `__typename` value, and each leaf's type; array elements are merged under `[]`.
 */
export function shapeOf(value: Json, path = '$', out = new Set<string>()): Set<string> {
  if (Array.isArray(value)) {
    out.add(`${path}: array`);
    for (const item of value) shapeOf(item, `${path}[]`, out);
  } else if (value !== null && typeof value === 'object') {
    out.add(`${path}: {${Object.keys(value).join(',')}}`);
    for (const [key, child] of Object.entries(value)) {
      if (key === '__typename') out.add(`${path}.__typename = ${(child as string).toString()}`);
      else shapeOf(child, `${path}.${key}`, out);
    }
  } else {
    out.add(`${path}: ${value === null ? 'null' : typeof value}`);
  }
  return out;
}

export const sorted = (shape: Set<string>) => [...shape].sort();
