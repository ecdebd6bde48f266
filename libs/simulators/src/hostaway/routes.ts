import type { HostawayPathKind } from './protocol';

/** Where a request goes, from its method and path alone. */
export interface Route {
  kind: HostawayPathKind;
  /** the method the endpoint answers (webhooks: the request's own; the handler checks it) */
  method: string;
  /** numeric path id: conversation for messages, resource for single GETs */
  id?: number;
  /** listing/reservation by id */
  single?: boolean;
  /** webhook collection vs item */
  item?: boolean;
}

/** Routes below /v1/ (a trailing slash is ignored); anything else is kind `other` (404). */
export function routeOf(method: string, pathname: string): Route {
  const path = pathname.replace(/\/+$/, '');
  if (path === '/v1/accessTokens') return { kind: 'accessTokens', method: 'POST' };
  if (path === '/v1/listings') return { kind: 'listings', method: 'GET' };
  if (path === '/v1/reservations') return { kind: 'reservations', method: 'GET' };
  if (path === '/v1/conversations') return { kind: 'conversations', method: 'GET' };
  if (path === '/v1/webhooks/unifiedWebhooks') return { kind: 'webhooks', method };
  let m = /^\/v1\/(listings|reservations)\/(\d+)$/.exec(path);
  if (m) return { kind: m[1] as 'listings' | 'reservations', method: 'GET', id: Number(m[2]), single: true };
  m = /^\/v1\/conversations\/(\d+)\/messages$/.exec(path);
  if (m) return { kind: 'messages', method: 'GET', id: Number(m[1]) };
  m = /^\/v1\/webhooks\/unifiedWebhooks\/(\d+)$/.exec(path);
  if (m) return { kind: 'webhooks', method, id: Number(m[1]), item: true };
  return { kind: 'other', method };
}
