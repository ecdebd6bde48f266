import { rawEnvelopeKey, rawPartitionKey, type RawEnvelope } from '@staysync/contracts';
import { waitFor } from '@staysync/testing';
import { Partitioners } from 'kafkajs';
import { recordingHandler, setUpTestKafka, type TestKafka } from './support';

function envelope(listingId: string, week: number): RawEnvelope {
  const start = `2025-02-${String(week * 7 + 2).padStart(2, '0')}`;
  return {
    schemaVersion: 1,
    jobId: null,
    source: 'airbnb',
    accountId: 'acc-9',
    operation: 'ListOfMetricsQuery',
    resourceId: listingId,
    requestKey: `airbnb:acc-9:ListOfMetricsQuery:${listingId}:${start}:2025-03-01`,
    variables: { listingId },
    window: { start, end: start },
    scrapeDate: '2025-03-01',
    fetchedAt: '2025-03-01T05:00:00.000Z',
    httpStatus: 200,
    body: {},
  };
}

describe('Kafka > raw topics are partitioned by account and listing, keyed by request', () => {
  let kafka: TestKafka;

  afterAll(async () => {
    await kafka?.close();
  });

  it('puts every response of a listing in the partition its partition key hashes to, whatever its request key', async () => {
    kafka = await setUpTestKafka();
    const sent = ['111', '222', '333'].flatMap((listing) => [0, 1, 2].map((week) => envelope(listing, week)));
    await kafka.producer.send(
      'raw.airbnb',
      sent.map((value) => ({ key: rawEnvelopeKey(value), value })),
    );

    const received = recordingHandler<'raw.airbnb'>();
    await kafka.consumer({ topics: ['raw.airbnb'], handler: received.handler, fromBeginning: true }).start();
    await waitFor(() => received.messages().length === sent.length, { what: 'every envelope consumed' });

    const { topics } = await kafka.admin.fetchTopicMetadata({ topics: [kafka.name('raw.airbnb')] });
    const partitionMetadata = topics[0].partitions;
    const byKey = Partitioners.DefaultPartitioner();
    for (const message of received.messages()) {
      expect(message.key).toBe(message.value.requestKey);
      const expected = byKey({
        topic: kafka.name('raw.airbnb'),
        partitionMetadata,
        message: { key: rawPartitionKey(message.value), value: null },
      });
      expect({ listing: message.value.resourceId, partition: message.partition }).toEqual({
        listing: message.value.resourceId,
        partition: expected,
      });
    }
  });
});
