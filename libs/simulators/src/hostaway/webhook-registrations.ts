/**
 * Unified webhook registrations (reference §4), the /v1/webhooks/unifiedWebhooks endpoint, scoped to
 * the token's account: GET (list), POST (register; `url` required), GET/PUT/DELETE …/{id} (404 for
 * another account's id). A URL must be https on a domain name — no IP address, no port — else 400
 * `{"status":"fail"}`. Sending to the registered URLs is webhooks.ts.
 */
import { BadRequest, parseJsonObject } from './params';
import { failBody, formatHostawayDateTime } from './protocol';
import type { Reply } from './reply';
import type { HostawayWebhookOperation } from './stats';

export interface HostawayWebhookRegistration {
  id: number;
  accountId: number;
  isEnabled: 0 | 1;
  url: string;
  login: string | null;
  password: string | null;
  alertingEmailAddress: string | null;
  insertedOn: string;
  updatedOn: string;
}

/** A reply, and the operation it completed when it is a success. */
export interface WebhookReply {
  reply: Reply;
  operation?: HostawayWebhookOperation;
}

export class WebhookRegistrations {
  private readonly byId = new Map<number, HostawayWebhookRegistration>();
  private serial = 0;

  /** `now` stamps insertedOn/updatedOn */
  constructor(private readonly now: () => Date) {}

  /** the account's registrations (the stored objects) */
  of(accountId: number): HostawayWebhookRegistration[] {
    return [...this.byId.values()].filter((w) => w.accountId === accountId);
  }

  /**
   * One call on the endpoint by `accountId`: `id` names an item (…/{id}), else the collection.
   * Throws BadRequest for a malformed body or URL.
   */
  handle(accountId: number, method: string, id: number | undefined, rawBody: string): WebhookReply {
    if (id === undefined) {
      if (method === 'GET') return succeeded('list', structuredClone(this.of(accountId)));
      if (method !== 'POST') return notAllowed(method);
      return succeeded('create', structuredClone(this.register(accountId, parseJsonObject(rawBody))));
    }
    const existing = this.byId.get(id);
    if (!existing || existing.accountId !== accountId) {
      return { reply: { status: 404, body: failBody(`Webhook ${id} not found`) } };
    }
    if (method === 'GET') return succeeded('get', structuredClone(existing));
    if (method === 'DELETE') {
      this.byId.delete(existing.id);
      return succeeded('delete', null);
    }
    if (method !== 'PUT') return notAllowed(method);
    this.update(existing, parseJsonObject(rawBody));
    return succeeded('update', structuredClone(existing));
  }

  private register(accountId: number, input: Record<string, unknown>): HostawayWebhookRegistration {
    if (typeof input.url !== 'string') throw new BadRequest('url is required');
    checkWebhookUrl(input.url);
    const stamp = formatHostawayDateTime(this.now());
    const registration: HostawayWebhookRegistration = {
      id: ++this.serial,
      accountId,
      isEnabled: input.isEnabled === 0 ? 0 : 1,
      url: input.url,
      login: typeof input.login === 'string' ? input.login : null,
      password: typeof input.password === 'string' ? input.password : null,
      alertingEmailAddress:
        typeof input.alertingEmailAddress === 'string' ? input.alertingEmailAddress : null,
      insertedOn: stamp,
      updatedOn: stamp,
    };
    this.byId.set(registration.id, registration);
    return registration;
  }

  /** Fields present in `input` replace the stored ones; login, password and e-mail are nulled by a non-string. */
  private update(existing: HostawayWebhookRegistration, input: Record<string, unknown>): void {
    if (input.url !== undefined) {
      if (typeof input.url !== 'string') throw new BadRequest('url must be a string');
      checkWebhookUrl(input.url);
      existing.url = input.url;
    }
    if (input.isEnabled === 0 || input.isEnabled === 1) existing.isEnabled = input.isEnabled;
    for (const key of ['login', 'password', 'alertingEmailAddress'] as const) {
      if (key in input) existing[key] = typeof input[key] === 'string' ? input[key] : null;
    }
    existing.updatedOn = formatHostawayDateTime(this.now());
  }
}

function succeeded(operation: HostawayWebhookOperation, result: unknown): WebhookReply {
  return { reply: { status: 200, body: { status: 'success', result } }, operation };
}

function notAllowed(method: string): WebhookReply {
  return { reply: { status: 405, body: failBody(`Method ${method} not allowed`) } };
}

/** Reference §4: the receiver URL is https on a domain name, without an IP address or a port. */
function checkWebhookUrl(raw: string): void {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new BadRequest('url must be a valid URL');
  }
  if (url.protocol !== 'https:') throw new BadRequest('url must use https');
  if (url.port !== '') throw new BadRequest('url must not contain a port');
  const host = url.hostname;
  if (host.startsWith('[') || /^\d+(\.\d+){3}$/.test(host))
    throw new BadRequest('url must use a domain name, not an IP address');
  if (!host.includes('.')) throw new BadRequest('url must use a domain name');
}
