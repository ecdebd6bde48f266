import { randomUUID } from 'node:crypto';
import type { SyncCommand } from '@staysync/contracts';
import { createKafkaMetrics } from '@staysync/kafka';
import { waitFor } from '@staysync/testing';
import { Registry } from 'prom-client';
import { setUpTestKafka, type TestKafka } from '../kafka/support';

function command(): SyncCommand {
  return {
    schemaVersion: 1,
    jobId: randomUUID(),
    source: 'airbnb',
    accountId: 'acc-lag',
    mode: 'incremental',
    trigger: 'manual',
    requestedAt: new Date().toISOString(),
  };
}

/**
 * The lag gauge comes from the broker (end offset − the group's committed offset) on a timer, not
 * from the batches the consumer finishes: a consumer stuck on a batch shows a lag that grows with
 * what is produced, and it falls back to 0 once the batch is done.
 */
describe('consumer lag gauge (broker offsets)', () => {
  let kafka: TestKafka;

  afterEach(async () => {
    await kafka?.close();
  });

  it('grows while the consumer is stalled and returns to 0 once it catches up', async () => {
    kafka = await setUpTestKafka();
    const registry = new Registry();
    const metrics = createKafkaMetrics(registry);
    let release!: () => void;
    const stalled = new Promise<void>((resolve) => (release = resolve));
    const handled: string[] = [];
    const consumer = kafka.consumer({
      topics: ['sync.commands'],
      metrics,
      lagRefreshMs: 100,
      handler: async (batch) => {
        await stalled;
        handled.push(...batch.map((m) => m.value.jobId));
      },
    });
    await consumer.start();
    // one key: every command on one partition
    const send = (n: number) =>
      kafka.producer.send(
        'sync.commands',
        Array.from({ length: n }, () => ({ key: 'airbnb:acc-lag', value: command() })),
      );
    const lag = async (): Promise<number> => {
      const { values } = await metrics.consumerLag.get();
      return values.filter((v) => v.labels.group === consumer.groupId).reduce((sum, v) => sum + v.value, 0);
    };

    await send(5);
    await waitFor(async () => (await lag()) === 5, { what: 'lag 5 while the first batch is stuck' });
    await send(3);
    await waitFor(async () => (await lag()) === 8, { what: 'lag 8 after three more' });

    release();
    await waitFor(() => handled.length === 8, { what: 'all eight handled' });
    await waitFor(async () => (await lag()) === 0, { what: 'lag back to 0' });
    expect(consumer.state()).toBe('running');
  });
});
