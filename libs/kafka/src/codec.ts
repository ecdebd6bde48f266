import { COMPATIBILITY, SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import {
  ConfluentSchemaRegistryError,
  ConfluentSchemaRegistryValidationError,
} from '@kafkajs/confluent-schema-registry/dist/errors';
import { TOPICS, validatorFor, type TopicId, type TopicValue } from '@staysync/contracts';
import { TransientError } from '@staysync/core';
import { InvalidMessageError, InvalidOutgoingMessageError } from './errors';
import type { KafkaSettings } from './settings';
import { topicName } from './topic-names';

/**
 * Turns topic values into bytes and back. Both directions validate against the topic's JSON Schema:
 * `encode` throws InvalidOutgoingMessageError (a bug: nothing is sent), `decode` throws
 * InvalidMessageError (poison: dead-letter it), or TransientError when the registry is unreachable.
 */
export interface ValueCodec {
  encode<T extends TopicId>(topicId: T, value: TopicValue<T>): Promise<Buffer>;
  decode<T extends TopicId>(topicId: T, value: Buffer | null): Promise<TopicValue<T>>;
}

/** The registry codec when a Schema Registry is configured, plain validated JSON otherwise. */
export function createCodec(settings: Pick<KafkaSettings, 'schemaRegistryUrl' | 'topicPrefix'>): ValueCodec {
  return settings.schemaRegistryUrl
    ? createSchemaRegistryCodec({ url: settings.schemaRegistryUrl, topicPrefix: settings.topicPrefix })
    : createJsonCodec();
}

/** UTF-8 JSON, validated against the topic's schema on both sides. */
export function createJsonCodec(): ValueCodec {
  return {
    async encode(topicId, value) {
      assertValidOutgoing(topicId, value);
      return Buffer.from(JSON.stringify(value));
    },
    async decode(topicId, bytes) {
      if (bytes === null) throw tombstone();
      if (bytes[0] === 0) {
        throw new InvalidMessageError(
          'decode',
          'value is in the Schema Registry wire format (first byte 0x00) but no registry is configured (set SCHEMA_REGISTRY_URL)',
        );
      }
      return validateIncoming(topicId, parseJson(bytes.toString('utf8'), 'value'));
    },
  };
}

export interface SchemaRegistryCodecOptions {
  url: string;
  /** subjects are `<prefix><baseName>-value` (TopicNameStrategy) */
  topicPrefix: string;
  auth?: { username: string; password: string };
}

export interface SchemaRegistryCodec extends ValueCodec {
  /** the registry id of the topic's schema: looked up (or registered) once, then cached */
  schemaIdFor(topicId: TopicId): Promise<number>;
}

/**
 * Confluent wire format (magic byte 0, 4-byte big-endian schema id, JSON) with the topic's schema
 * registered as a JSON Schema under `<topic>-value`. Producers look the schema up first and register
 * it only when missing, so they also work against registries that forbid auto-registration for
 * known schemas.
 */
export function createSchemaRegistryCodec(options: SchemaRegistryCodecOptions): SchemaRegistryCodec {
  const registry = new SchemaRegistry(
    { host: options.url, auth: options.auth },
    // The library validates too, with its own bundled Ajv 7. Ours (Ajv 8 + formats) is the
    // authoritative check, so the library's is kept structural: no format checks, and compiled
    // schemas are not added to its instance (two ids can carry the same $id after an evolution).
    { [SchemaType.JSON]: { strict: false, validateFormats: false, addUsedSchema: false } },
  );
  const schemaIds = new Map<TopicId, Promise<number>>();

  function schemaIdFor(topicId: TopicId): Promise<number> {
    let id = schemaIds.get(topicId);
    if (!id) {
      id = lookUpOrRegister(registry, topicId, `${topicName(topicId, options.topicPrefix)}-value`);
      // a failed lookup is not cached: the next send asks again
      id.catch(() => schemaIds.delete(topicId));
      schemaIds.set(topicId, id);
    }
    return id;
  }

  return {
    schemaIdFor,
    async encode(topicId, value) {
      assertValidOutgoing(topicId, value);
      const id = await schemaIdFor(topicId);
      try {
        return await registry.encode(id, value);
      } catch (error) {
        if (error instanceof ConfluentSchemaRegistryValidationError) {
          throw new InvalidOutgoingMessageError(
            `refusing to send a ${topicId} value the registry schema ${id} rejects: ${describePaths(error)}`,
          );
        }
        throw registryUnavailable(error);
      }
    },
    async decode(topicId, bytes) {
      if (bytes === null) throw tombstone();
      if (bytes.length < 5 || bytes[0] !== 0) {
        throw new InvalidMessageError(
          'decode',
          `value is not in the Schema Registry wire format: first byte ${describeFirstByte(bytes)}, expected 0x00`,
        );
      }
      const schemaId = bytes.readInt32BE(1);
      let value: unknown;
      try {
        value = await registry.decode(bytes);
      } catch (error) {
        throw decodeFailure(error, schemaId);
      }
      return validateIncoming(topicId, value);
    },
  };
}

async function lookUpOrRegister(
  registry: SchemaRegistry,
  topicId: TopicId,
  subject: string,
): Promise<number> {
  const schema = { type: SchemaType.JSON, schema: JSON.stringify(TOPICS[topicId].schema) } as const;
  try {
    return await registry.getRegistryIdBySchema(subject, schema);
  } catch (error) {
    // the library wraps "not registered under this subject" (404) in a plain ConfluentSchemaRegistryError
    if (!(error instanceof ConfluentSchemaRegistryError) || hasStatus(error))
      throw registryUnavailable(error);
  }
  try {
    const { id } = await registry.register(schema, { subject, compatibility: COMPATIBILITY.BACKWARD });
    return id;
  } catch (error) {
    if (error instanceof ConfluentSchemaRegistryError)
      throw new Error(`registering the ${topicId} schema under ${subject} failed: ${error.message}`);
    throw registryUnavailable(error);
  }
}

function decodeFailure(error: unknown, schemaId: number): Error {
  if (error instanceof ConfluentSchemaRegistryValidationError) {
    return new InvalidMessageError(
      'validate',
      `value does not match its writer schema ${schemaId}: ${describePaths(error)}`,
    );
  }
  if (error instanceof SyntaxError) {
    return new InvalidMessageError(
      'decode',
      `value after the wire-format header is not valid JSON: ${error.message}`,
    );
  }
  if (hasStatus(error) && error.status === 404) {
    return new InvalidMessageError('decode', `schema id ${schemaId} is unknown to the Schema Registry`);
  }
  return registryUnavailable(error);
}

function assertValidOutgoing(topicId: TopicId, value: unknown): void {
  const result = validatorFor(topicId)(value);
  if (!result.valid) {
    throw new InvalidOutgoingMessageError(
      `refusing to send an invalid ${topicId} value: ${result.errors.join('; ')}`,
    );
  }
}

function validateIncoming<T extends TopicId>(topicId: T, value: unknown): TopicValue<T> {
  const result = validatorFor(topicId)(value);
  if (!result.valid) {
    throw new InvalidMessageError(
      'validate',
      `${TOPICS[topicId].baseName} value does not match its schema: ${result.errors.join('; ')}`,
    );
  }
  return result.value;
}

function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new InvalidMessageError('decode', `${what} is not valid JSON: ${(error as Error).message}`);
  }
}

function tombstone(): InvalidMessageError {
  return new InvalidMessageError(
    'decode',
    'message has no value (a tombstone); staysync topics never carry tombstones',
  );
}

function registryUnavailable(error: unknown): TransientError {
  return new TransientError(`Schema Registry request failed: ${(error as Error)?.message ?? String(error)}`, {
    cause: error,
  });
}

function hasStatus(error: unknown): error is { status: number } {
  return typeof (error as { status?: unknown })?.status === 'number';
}

function describePaths(error: ConfluentSchemaRegistryValidationError): string {
  // each path is a one-element array holding an Ajv instancePath such as `/jobId`
  return error.paths.map((path) => path.join('') || '(root)').join(', ') || error.message;
}

function describeFirstByte(bytes: Buffer): string {
  if (bytes.length === 0) return '(empty value)';
  const byte = bytes[0];
  const printable = byte >= 0x20 && byte < 0x7f ? ` '${String.fromCharCode(byte)}'` : '';
  return `0x${byte.toString(16).padStart(2, '0')}${printable}`;
}
