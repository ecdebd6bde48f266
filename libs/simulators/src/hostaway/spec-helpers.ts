/** Client helpers shared by the Hostaway simulator's specs (not exported from the package). */
import type { HostawaySimulator } from './server';

export interface Envelope<T = Record<string, unknown>> {
  status: 'success';
  result: T[];
  count: number;
  limit: number;
  offset: number;
  page?: number;
  totalPages?: number;
}

export interface Fail {
  status: 'fail';
  message: string;
}

/** A hand-driven ms clock for token warm-up and rate-limit windows. */
export function manualClock(start = 1_700_000_000_000) {
  let t = start;
  return {
    now: () => t,
    advance: (ms: number) => {
      t += ms;
    },
  };
}

export function tokenRequest(
  sim: HostawaySimulator,
  form: Record<string, string>,
  headers: Record<string, string> = {},
): Promise<Response> {
  return fetch(`${sim.url}accessTokens`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'cache-control': 'no-cache',
      ...headers,
    },
    body: new URLSearchParams(form).toString(),
  });
}

export async function mint(
  sim: HostawaySimulator,
  accountId: number,
  secret: string,
  headers: Record<string, string> = {},
): Promise<string> {
  const res = await tokenRequest(
    sim,
    {
      grant_type: 'client_credentials',
      client_id: String(accountId),
      client_secret: secret,
      scope: 'general',
    },
    headers,
  );
  if (res.status !== 200) throw new Error(`token mint failed: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { access_token: string }).access_token;
}

export function get(
  sim: HostawaySimulator,
  path: string,
  token?: string,
  init: { headers?: Record<string, string>; signal?: AbortSignal } = {},
): Promise<Response> {
  const headers: Record<string, string> = { ...init.headers };
  if (token !== undefined) headers.authorization = `Bearer ${token}`;
  return fetch(`${sim.url}${path}`, { headers, signal: init.signal });
}

export async function getJson<T = Envelope>(sim: HostawaySimulator, path: string, token: string): Promise<T> {
  const res = await get(sim, path, token);
  if (res.status !== 200) throw new Error(`GET ${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

/**
 * The straightforward paginating client: limit/offset, one page after another until
 * offset + limit ≥ count; one messages list per conversation. Returns what it fetched and how
 * many GETs it made.
 */
export async function fullSync(sim: HostawaySimulator, token: string, pageSize: number) {
  let requests = 0;
  const listAll = async (path: string, extra = '') => {
    const rows: Array<Record<string, unknown>> = [];
    for (let offset = 0; ; offset += pageSize) {
      requests++;
      const body = await getJson(sim, `${path}?limit=${pageSize}&offset=${offset}${extra}`, token);
      rows.push(...body.result);
      if (offset + pageSize >= body.count) return rows;
    }
  };
  const listings = await listAll('listings');
  const reservations = await listAll('reservations');
  const conversations = await listAll('conversations');
  const messages: Array<Record<string, unknown>> = [];
  for (const conversation of conversations) {
    messages.push(...(await listAll(`conversations/${conversation.id as number}/messages`)));
  }
  return { requests, listings, reservations, conversations, messages };
}
