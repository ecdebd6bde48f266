import { Entity, Index, Property } from '@mikro-orm/core';
import type { AccountStatus } from '@staysync/core';

/**
 * The columns every `<source>.accounts` table has (sourceStoreSql in ../source-store.ts). A source's
 * account entity extends it with its primary key and its credential columns.
 */
@Entity({ abstract: true })
export abstract class SourceAccountColumns {
  @Index()
  @Property({ type: 'uuid', nullable: true })
  customerId: string | null = null;

  @Property({ type: 'Date', columnType: 'timestamptz' })
  credentialsUpdatedAt: Date = new Date();

  @Property({ type: 'boolean' })
  isActive = true;

  @Property({ type: 'string', length: 16 })
  status: AccountStatus = 'active';

  @Property({ type: 'text', nullable: true })
  statusReason: string | null = null;

  /** while status is `blocked`: when the cool-down ends and the scheduler syncs the account again */
  @Property({ type: 'Date', columnType: 'timestamptz', nullable: true })
  blockedUntil: Date | null = null;

  @Property({ type: 'Date', columnType: 'timestamptz', nullable: true })
  lastSyncAt: Date | null = null;

  /** overrides SYNC_CRON for this account */
  @Property({ type: 'string', length: 128, nullable: true })
  syncCron: string | null = null;

  @Property({ type: 'Date', columnType: 'timestamptz' })
  createdAt: Date = new Date();

  @Property({ type: 'Date', columnType: 'timestamptz', onUpdate: () => new Date() })
  updatedAt: Date = new Date();

  @Property({ type: 'Date', columnType: 'timestamptz', nullable: true })
  deletedAt: Date | null = null;
}
