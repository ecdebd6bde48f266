import { readFileSync } from 'node:fs';
import { buildParseOutput } from '@staysync/source-airbnb';

export interface ParseOptions {
  operation: string;
  listingId?: string;
  listingName?: string;
  metric?: string;
  metricType?: string;
  window?: string;
  scrapeDate: string;
  accountId?: string;
}

/**
 * `npm run cli -- parse airbnb --operation ChartQuery --listing-id … --listing-name … --metric p3_impressions
 *  --window 2025-01-12:2025-02-08 --scrape-date 2025-02-11 response.json`
 * prints exactly one JSON object: the rows the loader would upsert, per table.
 */
export function parseCommand(source: string, file: string, options: ParseOptions): void {
  if (source !== 'airbnb') throw new Error(`parse supports the airbnb source only (got "${source}")`);
  const output = buildParseOutput({
    operation: options.operation,
    listingId: options.listingId,
    listingName: options.listingName,
    metric: options.metric,
    metricType: options.metricType,
    window: options.window,
    scrapeDate: options.scrapeDate,
    accountId: options.accountId,
    body: readFileSync(file, 'utf8'),
  });
  process.stdout.write(`${JSON.stringify(output)}\n`);
}
