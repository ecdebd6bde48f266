/**
 * Admin parts that follow one source's accounts without being the accounts' own (e.g. a webhook
 * registrar): the accounts service tells them what changed, after it is committed.
 */
export interface AccountListener {
  source: string;
  /** after a committed create-or-update or PATCH (`changed`: the field names, possibly none) */
  changed?(accountId: string, changed: readonly string[]): void;
  /** after a soft or hard delete */
  deleted?(accountId: string): void;
  /** during a hard delete, once the account is recorded deleted, before its rows go (its credentials still readable) */
  beforeHardDelete?(accountId: string): Promise<void>;
}

export const ACCOUNT_LISTENERS = Symbol('ACCOUNT_LISTENERS');
