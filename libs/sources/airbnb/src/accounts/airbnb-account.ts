import { Entity, Index, PrimaryKey, Property } from '@mikro-orm/core';
import type { AccountStatus } from '@staysync/core';

@Entity({ tableName: 'accounts', schema: 'airbnb' })
export class AirbnbAccount {
  @PrimaryKey({ type: 'string', length: 32, fieldName: 'account_id' })
  accountId!: string;

  @Index()
  @Property({ type: 'uuid', nullable: true })
  customerId: string | null = null;

  /** AES-256-GCM ciphertext of the auth cookies; see CredentialCipher */
  @Property({ type: 'text', fieldName: 'airbnb_cookie', hidden: true, lazy: false })
  cookieCiphertext!: string;

  @Property({ type: 'string', length: 128 })
  xClientVersion!: string;

  @Property({ type: 'text' })
  userAgent!: string;

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
