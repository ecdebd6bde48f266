import { Entity, PrimaryKey, Property } from '@mikro-orm/core';

@Entity({ tableName: 'replays', schema: 'ops' })
export class Replay {
  @PrimaryKey({ type: 'uuid' })
  id!: string;

  @Property({ type: 'string', length: 32 })
  source!: string;

  @Property({ type: 'string', length: 8 })
  origin!: 'topic' | 'store';

  @Property({ type: 'Date', columnType: 'timestamptz', fieldName: 'range_from' })
  from!: Date;

  @Property({ type: 'Date', columnType: 'timestamptz', fieldName: 'range_to' })
  to!: Date;

  @Property({ type: 'string', length: 32, nullable: true })
  accountId: string | null = null;

  @Property({ type: 'boolean' })
  dryRun = false;

  @Property({ type: 'string', length: 16 })
  status: 'queued' | 'running' | 'succeeded' | 'failed' = 'queued';

  @Property({ type: 'integer', nullable: true })
  total: number | null = null;

  @Property({ type: 'integer' })
  processed = 0;

  @Property({ type: 'json' })
  report: Record<string, unknown> = {};

  @Property({ type: 'text', nullable: true })
  error: string | null = null;

  @Property({ type: 'Date', columnType: 'timestamptz' })
  createdAt: Date = new Date();

  @Property({ type: 'Date', columnType: 'timestamptz', nullable: true })
  startedAt: Date | null = null;

  @Property({ type: 'Date', columnType: 'timestamptz', nullable: true })
  finishedAt: Date | null = null;
}
