import { BeforeApplicationShutdown, Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { MikroORM, type EventSubscriber } from '@mikro-orm/core';
import { PinoLogger } from 'nestjs-pino';
import type { Pool } from 'pg';
import { PG_POOL } from '@staysync/db';
import type { TopicId } from '@staysync/contracts';
import { KafkaProducerService, type OutgoingMessage } from '@staysync/kafka';
import { ADMIN_CONFIG } from '../admin-config';
import type { AdminConfig } from '@staysync/config';
import { OutboxRelay } from './outbox-relay';

/** Runs the outbox relay for the app's lifetime and wakes it after every committed transaction. */
@Injectable()
export class OutboxRelayService
  implements OnApplicationBootstrap, BeforeApplicationShutdown, EventSubscriber
{
  readonly relay: OutboxRelay;

  constructor(
    @Inject(PG_POOL) pool: Pool,
    producer: KafkaProducerService,
    logger: PinoLogger,
    @Inject(ADMIN_CONFIG) config: AdminConfig,
    private readonly orm: MikroORM,
  ) {
    logger.setContext('OutboxRelay');
    // outbox rows name logical topic ids; their values were validated by the producer's codec on send
    const publisher = {
      send: (topic: string, messages: OutgoingMessage<TopicId>[]) =>
        producer.send(topic as TopicId, messages),
    };
    this.relay = new OutboxRelay(pool, publisher, logger.logger.child({ component: 'outbox' }), {
      pollMs: config.outboxPollMs,
    });
  }

  onApplicationBootstrap() {
    this.orm.em.getEventManager().registerSubscriber(this);
    this.relay.start();
  }

  afterTransactionCommit() {
    this.relay.nudge();
  }

  async beforeApplicationShutdown() {
    await this.relay.stop();
    // one last attempt so events of the final requests are not left for the next start
    await this.relay.drain().catch(() => undefined);
  }
}
