import {
  PoisonMessageError,
  type ParseResult,
  type Parser,
  type RawEnvelope,
  type Row,
  isJsonObject,
  type JsonObject,
} from '@staysync/core';
import { hostawayDate, hostawayDateTimeToIso } from './datetime';
import { HOSTAWAY_TABLES, PARTIAL_ROW_FLAG } from './tables';

/**
 * Parser v1: RawEnvelope → rows, dispatching on `envelope.operation`.
 * - `listings` / `reservations` / `messages`: one row per entity of `body.result`.
 * - `conversations`: no rows (they are fetched to discover the message threads).
 * - `webhook`: the body is Hostaway's unified webhook; `reservation.created|updated` → a reservation
 *   row, `message.received` → a message row; any other event → no rows, its name in `unknownMetrics`.
 * Entities without an id (and messages without any timestamp) are skipped. A malformed envelope or body
 * throws PoisonMessageError.
 */
export const HOSTAWAY_SOURCE_NAME = 'hostaway';

export const parserV1: Parser = { version: 1, parse: parseHostawayEnvelope };

export const HOSTAWAY_OPERATIONS = [
  'listings',
  'reservations',
  'conversations',
  'messages',
  'webhook',
] as const;
export type HostawayOperation = (typeof HOSTAWAY_OPERATIONS)[number];

export const HOSTAWAY_WEBHOOK_EVENTS = [
  'reservation.created',
  'reservation.updated',
  'message.received',
] as const;

/** What every row of one envelope shares. */
export interface RowContext {
  accountId: string;
  observedAt: string;
  /** for `messages` pages: the conversation the request was about */
  conversationId: string | null;
}

type EntityToRow = (entity: JsonObject, ctx: RowContext) => Row | null;

export function parseHostawayEnvelope(envelope: RawEnvelope): ParseResult {
  if (!isJsonObject(envelope)) invalid('envelope is not an object');
  if (envelope.source !== HOSTAWAY_SOURCE_NAME)
    invalid(`source is ${JSON.stringify(envelope.source)}, expected "hostaway"`);
  const ctx: RowContext = {
    accountId: requireAccountId(envelope.accountId),
    observedAt: requireTimestamp(envelope.fetchedAt, 'fetchedAt'),
    conversationId: int8(envelope.resourceId),
  };
  switch (envelope.operation as HostawayOperation) {
    case 'listings':
      return {
        rows: { [HOSTAWAY_TABLES.listings]: resultRows(envelope.body, listingRow, ctx) },
        unknownMetrics: [],
      };
    case 'reservations':
      return {
        rows: { [HOSTAWAY_TABLES.reservations]: resultRows(envelope.body, reservationRow, ctx) },
        unknownMetrics: [],
      };
    case 'messages':
      return {
        rows: { [HOSTAWAY_TABLES.messages]: resultRows(envelope.body, messageRow, ctx) },
        unknownMetrics: [],
      };
    case 'conversations':
      resultEntities(envelope.body);
      return { rows: {}, unknownMetrics: [] };
    case 'webhook':
      return parseWebhook(envelope.body, { ...ctx, conversationId: null });
    default:
      return invalid(`unknown operation ${JSON.stringify(envelope.operation)}`);
  }
}

/**
 * The entities of a list envelope `{status:"success", result:[…]}`. No silent shape drift: a page
 * without that structure is poison naming what is missing (dead-lettered at stage `parse`, the raw
 * response kept for a replay); only an explicitly empty `result: []` yields no rows.
 */
function resultEntities(body: unknown): unknown[] {
  if (!isJsonObject(body)) return invalid('body is not a JSON object');
  if (body.status === 'fail') return invalid(`upstream answered status "fail": ${describeFailure(body)}`);
  if (body.status !== 'success')
    return invalid(
      `body.status is ${body.status === undefined ? 'missing' : JSON.stringify(body.status)}, expected "success"`,
    );
  if (body.result === undefined || body.result === null) return invalid('body.result is missing');
  if (!Array.isArray(body.result)) return invalid('body.result is not an array');
  return body.result;
}

/**
 * One row per entity of the page. An entity that is not an object or has no id is drift; a message
 * without a usable send time (Hostaway writes "0000-00-00 00:00:00") is skipped, as before.
 */
function resultRows(body: unknown, toRow: EntityToRow, ctx: RowContext): Row[] {
  const rows: Row[] = [];
  resultEntities(body).forEach((entity, i) => {
    if (!isJsonObject(entity)) return invalid(`body.result[${i}] is not an object`);
    if (int8(entity.id) === null) return invalid(`body.result[${i}].id is missing or not an integer`);
    const row = toRow(entity, ctx);
    if (row) rows.push(row);
  });
  return rows;
}

function rowsOf(entities: unknown[], toRow: EntityToRow, ctx: RowContext): Row[] {
  const rows: Row[] = [];
  for (const entity of entities) {
    const row = isJsonObject(entity) ? toRow(entity, ctx) : null;
    if (row) rows.push(row);
  }
  return rows;
}

export function listingRow(listing: JsonObject, ctx: RowContext): Row | null {
  const id = int8(listing.id);
  if (id === null) return null;
  return {
    id,
    account_id: ctx.accountId,
    name: text(listing.name),
    city: text(listing.city),
    country_code: text(listing.countryCode),
    currency_code: text(listing.currencyCode),
    time_zone: text(listing.timeZoneName),
    latest_activity_on: hostawayDateTimeToIso(listing.latestActivityOn),
    raw_payload: listing,
    observed_at: ctx.observedAt,
  };
}

