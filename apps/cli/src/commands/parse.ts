import { readFileSync } from 'node:fs';
import { todayUtc } from '@staysync/core';
import { CredentialCipher, parseCredentialKeys, sensitiveFieldsFrom } from '@staysync/crypto';
import { AirbnbResponseError, buildParseOutput } from '@staysync/source-airbnb';
import {
  buildHostawayParseOutput,
  HOSTAWAY_SENSITIVE_FIELDS,
  HostawayParseInputError,
} from '@staysync/source-hostaway';

export interface ParseOptions {
  operation?: string;
  resource?: string;
  listingId?: string;
  listingName?: string;
  metric?: string;
  metricType?: string;
  window?: string;
  scrapeDate?: string;
  accountId?: string;
}

/**
 * `npm run cli -- parse airbnb --operation ChartQuery --listing-id … --listing-name … --metric p3_impressions
 *  --window 2025-01-12:2025-02-08 --scrape-date 2025-02-11 response.json`
 * `npm run cli -- parse hostaway --resource listings --account-id 10001 [--scrape-date 2025-07-03] page.json`
 * prints exactly one JSON object: the rows the loader would upsert, per table.
 */
export function parseCommand(source: string, file: string, options: ParseOptions): void {
  if (source === 'hostaway') return parseHostaway(file, options);
  if (source !== 'airbnb')
    throw new Error(`parse supports the airbnb and hostaway sources (got "${source}")`);
  if (!options.operation || !options.scrapeDate)
    throw new Error('parse airbnb needs --operation and --scrape-date');
  let output: ReturnType<typeof buildParseOutput>;
  try {
    output = buildParseOutput({
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
  } catch (error) {
    if (!(error instanceof AirbnbResponseError)) throw error;
    // an error body (auth failure, edge page, no data) is not an empty result
    process.stderr.write(`parse airbnb: ${error.message}\n`);
    process.exitCode = 2;
    return;
  }
  process.stdout.write(`${JSON.stringify(output)}\n`);
}

/** Sensitive fields are sealed with CREDENTIALS_KEYS (and HOSTAWAY_SENSITIVE_FIELDS[_PATTERN]) from the environment. */
function parseHostaway(file: string, options: ParseOptions): void {
  const env = process.env;
  try {
    const output = buildHostawayParseOutput({
      resource: options.resource ?? '',
      accountId: options.accountId ?? '',
      scrapeDate: options.scrapeDate ?? todayUtc(),
      body: readFileSync(file, 'utf8'),
      cipher: env.CREDENTIALS_KEYS
        ? new CredentialCipher(parseCredentialKeys(env.CREDENTIALS_KEYS))
        : undefined,
      sensitiveFields:
        env.HOSTAWAY_SENSITIVE_FIELDS !== undefined || env.HOSTAWAY_SENSITIVE_FIELD_PATTERN !== undefined
          ? sensitiveFieldsFrom(
              (env.HOSTAWAY_SENSITIVE_FIELDS ?? HOSTAWAY_SENSITIVE_FIELDS.names.join(','))
                .split(',')
                .map((s) => s.trim())
                .filter(Boolean),
              env.HOSTAWAY_SENSITIVE_FIELD_PATTERN ?? HOSTAWAY_SENSITIVE_FIELDS.pattern?.source ?? '',
            )
          : undefined,
    });
    process.stdout.write(`${JSON.stringify(output)}\n`);
  } catch (error) {
    if (!(error instanceof HostawayParseInputError) && (error as NodeJS.ErrnoException).code !== 'ENOENT')
      throw error;
    process.stderr.write(`parse hostaway: ${(error as Error).message}\n`);
    process.exitCode = 2;
  }
}
