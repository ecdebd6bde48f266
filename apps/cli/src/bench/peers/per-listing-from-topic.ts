import type { RawEnvelope } from '@staysync/core';
import { createKafka, topicName } from '@staysync/kafka';
import pino from 'pino';
import {
  FAST_CONSUMER,
  LOG_STREAM,
  metricTableRows,
  truncateLoaderTables,
  waitUntil,
  type BenchContext,
} from '../context';
import { parseEnvelopes } from '../copy-ceiling';
import { cpuSpent, sampleCpu, type CpuMs, type CpuSample } from '../cpu';
import { round } from '../fetch-phase';
import { produceEnvelopes } from '../loader-phase';
import { insertPerListing } from './per-listing-insert';

export interface PerListingFromTopicResult {
  responses: number;
  batches: number;
  /** one transaction per listing and batch */
  transactions: number;
  statements: number;
  /** rows in the metric tables afterwards (the seed stores no raw payloads) */
  rows: number;
  duration_ms: number;
  rows_per_s: number;
  cpu_ms: CpuMs;
}

/**
 * Peer 2 as a whole service, the way the seed ran: a kafkajs consumer of the same pre-produced raw
 * topic the loader reads (same consumer timings, one batch at a time), each batch's values
 * JSON-parsed and run through the current parser, then written per listing as runPerListingInsert
 * does. What it leaves out of the loader's work: schema validation, the raw store, the job counters,
 * publishing. Timed like the loader: from the first batch handed over to the commit of the last.
 */
export async function runPerListingFromTopic(
  ctx: BenchContext,
  envelopes: RawEnvelope[],
): Promise<PerListingFromTopicResult> {
  await truncateLoaderTables(ctx.pool);
  const prefix = `${ctx.runId}seed.`;
  await produceEnvelopes(ctx, prefix, envelopes);
  const kafka = createKafka(
    {
      brokers: ctx.brokers.split(','),
      clientId: 'staysync-bench-seed',
      topicPrefix: prefix,
      idempotentProducer: false,
      createTopics: false,
    },
    pino({ level: 'error' }, LOG_STREAM),
  );
  const consumer = kafka.consumer({ groupId: `${prefix}seed-loader`, ...FAST_CONSUMER });
  const client = await ctx.pool.connect();
  const counts = { responses: 0, batches: 0, transactions: 0, statements: 0 };
  const timing: { firstStart: number; lastEnd: number; cpuAtStart?: CpuSample; cpuAtEnd?: CpuSample } = {
    firstStart: 0,
    lastEnd: 0,
  };
  let failure: Error | undefined;
  try {
    await consumer.connect();
    await consumer.subscribe({ topic: topicName('raw.airbnb', prefix), fromBeginning: true });
    await consumer.run({
      eachBatch: async ({ batch }) => {
        if (counts.batches++ === 0) {
          timing.firstStart = performance.now();
          timing.cpuAtStart = sampleCpu();
        }
        try {
          const values = batch.messages.flatMap((m) =>
            m.value ? [JSON.parse(m.value.toString('utf8')) as RawEnvelope] : [],
          );
          const written = await insertPerListing(client, parseEnvelopes(values));
          counts.transactions += written.listings;
          counts.statements += written.statements;
          counts.responses += values.length;
        } catch (error) {
          // a redelivery would count its responses twice: the run ends with the error instead
          failure ??= error instanceof Error ? error : new Error(String(error));
          throw error;
        }
        if (counts.responses >= envelopes.length) {
          timing.lastEnd = performance.now();
          timing.cpuAtEnd = sampleCpu();
        }
      },
    });
    await waitUntil(
      async () => {
        if (failure) throw failure;
        return timing.lastEnd > 0;
      },
      {
        what: `the seed's loader to write ${envelopes.length} responses`,
        timeoutMs: 30 * 60_000,
        report: () =>
          `seed loader: ${counts.responses}/${envelopes.length} responses in ${counts.batches} batches`,
      },
    );
  } finally {
    await consumer.disconnect().catch(() => undefined);
    client.release();
  }
  const rows = await metricTableRows(ctx.pool);
  const durationMs = timing.lastEnd - timing.firstStart;
  return {
    ...counts,
    rows,
    duration_ms: round(durationMs),
    rows_per_s: round((rows / durationMs) * 1000, 1),
    cpu_ms: cpuSpent(timing.cpuAtStart, timing.cpuAtEnd),
  };
}