export function reservationRow(reservation: JsonObject, ctx: RowContext): Row | null {
  const id = int8(reservation.id);
  if (id === null) return null;
  return {
    id,
    account_id: ctx.accountId,
    listing_id: int8(reservation.listingMapId),
    channel_id: int8(reservation.channelId),
    channel_name: text(reservation.channelName),
    status: text(reservation.status),
    arrival_date: hostawayDate(reservation.arrivalDate),
    departure_date: hostawayDate(reservation.departureDate),
    cancelled_at: hostawayDateTimeToIso(reservation.cancellationDate),
    upstream_updated_at: hostawayDateTimeToIso(reservation.updatedOn),
    raw_payload: reservation,
    observed_at: ctx.observedAt,
  };
}

/** Docs call the send time `sentChannelDate`, real payloads `sentToChannelDate` (reference §3). */
const MESSAGE_TIME_FIELDS = [
  'sentToChannelDate',
  'sentChannelDate',
  'date',
  'insertedOn',
  'updatedOn',
] as const;

export function messageSentAt(message: JsonObject): string | null {
  for (const field of MESSAGE_TIME_FIELDS) {
    const at = hostawayDateTimeToIso(message[field]);
    if (at !== null) return at;
  }
  return null;
}

export function messageRow(message: JsonObject, ctx: RowContext): Row | null {
  const id = int8(message.id);
  const sentAt = messageSentAt(message);
  if (id === null || sentAt === null) return null;
  return {
    id,
    account_id: ctx.accountId,
    conversation_id: int8(message.conversationId) ?? ctx.conversationId,
    reservation_id: int8(message.reservationId),
    listing_id: int8(message.listingMapId),
    sent_at: sentAt,
    is_incoming: bool(message.isIncoming),
    status: text(message.status),
    raw_payload: message,
    observed_at: ctx.observedAt,
  };
}

/** Unified webhook: `event` (alias `eventType`), entity in `data` or `payload.data` (reference §4). */
function parseWebhook(body: unknown, ctx: RowContext): ParseResult {
  if (!isJsonObject(body)) return invalid('webhook body is not a JSON object');
  const event = body.event ?? body.eventType;
  if (typeof event !== 'string' || event === '') return invalid('webhook has no event (or eventType)');
  const data = webhookData(body);
  const entities = data === null ? [] : [data];
  switch (event) {
    case 'reservation.created':
    case 'reservation.updated':
      return {
        rows: {
          [HOSTAWAY_TABLES.reservations]: rowsOf(entities, partial(reservationRow, RESERVATION_FIELDS), ctx),
        },
        unknownMetrics: [],
      };
    case 'message.received':
      return {
        rows: { [HOSTAWAY_TABLES.messages]: rowsOf(entities, partial(messageRow, MESSAGE_FIELDS), ctx) },
        unknownMetrics: [],
      };
    default:
      return { rows: {}, unknownMetrics: [event] };
  }
}

/** The payload fields each query column is read from; a webhook row keeps a column only when its fields are present. */
const RESERVATION_FIELDS: Record<string, readonly string[]> = {
  listing_id: ['listingMapId'],
  channel_id: ['channelId'],
  channel_name: ['channelName'],
  status: ['status'],
  arrival_date: ['arrivalDate'],
  departure_date: ['departureDate'],
  cancelled_at: ['cancellationDate'],
  upstream_updated_at: ['updatedOn'],
};

const MESSAGE_FIELDS: Record<string, readonly string[]> = {
  conversation_id: ['conversationId'],
  reservation_id: ['reservationId'],
  listing_id: ['listingMapId'],
  sent_at: MESSAGE_TIME_FIELDS,
  is_incoming: ['isIncoming'],
  status: ['status'],
};

/**
 * A webhook entity as a partial row (see tables.ts PARTIAL_ROW_FLAG): the columns whose fields the payload
 * lacks are left out, so the stored values stay until the next poll.
 */
function partial(toRow: EntityToRow, fields: Record<string, readonly string[]>): EntityToRow {
  return (entity, ctx) => {
    const row = toRow(entity, ctx);
    if (!row) return null;
    for (const [column, sources] of Object.entries(fields))
      if (!sources.some((f) => f in entity)) delete row[column];
    row[PARTIAL_ROW_FLAG] = true;
    return row;
  };
}

function webhookData(body: JsonObject): JsonObject | null {
  if (isJsonObject(body.data)) return body.data;
  if (isJsonObject(body.payload) && isJsonObject(body.payload.data)) return body.payload.data;
  return null;
}

/** An integer id as the decimal string the int8 columns take (ids may exceed 2^31; kept exact). */
function int8(value: unknown): string | null {
  if (typeof value === 'number') return Number.isSafeInteger(value) ? String(value) : null;
  if (typeof value === 'string' && /^-?\d{1,19}$/.test(value)) return value;
  return null;
}

function text(value: unknown): string | null {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return null;
}

/** Hostaway booleans are 0/1. */
function bool(value: unknown): boolean | null {
  if (value === 1 || value === '1' || value === true) return true;
  if (value === 0 || value === '0' || value === false) return false;
  return null;
}

function requireAccountId(value: unknown): string {
  const id = typeof value === 'string' ? int8(value) : null;
  return id ?? invalid(`accountId ${JSON.stringify(value)} is not a Hostaway account id`);
}

function requireTimestamp(value: unknown, name: string): string {
  const ms = typeof value === 'string' ? Date.parse(value) : NaN;
  return Number.isNaN(ms)
    ? invalid(`${name} is not an ISO timestamp: ${JSON.stringify(value)}`)
    : new Date(ms).toISOString();
}

function describeFailure(body: JsonObject): string {
  const message =
    typeof body.message === 'string'
      ? body.message
      : typeof body.result === 'string'
        ? body.result
        : 'no message';
  return message.slice(0, 200);
}

function invalid(reason: string): never {
  throw new PoisonMessageError(`invalid Hostaway envelope: ${reason}`);
}
