import { Entity, PrimaryKey, Property } from '@mikro-orm/core';
import { SourceAccountColumns } from '@staysync/db';

/** see docs/runbook.md "Hostaway webhook registration" */
export type WebhookStatus = 'pending' | 'registered' | 'failed' | 'removed' | 'unconfigured';

@Entity({ tableName: 'accounts', schema: 'hostaway' })
export class HostawayAccount extends SourceAccountColumns {
  @PrimaryKey({ type: 'bigint', fieldName: 'account_id', autoincrement: false })
  accountId!: string;

  /** ciphertext */
  @Property({ type: 'text', hidden: true })
  clientSecret!: string;

  /** ciphertext of the cached OAuth access token */
  @Property({ type: 'text', nullable: true, hidden: true })
  accessToken: string | null = null;

  @Property({ type: 'Date', columnType: 'timestamptz', nullable: true })
  accessTokenIssuedAt: Date | null = null;

  @Property({ type: 'Date', columnType: 'timestamptz', nullable: true })
  accessTokenExpiresAt: Date | null = null;

  @Property({ type: 'string', length: 128, nullable: true })
  webhookLogin: string | null = null;

  /** scrypt hash */
  @Property({ type: 'text', nullable: true, hidden: true })
  webhookPasswordHash: string | null = null;

  /** ciphertext: the password registered upstream (Hostaway sends it back as Basic auth) */
  @Property({ type: 'text', nullable: true, hidden: true })
  webhookPassword: string | null = null;

  /** when the webhook login/password last changed */
  @Property({ type: 'Date', columnType: 'timestamptz', nullable: true })
  webhookCredentialsUpdatedAt: Date | null = null;

  /** the unified webhook registered upstream (null: none) */
  @Property({ type: 'integer', nullable: true })
  webhookId: number | null = null;

  /** the URL the registered webhook points at */
  @Property({ type: 'text', nullable: true })
  webhookUrl: string | null = null;

  /** the webhookCredentialsUpdatedAt the registered webhook carries */
  @Property({ type: 'Date', columnType: 'timestamptz', nullable: true })
  webhookRegisteredCredentialsAt: Date | null = null;

  @Property({ type: 'string', length: 16 })
  webhookStatus: WebhookStatus = 'pending';

  @Property({ type: 'text', nullable: true })
  webhookError: string | null = null;

  /** the last registration attempt (successful or not) */
  @Property({ type: 'Date', columnType: 'timestamptz', nullable: true })
  webhookCheckedAt: Date | null = null;

  @Property({ type: 'Date', columnType: 'timestamptz', nullable: true })
  webhookRegisteredAt: Date | null = null;
}
