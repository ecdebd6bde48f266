import { Entity, PrimaryKey, Property } from '@mikro-orm/core';
import { SourceAccountColumns } from '@staysync/db';

@Entity({ tableName: 'accounts', schema: 'airbnb' })
export class AirbnbAccount extends SourceAccountColumns {
  @PrimaryKey({ type: 'string', length: 32, fieldName: 'account_id' })
  accountId!: string;

  /** AES-256-GCM ciphertext of the auth cookies; see CredentialCipher */
  @Property({ type: 'text', fieldName: 'airbnb_cookie', hidden: true, lazy: false })
  cookieCiphertext!: string;

  @Property({ type: 'string', length: 128 })
  xClientVersion!: string;

  @Property({ type: 'text' })
  userAgent!: string;
}
