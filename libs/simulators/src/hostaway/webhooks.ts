import type { HostawayMessage, HostawayReservation } from './dataset';

/**
 * Webhook side of the simulator (reference §4): build unified-webhook envelopes the way
 * Hostaway sends them and POST them to a receiver.
 */

export interface HostawayWebhookAuth {
  login?: string | null;
  password?: string | null;
}

export interface HostawayWebhookResponse {
  status: number;
  /** parsed JSON when the reply is JSON, else the raw text */
  body: unknown;
  headers: Record<string, string>;
}

export type HostawayWebhookEvent = 'reservation.created' | 'reservation.updated' | 'message.received';

export interface HostawayWebhookEnvelope {
  object: string;
  event?: string;
  /** upstream alias of `event` */
  eventType?: string;
  accountId?: number;
  data?: unknown;
  payload?: { data: unknown };
  [key: string]: unknown;
}

export interface WebhookShapeOptions {
  /** entity in `payload.data` instead of `data` */
  nested?: boolean;
  /** name the event key `eventType` (upstream alias) instead of `event` */
  eventTypeAlias?: boolean;
}

/** The Basic auth header Hostaway sends, or null: only when both login and password are set. */
export function hostawayWebhookAuthHeader(auth: HostawayWebhookAuth | null | undefined): string | null {
  if (!auth?.login || !auth.password) return null;
  return `Basic ${Buffer.from(`${auth.login}:${auth.password}`, 'utf8').toString('base64')}`;
}

/**
 * POST `body` (an object → JSON; a string → sent verbatim, e.g. to test bad JSON) to `url`
 * with `Content-Type: application/json`, adding Basic auth only when login and password are both set.
 */
export async function sendHostawayWebhook(
  url: string,
  auth: HostawayWebhookAuth | null,
  body: unknown,
  options: { timeoutMs?: number; headers?: Record<string, string> } = {},
): Promise<HostawayWebhookResponse> {
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'user-agent': 'Hostaway-Webhook-Simulator/1.0',
    ...options.headers,
  };
  const authorization = hostawayWebhookAuthHeader(auth);
  if (authorization) headers.authorization = authorization;
  const res = await fetch(url, {
    method: 'POST',
    headers,
    body: typeof body === 'string' ? body : JSON.stringify(body),
    // Upstream waits 20 s for an answer (reference §4).
    signal: AbortSignal.timeout(options.timeoutMs ?? 20_000),
  });
  const text = await res.text();
  let parsed: unknown = text;
  if (text !== '' && (res.headers.get('content-type') ?? '').includes('json')) {
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = text;
    }
  }
  return { status: res.status, body: parsed, headers: Object.fromEntries(res.headers.entries()) };
}

/** `{"object":"reservation","event":…,"accountId":…,"data":{…}}` (or `payload.data` when nested). */
export function reservationWebhook(
  accountId: number,
  reservation: Partial<HostawayReservation>,
  event: 'reservation.created' | 'reservation.updated' = 'reservation.updated',
  options: WebhookShapeOptions = {},
): HostawayWebhookEnvelope {
  return envelope('reservation', event, accountId, reservation, options);
}

/** `{"object":"conversationMessage","event":"message.received","accountId":…,"data":{…}}`. */
export function messageWebhook(
  accountId: number,
  message: Partial<HostawayMessage>,
  options: WebhookShapeOptions = {},
): HostawayWebhookEnvelope {
  return envelope('conversationMessage', 'message.received', accountId, message, options);
}

/** An event the receiver does not know (it must still answer 200), e.g. `listing.updated`. */
export function unknownWebhook(
  accountId: number,
  event = 'listing.updated',
  data: unknown = {},
  object = event.split('.')[0],
  options: WebhookShapeOptions = {},
): HostawayWebhookEnvelope {
  return envelope(object, event, accountId, data, options);
}

function envelope(
  object: string,
  event: string,
  accountId: number,
  data: unknown,
  { nested = false, eventTypeAlias = false }: WebhookShapeOptions,
): HostawayWebhookEnvelope {
  const body: HostawayWebhookEnvelope = { object };
  if (eventTypeAlias) body.eventType = event;
  else body.event = event;
  body.accountId = accountId;
  if (nested) body.payload = { data: structuredClone(data) };
  else body.data = structuredClone(data);
  return body;
}
