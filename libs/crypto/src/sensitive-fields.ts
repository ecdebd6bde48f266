import type { CredentialCipher } from './credential-cipher';

/**
 * Secrets inside upstream payloads (a listing's wifi password, door code…). Each is replaced, wherever it
 * appears in the payload (nested objects and arrays included), by the credential cipher's sealed string of
 * its JSON value, before the payload leaves the process that fetched or received it. Parsers and replays
 * carry the sealed string as it is; only a reader holding the key can open it (`openSensitiveValue`).
 */
export interface SensitiveFields {
  /** exact key names */
  names: readonly string[];
  /** any key matching it is sensitive too (case-insensitive as configured) */
  pattern: RegExp | null;
}

/** `v1:<keyId>:<iv>:<tag>:<data>`, as CredentialCipher writes it */
const SEALED = /^v1:[A-Za-z0-9_-]{1,32}:[A-Za-z0-9_-]+:[A-Za-z0-9_-]+:[A-Za-z0-9_-]*$/;

/** What a sealed value shows to readers without the key (e.g. an API returning a payload). */
export const MASKED_VALUE = '********';

export function isSealedValue(value: unknown): value is string {
  return typeof value === 'string' && SEALED.test(value);
}

export function isSensitiveKey(key: string, fields: SensitiveFields): boolean {
  return fields.names.includes(key) || (fields.pattern !== null && fields.pattern.test(key));
}

/**
 * A copy of `value` with every sensitive key's value sealed (null and already sealed values are kept).
 * Sealing is deterministic per key name and value, so an unchanged payload stays byte-identical across
 * fetches and the loaders' "update only when changed" still holds.
 */
export function sealSensitiveFields<T>(value: T, fields: SensitiveFields, cipher: CredentialCipher): T {
  return mapSensitive(value, fields, (key, v) =>
    v === null || isSealedValue(v) ? v : cipher.encryptDeterministic(JSON.stringify(v), key),
  ) as T;
}

/** The JSON value a sealed field held. */
export function openSensitiveValue(sealed: string, cipher: CredentialCipher): unknown {
  return JSON.parse(cipher.decrypt(sealed)) as unknown;
}

/** A copy with every sealed value replaced by MASKED_VALUE: what an API may return. */
export function maskSealedValues<T>(value: T): T {
  return mapStrings(value, (s) => (isSealedValue(s) ? MASKED_VALUE : s)) as T;
}

/**
 * A copy with every sealed value not under the active key opened and sealed again under it (key rotation);
 * `changed` tells whether anything was resealed. Values are found by their sealed form, whatever the key.
 */
export function resealValues<T>(value: T, cipher: CredentialCipher): { value: T; changed: boolean } {
  let changed = false;
  const walk = (node: unknown, key: string | null): unknown => {
    if (isSealedValue(node) && cipher.needsRotation(node)) {
      changed = true;
      return cipher.encryptDeterministic(cipher.decrypt(node), key ?? '');
    }
    if (Array.isArray(node)) return node.map((item) => walk(item, key));
    if (isPlainObject(node)) return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, walk(v, k)]));
    return node;
  };
  const next = walk(value, null) as T;
  return { value: changed ? next : value, changed };
}

function mapSensitive(
  node: unknown,
  fields: SensitiveFields,
  seal: (key: string, value: unknown) => unknown,
): unknown {
  if (Array.isArray(node)) return node.map((item) => mapSensitive(item, fields, seal));
  if (!isPlainObject(node)) return node;
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(node))
    out[key] = isSensitiveKey(key, fields) ? seal(key, v) : mapSensitive(v, fields, seal);
  return out;
}

function mapStrings(node: unknown, map: (s: string) => string): unknown {
  if (typeof node === 'string') return map(node);
  if (Array.isArray(node)) return node.map((item) => mapStrings(item, map));
  if (isPlainObject(node))
    return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, mapStrings(v, map)]));
  return node;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * `HOSTAWAY_SENSITIVE_FIELDS`-style configuration: comma-separated key names, and a pattern matched
 * case-insensitively (empty: none).
 */
export function sensitiveFieldsFrom(names: readonly string[], pattern: string): SensitiveFields {
  return { names: [...names], pattern: pattern.trim() === '' ? null : new RegExp(pattern, 'i') };
}
