import { PoisonMessageError, type RawEnvelope, type Row, isJsonObject } from '@staysync/core';
import {
  isSealedValue,
  isSensitiveKey,
  sealSensitiveFields,
  type CredentialCipher,
  type SensitiveFields,
} from '@staysync/crypto';
import type { HostawayListOperation } from './fetch/envelope';
import { HOSTAWAY_SOURCE_NAME, parserV1 } from './parser.v1';
import { HOSTAWAY_SENSITIVE_FIELDS } from './sensitive-fields';

/**
 * Backs `npm run cli -- parse hostaway --resource <listings|reservations|conversations|messages>
 * --account-id <id> [--scrape-date YYYY-MM-DD] page.json`: one saved API page
 * (`{"status":"success","result":[…]}`) → the rows the loader would upsert, per table (unqualified
 * name). The page goes through what the fetcher does before publishing (sensitive fields sealed) and
 * the current parser, so the rows are exactly the loader's: column names as keys, timestamps ISO 8601
 * UTC, secrets in their sealed form. `observed_at` is the scrape day's midnight UTC.
 */
export const HOSTAWAY_PARSE_RESOURCES = [
  'listings',
  'reservations',
  'conversations',
  'messages',
] as const satisfies readonly HostawayListOperation[];

export interface HostawayParseInput {
  resource: string;
  accountId: string;
  /** YYYY-MM-DD */
  scrapeDate: string;
  /** the page as text or parsed */
  body: unknown;
  /** seals the sensitive fields; required only when the page holds any in clear */
  cipher?: CredentialCipher;
  sensitiveFields?: SensitiveFields;
}

/** A page the command cannot turn into rows; the message says why (printed on stderr). */
export class HostawayParseInputError extends Error {
  override readonly name = 'HostawayParseInputError';
}

export function buildHostawayParseOutput(input: HostawayParseInput): Record<string, Row[]> {
  const envelope = buildHostawayEnvelope(input);
  try {
    const { rows } = parserV1.parse(envelope);
    return Object.fromEntries(
      Object.entries(rows).map(([table, tableRows]) => [table.replace(/^hostaway\./, ''), tableRows]),
    );
  } catch (error) {
    if (error instanceof PoisonMessageError) throw new HostawayParseInputError(error.message);
    throw error;
  }
}

export function buildHostawayEnvelope(input: HostawayParseInput): RawEnvelope {
  const { resource, accountId, scrapeDate } = input;
  if (!(HOSTAWAY_PARSE_RESOURCES as readonly string[]).includes(resource)) {
    throw new HostawayParseInputError(
      `unknown resource "${resource}": use ${HOSTAWAY_PARSE_RESOURCES.join(', ')}`,
    );
  }
  if (!/^[0-9]{1,18}$/.test(accountId))
    throw new HostawayParseInputError(`--account-id "${accountId}" is not a Hostaway account id (digits)`);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(scrapeDate) || Number.isNaN(Date.parse(`${scrapeDate}T00:00:00Z`))) {
    throw new HostawayParseInputError(`--scrape-date "${scrapeDate}" is not a YYYY-MM-DD date`);
  }
  const page = typeof input.body === 'string' ? parseJson(input.body) : input.body;
  if (!isJsonObject(page) || !Array.isArray(page.result)) {
    throw new HostawayParseInputError(
      'the file is not a saved Hostaway list page: expected {"status":"success","result":[…]}',
    );
  }
  const fields = input.sensitiveFields ?? HOSTAWAY_SENSITIVE_FIELDS;
  const body = input.cipher
    ? sealSensitiveFields(page, fields, input.cipher)
    : refuseClearSecrets(page, fields);
  return {
    schemaVersion: 1,
    jobId: null,
    source: HOSTAWAY_SOURCE_NAME,
    accountId,
    operation: resource,
    resourceId: null,
    requestKey: `hostaway:${accountId}:${scrapeDate}:${resource}:-:cli`,
    variables: {},
    window: null,
    scrapeDate,
    fetchedAt: `${scrapeDate}T00:00:00.000Z`,
    httpStatus: 200,
    body,
  };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new HostawayParseInputError(`the file is not JSON: ${(error as Error).message}`);
  }
}

/** Without a key the rows could only show secrets in clear: refuse instead, naming the fields. */
function refuseClearSecrets<T>(page: T, fields: SensitiveFields): T {
  const found = new Set<string>();
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (isJsonObject(node)) {
      for (const [key, value] of Object.entries(node)) {
        if (isSensitiveKey(key, fields)) {
          if (value !== null && !isSealedValue(value)) found.add(key);
        } else walk(value);
      }
    }
  };
  walk(page);
  if (found.size > 0) {
    throw new HostawayParseInputError(
      `the page holds sensitive fields in clear (${[...found].sort().join(', ')}): set CREDENTIALS_KEYS so they are printed sealed`,
    );
  }
  return page;
}
