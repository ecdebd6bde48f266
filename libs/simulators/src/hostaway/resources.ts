/**
 * The read endpoints (reference §2–§3), over one account's data. Lists are validated (params.ts) and
 * paged by `limit`/`offset`; listings id ASC, reservations updatedOn DESC, id DESC, conversations
 * id ASC, messages date DESC, id DESC (newest first; clients must sort, reference §3).
 */
import type { AccountData } from './dataset';
import { activityRange, dateRange, inRange, optionalInt, type Page, paging } from './params';
import { failBody } from './protocol';
import type { Reply } from './reply';
import { conversationView, reservationView, sortedReservations, threadView } from './views';

/** GET /v1/listings: latestActivityStart/End. */
export function listListings(data: AccountData, url: URL, maxPageSize: number): Reply {
  const page = paging(url, maxPageSize);
  const range = activityRange(url);
  const rows = data.listings.filter((l) => inRange(l.latestActivityOn, range));
  return envelope(rows, page, false);
}

/** GET /v1/reservations: latestActivity range, listingId, channelId, arrival/departure dates, includeResources. */
export function listReservations(data: AccountData, url: URL, maxPageSize: number): Reply {
  const page = paging(url, maxPageSize);
  const range = activityRange(url);
  const q = url.searchParams;
  const listingId = optionalInt(q, 'listingId');
  const channelId = optionalInt(q, 'channelId');
  const arrival = dateRange(q, 'arrivalStartDate', 'arrivalEndDate');
  const departure = dateRange(q, 'departureStartDate', 'departureEndDate');
  const includeResources = q.get('includeResources') === '1';
  const rows = sortedReservations(data).filter(
    (r) =>
      inRange(r.latestActivityOn, range) &&
      (listingId === undefined || r.listingMapId === listingId) &&
      (channelId === undefined || r.channelId === channelId) &&
      inRange(r.arrivalDate, arrival) &&
      inRange(r.departureDate, departure),
  );
  return envelope(rows, page, false, (r) => reservationView(r, includeResources));
}

/** GET /v1/conversations: reservationId. */
export function listConversations(data: AccountData, url: URL, maxPageSize: number): Reply {
  const page = paging(url, maxPageSize);
  const reservationId = optionalInt(url.searchParams, 'reservationId');
  const rows = data.conversations.filter(
    (c) => reservationId === undefined || c.reservationId === reservationId,
  );
  return envelope(rows, page, true, (c) => conversationView(data, c));
}

/** GET /v1/conversations/{id}/messages: includeScheduledMessages=1 adds `awaiting` messages. */
export function listMessages(
  data: AccountData,
  conversationId: number,
  url: URL,
  maxPageSize: number,
): Reply {
  const page = paging(url, maxPageSize);
  if (!data.conversationsById.has(conversationId)) {
    return { status: 404, body: failBody(`Conversation ${conversationId} not found`) };
  }
  const includeScheduled = url.searchParams.get('includeScheduledMessages') === '1';
  return envelope(threadView(data, conversationId, includeScheduled), page, true);
}

/** GET /v1/listings/{id}. */
export function getListing(data: AccountData, id: number | undefined): Reply {
  const listing = data.listings.find((l) => l.id === id);
  return listing ? success(structuredClone(listing)) : notFound();
}

/** GET /v1/reservations/{id}: includeResources. */
export function getReservation(data: AccountData, id: number | undefined, url: URL): Reply {
  const reservation = id === undefined ? undefined : data.reservationsById.get(id);
  if (!reservation) return notFound();
  return success(reservationView(reservation, url.searchParams.get('includeResources') === '1'));
}

/** `{"status":"success","result":[…],"count","limit","offset"}`, plus page/totalPages where upstream sends them. */
function envelope<T>(
  rows: T[],
  { limit, offset }: Page,
  withPages: boolean,
  view: (row: T) => unknown = (row) => structuredClone(row),
): Reply {
  const result = rows.slice(offset, offset + limit).map(view);
  const body: Record<string, unknown> = { status: 'success', result, count: rows.length, limit, offset };
  if (withPages) {
    body.page = Math.floor(offset / limit) + 1;
    body.totalPages = Math.ceil(rows.length / limit);
  }
  return { status: 200, body };
}

function success(result: unknown): Reply {
  return { status: 200, body: { status: 'success', result } };
}

function notFound(): Reply {
  return { status: 404, body: failBody('Not found') };
}
