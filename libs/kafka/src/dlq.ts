import type { DeadLetter, DeadLetterStage } from '@staysync/contracts';
import { StaysyncError } from '@staysync/core';
import type { IHeaders, KafkaMessage } from 'kafkajs';
import type { OutgoingMessage } from './producer';

export interface DeadLetterInput {
  topic: string;
  partition: number;
  message: KafkaMessage;
  error: unknown;
  stage: DeadLetterStage;
  parserVersion?: number | null;
  consumerGroup: string;
  now?: Date;
}

// an Ajv report on a huge body can be long; the original bytes are in the letter anyway
const MAX_ERROR_MESSAGE_CHARS = 8_000;

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** The `dlq.v1` message for a poison message: same key, original bytes kept exactly, and why it failed. */
export function deadLetterMessage(input: DeadLetterInput): OutgoingMessage<'dlq'> {
  return { key: input.message.key, value: buildDeadLetter(input) };
}

export function buildDeadLetter({
  topic,
  partition,
  message,
  error,
  stage,
  parserVersion = null,
  consumerGroup,
  now = new Date(),
}: DeadLetterInput): DeadLetter {
  const value = encodeBytes(message.value);
  return {
    schemaVersion: 1,
    originalTopic: topic,
    partition,
    offset: message.offset,
    timestamp: message.timestamp,
    key: message.key === null ? null : message.key.toString('utf8'),
    value: value.text,
    valueEncoding: value.encoding,
    headers: headersAsText(message.headers),
    error: describeError(error),
    stage,
    parserVersion,
    consumerGroup,
    failedAt: now.toISOString(),
  };
}

/** Text when the bytes are valid UTF-8 (lossless round trip), base64 otherwise. */
export function encodeBytes(bytes: Buffer | null): { text: string | null; encoding: 'utf8' | 'base64' } {
  if (bytes === null) return { text: null, encoding: 'utf8' };
  try {
    return { text: strictUtf8.decode(bytes), encoding: 'utf8' };
  } catch {
    return { text: bytes.toString('base64'), encoding: 'base64' };
  }
}

function describeError(error: unknown): DeadLetter['error'] {
  const message = error instanceof Error ? error.message : String(error);
  const kind = error instanceof StaysyncError ? error.kind : error instanceof Error ? error.name : 'unknown';
  return {
    message:
      message.length > MAX_ERROR_MESSAGE_CHARS
        ? `${message.slice(0, MAX_ERROR_MESSAGE_CHARS)}… (truncated)`
        : message,
    kind,
  };
}

function headersAsText(headers: IHeaders | undefined): Record<string, string | string[]> {
  const result: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (value === undefined) continue;
    result[name] = Array.isArray(value) ? value.map(String) : String(value);
  }
  return result;
}
