import { isUtf8 } from 'node:buffer';
import type { RawEnvelope } from '@staysync/core';
import { JsonText } from '@staysync/db';

/**
 * The bytes each raw envelope was decoded from, where its consumer kept them. The raw store then
 * writes the body as the producer's own text instead of serializing the parsed body again: megabytes
 * of JSON.stringify and UTF-8 encoding per batch were the loader's largest cost after decoding.
 * Weak: an envelope no longer referenced frees its bytes.
 */
const valueBytes = new WeakMap<RawEnvelope, Buffer>();

/** Remembers the Kafka value `envelope` was decoded from (the plain JSON or Schema Registry wire format). */
export function keepValueBytes<T extends RawEnvelope>(envelope: T, bytes: Buffer | null | undefined): T {
  if (bytes) valueBytes.set(envelope, bytes);
  return envelope;
}

/** The Confluent wire format: magic byte 0 and a 4-byte schema id before the JSON */
const WIRE_HEADER_BYTES = 5;
const CLOSING_BRACE = 0x7d;

/**
 * The envelope's body as the producer wrote it, when that text can be found for certain: the value is
 * the envelope serialized the way JSON.stringify does it with `body` as its last key (so everything
 * before the body re-serializes to the same bytes and the body runs to the closing brace). Anything
 * else (another key order, whitespace, other escapes, invalid UTF-8) gives undefined, and the caller
 * serializes the parsed body.
 *
 * A value with `body` twice passes this check, and its text is then not one JSON value: PostgreSQL
 * refuses it and the raw store writes the parsed body instead (see storeRawResponses).
 *
 * The stored text parses to exactly the body the parser read, so a replay from the store sees what
 * the live load saw; a serialized body differs for numbers beyond a double (1e400 becomes null).
 */
export function producerBodyText(envelope: RawEnvelope): JsonText | undefined {
  const bytes = valueBytes.get(envelope);
  if (!bytes || envelope.body === undefined) return undefined;
  const keys = Object.keys(envelope);
  if (keys[keys.length - 1] !== 'body') return undefined;
  const { body: _body, ...head } = envelope;
  const headText = JSON.stringify(head);
  const prefix = Buffer.from(headText === '{}' ? '{"body":' : `${headText.slice(0, -1)},"body":`);
  const start = bytes[0] === 0 ? WIRE_HEADER_BYTES : 0;
  const end = bytes.length - 1;
  if (end - start <= prefix.length || bytes[end] !== CLOSING_BRACE) return undefined;
  if (bytes.compare(prefix, 0, prefix.length, start, start + prefix.length) !== 0) return undefined;
  const body = bytes.subarray(start + prefix.length, end);
  return isUtf8(body) ? new JsonText(body) : undefined;
}
