import { Entity, PrimaryKey, Property } from '@mikro-orm/core';

/** A message written in the same transaction as the change it announces; the relay publishes it. */
@Entity({ tableName: 'outbox', schema: 'ops' })
export class OutboxMessage {
  @PrimaryKey({ type: 'bigint' })
  id!: string;

  /** logical topic id from the TOPICS registry */
  @Property({ type: 'string', length: 128 })
  topic!: string;

  @Property({ type: 'text', fieldName: 'message_key' })
  key!: string;

  @Property({ type: 'json' })
  value!: Record<string, unknown>;

  @Property({ type: 'json' })
  headers: Record<string, string> = {};

  @Property({ type: 'Date', columnType: 'timestamptz' })
  createdAt: Date = new Date();

  @Property({ type: 'Date', columnType: 'timestamptz', nullable: true })
  publishedAt: Date | null = null;

  @Property({ type: 'integer' })
  attempts = 0;

  @Property({ type: 'text', nullable: true })
  lastError: string | null = null;
}
