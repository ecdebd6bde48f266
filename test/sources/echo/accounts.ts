import { Entity, PrimaryKey, Property } from '@mikro-orm/core';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsNotEmpty, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { sourceAccounts, type AccountCredentials, type AccountHookContext } from '@staysync/core';
import { SourceAccountColumns } from '@staysync/db';

/** `echo.accounts`: the shared columns (sourceStoreSql) and the sealed API token. */
@Entity({ tableName: 'accounts', schema: 'echo' })
export class EchoAccount extends SourceAccountColumns {
  @PrimaryKey({ type: 'string', length: 32, fieldName: 'account_id' })
  accountId!: string;

  /** ciphertext */
  @Property({ type: 'text', hidden: true })
  apiToken!: string;
}

export class EchoAccountFields {
  @ApiProperty({ description: 'echo account id' })
  @IsString()
  @Matches(/^[0-9]{1,32}$/)
  account_id!: string;

  @ApiProperty({ writeOnly: true })
  @IsString()
  @IsNotEmpty()
  @MaxLength(256)
  api_token!: string;
}

export class EchoAccountPatchFields {
  @ApiPropertyOptional({ writeOnly: true })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(256)
  api_token?: string;
}

export class EchoSyncRequest {
  @ApiPropertyOptional({ enum: ['full', 'incremental'] })
  @IsOptional()
  @IsIn(['full', 'incremental'])
  mode?: 'full' | 'incremental';
}

function echoAccountView(account: EchoAccount) {
  return {
    account_id: account.accountId,
    is_active: account.isActive,
    status: account.status,
    sync_cron: account.syncCron,
    credentials: { api_token_set: Boolean(account.apiToken), updated_at: account.credentialsUpdatedAt },
    deleted_at: account.deletedAt,
  };
}

class EchoCredentials implements AccountCredentials<EchoAccount> {
  constructor(private readonly context: AccountHookContext) {}

  accountIdOf(body: EchoAccountFields): string {
    return body.account_id;
  }

  create(body: EchoAccountFields): Partial<EchoAccount> {
    return { apiToken: this.context.seal(body.api_token) };
  }

  apply(
    account: EchoAccount,
    body: EchoAccountPatchFields,
    options: { credentialsRenewed: (changed: string[]) => void },
  ): string[] {
    const changed: string[] = [];
    if (body.api_token !== undefined && this.context.unseal(account.apiToken) !== body.api_token) {
      account.apiToken = this.context.seal(body.api_token);
      options.credentialsRenewed(changed);
    }
    return changed;
  }
}

/** The echo source's accounts: one sealed API token, served by admin's shared routes. */
export const echoAccounts = sourceAccounts({
  entity: EchoAccount,
  title: 'Echo',
  firstSyncMode: 'full',
  requests: {
    upsert: EchoAccountFields,
    patch: EchoAccountPatchFields,
    sync: { in: 'body', type: EchoSyncRequest },
  },
  descriptions: { created: 'Account created; its first full sync is queued' },
  examples: {
    account: {
      account_id: '501',
      is_active: true,
      status: 'active',
      sync_cron: null,
      credentials: { api_token_set: true, updated_at: '2026-11-22T05:00:00.000Z' },
      deleted_at: null,
    },
    upsert: { account_id: '501', api_token: 'echo-token' },
  },
  view: echoAccountView,
  credentials: (context) => new EchoCredentials(context),
});
