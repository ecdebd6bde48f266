import { Inject, Injectable } from '@nestjs/common';
import type { Kafka } from 'kafkajs';
import { createKafka } from './client';
import { checkBroker, type BrokerHealth } from './health';
import { KAFKA_CONTEXT, type KafkaContext } from './kafka-context';

/** Readiness of the brokers, probed through a client of its own that does not retry connecting. */
@Injectable()
export class KafkaHealthService {
  private readonly probeClient: Kafka;

  constructor(@Inject(KAFKA_CONTEXT) context: KafkaContext) {
    this.probeClient = createKafka(context.settings, context.logger, { retry: { retries: 0 } });
  }

  check(timeoutMs = 2_000): Promise<BrokerHealth> {
    return checkBroker(this.probeClient, timeoutMs);
  }
}
