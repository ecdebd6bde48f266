import { createHash } from 'node:crypto';
import Ajv from 'ajv';
import type { RawEnvelope } from '@staysync/core';
import { todayUtc } from '@staysync/core';
import { HOSTAWAY_WEBHOOK_EVENTS } from '@staysync/source-hostaway';

/**
 * A unified webhook delivery as Hostaway sends it: `event` (or its alias `eventType`), `accountId`, and the
 * entity in `data` or `payload.data`. Unknown events are valid: they are kept on the raw topic and counted.
 */
export const HOSTAWAY_WEBHOOK_SCHEMA = {
  $id: 'https://staysync.dev/schemas/hostaway-webhook.json',
  type: 'object',
  required: ['accountId'],
  anyOf: [{ required: ['event'] }, { required: ['eventType'] }],
  properties: {
    accountId: {
      anyOf: [
        { type: 'integer', minimum: 1 },
        { type: 'string', pattern: '^[0-9]{1,18}$' },
      ],
    },
    event: { type: 'string', minLength: 1, maxLength: 128 },
    eventType: { type: 'string', minLength: 1, maxLength: 128 },
    object: { type: 'string' },
    data: { type: ['object', 'null'] },
    payload: { type: ['object', 'null'], properties: { data: { type: ['object', 'null'] } } },
  },
} as const;

const validate = new Ajv({ allErrors: true }).compile(HOSTAWAY_WEBHOOK_SCHEMA);

export interface HostawayWebhook {
  accountId: string;
  event: string;
  known: boolean;
  body: Record<string, unknown>;
}

/** The delivery, or the reasons it is not one. */
export function readHostawayWebhook(body: unknown): { webhook: HostawayWebhook } | { errors: string[] } {
  if (!validate(body)) {
    return {
      errors: (validate.errors ?? []).map(
        (e) => `${e.instancePath.slice(1) || 'body'} ${e.message ?? 'is invalid'}`,
      ),
    };
  }
  const value = body as unknown as Record<string, unknown>;
  const event = String(value.event ?? value.eventType);
  return {
    webhook: {
      accountId: String(value.accountId),
      event,
      known: (HOSTAWAY_WEBHOOK_EVENTS as readonly string[]).includes(event),
      body: value,
    },
  };
}

/**
 * The raw envelope of a delivery. Its request key is a hash of the account and body, so a repeated
 * delivery carries the same key (and the loader's if-changed upsert makes it a no-op).
 */
export function webhookEnvelope(webhook: HostawayWebhook, receivedAt = new Date()): RawEnvelope {
  const digest = createHash('sha256').update(stableJson(webhook.body)).digest('hex').slice(0, 32);
  return {
    schemaVersion: 1,
    jobId: null,
    source: 'hostaway',
    accountId: webhook.accountId,
    operation: 'webhook',
    resourceId: null,
    requestKey: `hostaway:${webhook.accountId}:webhook:${digest}`,
    variables: { event: webhook.event, object: webhook.body.object ?? null },
    window: null,
    scrapeDate: todayUtc(receivedAt),
    fetchedAt: receivedAt.toISOString(),
    httpStatus: 200,
    body: webhook.body,
  };
}

/** JSON with object keys sorted, so key order does not change the hash. */
function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stableJson((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}
