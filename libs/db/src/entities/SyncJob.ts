import { BigIntType, Entity, PrimaryKey, Property } from '@mikro-orm/core';

export type JobStatus = 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled';
export type SyncMode = 'backfill' | 'incremental' | 'full';
export type SyncTrigger = 'schedule' | 'manual' | 'startup' | 'webhook' | 'replay';

export interface ResourceProgress {
  planned: number;
  fetched: number;
  loaded: number;
  failed: number;
  error?: string;
}

@Entity({ tableName: 'sync_jobs', schema: 'ops' })
export class SyncJob {
  @PrimaryKey({ type: 'uuid' })
  id!: string;

  @Property({ type: 'string', length: 32 })
  source!: string;

  @Property({ type: 'string', length: 32 })
  accountId!: string;

  @Property({ type: 'string', length: 16 })
  mode!: SyncMode;

  @Property({ type: 'string', length: 16 })
  trigger!: SyncTrigger;

  @Property({ type: 'string', length: 16 })
  status: JobStatus = 'queued';

  @Property({ type: 'date', nullable: true })
  scrapeDate: string | null = null;

  @Property({ type: 'integer' })
  planned = 0;

  @Property({ type: 'integer' })
  fetched = 0;

  @Property({ type: 'integer' })
  loaded = 0;

  @Property({ type: 'integer' })
  failed = 0;

  /** responses the loader dead-lettered (they settle the job, which then ends failed) */
  @Property({ type: 'integer' })
  deadLettered = 0;

  /** responses of the source's data operations the loader parsed, and the rows they gave (zero rows from all: a warning note) */
  @Property({ type: 'integer' })
  dataResponses = 0;

  @Property({ type: new BigIntType('number') })
  dataRows = 0;

  @Property({ type: 'json' })
  progress: Record<string, ResourceProgress> = {};

  @Property({ type: 'json' })
  errors: Array<Record<string, unknown>> = [];

  @Property({ type: 'json' })
  notes: string[] = [];

  @Property({ type: 'text', nullable: true })
  error: string | null = null;

  @Property({ type: 'Date', columnType: 'timestamptz', nullable: true })
  fetchCompletedAt: Date | null = null;

  @Property({ type: 'string', length: 128, nullable: true })
  owner: string | null = null;

  @Property({ type: 'Date', columnType: 'timestamptz', nullable: true })
  leaseUntil: Date | null = null;

  @Property({ type: 'Date', columnType: 'timestamptz' })
  createdAt: Date = new Date();

  @Property({ type: 'Date', columnType: 'timestamptz', nullable: true })
  startedAt: Date | null = null;

  @Property({ type: 'Date', columnType: 'timestamptz', nullable: true })
  finishedAt: Date | null = null;

  @Property({ type: 'Date', columnType: 'timestamptz', onUpdate: () => new Date() })
  updatedAt: Date = new Date();
}
