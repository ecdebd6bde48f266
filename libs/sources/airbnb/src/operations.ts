/** The three persisted GraphQL operations behind the host performance dashboard (reference §1). */
export interface AirbnbOperation {
  operationName: AirbnbOperationName;
  sha256Hash: string;
  clientName: string;
}

export type AirbnbOperationName = 'ListingsSectionQuery' | 'ChartQuery' | 'ListOfMetricsQuery';

export const AIRBNB_OPERATIONS: Readonly<Record<AirbnbOperationName, AirbnbOperation>> = {
  ListingsSectionQuery: {
    operationName: 'ListingsSectionQuery',
    sha256Hash: '7a646c07b45ad35335b2cde4842e5c5bf69ccebde508b2ba60276832bfb1816b',
    clientName: 'web-performance-dash-listings',
  },
  ChartQuery: {
    operationName: 'ChartQuery',
    sha256Hash: 'aa6e318cc066bbf19511b86acdce32fc59219d8596448b861d794491f46631c5',
    clientName: 'web-performance-dash-chart',
  },
  ListOfMetricsQuery: {
    operationName: 'ListOfMetricsQuery',
    sha256Hash: 'b22a5ded5e6c6d168f1d224b78f34182e7366e5cc65203ec04f1e718286a09e1',
    clientName: 'web-performance-dash-metrics',
  },
};

export const AIRBNB_OPERATION_NAMES = Object.keys(AIRBNB_OPERATIONS) as AirbnbOperationName[];

export function isAirbnbOperationName(value: unknown): value is AirbnbOperationName {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(AIRBNB_OPERATIONS, value);
}

/** Configured persisted-query hashes; an operation left out uses the reference's hash. */
export type AirbnbQueryHashes = Partial<Record<AirbnbOperationName, string>>;

/** `/api/v3/<operationName>/<sha256Hash>` — the persisted-query URL path (POST). */
export function operationPath(op: AirbnbOperationName, hashes: AirbnbQueryHashes = {}): string {
  return `/api/v3/${AIRBNB_OPERATIONS[op].operationName}/${queryHash(op, hashes)}`;
}

export function queryHash(op: AirbnbOperationName, hashes: AirbnbQueryHashes = {}): string {
  return hashes[op] ?? AIRBNB_OPERATIONS[op].sha256Hash;
}

/** The environment variable holding an operation's hash: ChartQuery → AIRBNB_CHART_QUERY_HASH. */
export function hashEnvName(op: AirbnbOperationName): string {
  return `AIRBNB_${op.replace(/([a-z])([A-Z])/g, '$1_$2').toUpperCase()}_HASH`;
}
