import type { AccountStatus } from './account-status';

/** The columns every `<source>.accounts` entity shares (`sourceStoreSql` in libs/db creates them). */
export interface SourceAccount {
  accountId: string;
  customerId: string | null;
  isActive: boolean;
  status: AccountStatus;
  statusReason: string | null;
  lastSyncAt: Date | null;
  credentialsUpdatedAt: Date;
  /** overrides SYNC_CRON */
  syncCron: string | null;
  createdAt: Date;
  updatedAt: Date;
  deletedAt: Date | null;
}

/** A class the admin API validates a request with (class-validator) and documents (OpenAPI) by its name. */
export type RequestClass = new () => object;

export interface FieldProblem {
  field: string;
  message: string;
}

/**
 * A request an account hook refuses: the admin API answers it as problem+json with this status (e.g.
 * 400 with the fields at fault, 422 for dead credentials, 503 when the upstream check cannot answer).
 */
export class AccountRequestProblem extends Error {
  constructor(
    readonly status: 400 | 409 | 422 | 503,
    readonly detail: string,
    readonly fieldErrors?: FieldProblem[],
  ) {
    super(detail);
    this.name = 'AccountRequestProblem';
  }
}

/** What admin lends a source's account hooks: how secrets are sealed for storage. */
export interface AccountHookContext {
  /** the source's admin config section (`SourcePlugin.admin`); undefined when it has none */
  config: unknown;
  seal(plain: string): string;
  unseal(sealed: string): string;
}

/** An account event an action records with its change (`accounts.events.v1`). */
export type AccountChangeEvent = 'updated' | 'needs_reauth';

/** What admin gives an action: the account, and one transaction to change it and record the event. */
export interface AccountActionContext<A extends SourceAccount> {
  /** the (not deleted) account; 404 when there is none */
  get(accountId: string): Promise<A>;
  /**
   * Applies `change` to the account in a transaction; when it returns an event, that event is recorded
   * with the changed fields in the same transaction. Resolves to the account as stored.
   */
  change(
    accountId: string,
    change: (account: A) => { event: AccountChangeEvent; changed: string[] } | undefined,
  ): Promise<A>;
  /** the account as the API shows it */
  view(account: A): object;
}

/** A route of one source's accounts beyond the shared ones: `POST /api/v1/<source>/accounts/{id}/<path>`. */
export interface AccountAction<
  A extends SourceAccount = SourceAccount,
  C extends AccountCredentials<A> = AccountCredentials<A>,
> {
  path: string;
  /** the 200 answer's description in the OpenAPI document */
  description: string;
  /** its 200 answer's example */
  example: unknown;
  run(accountId: string, context: AccountActionContext<A>, credentials: C): Promise<object>;
}

/**
 * The per-request behaviour of a source's accounts, built once per admin app with the source's config
 * and the cipher (`SourceAccounts.credentials`). `body` is the validated POST or PATCH body (the
 * source's DTO classes); shared fields (`customer_id`, `is_active`, `status`, `sync_cron`) are admin's.
 */
export interface AccountCredentials<A extends SourceAccount = SourceAccount> {
  /** the id of the account a POST creates or updates (AccountRequestProblem 400 when it cannot be told) */
  accountIdOf(body: object): string;
  /**
   * Runs before a POST or PATCH is stored, outside its transaction, e.g. an upstream credential check.
   * `stored` reads the account's current row (PATCH only); `query` is the validated `checkQuery`.
   */
  verify?(request: {
    body: object;
    query: object;
    accountId: string;
    stored?: () => Promise<A>;
  }): Promise<void>;
  /** the source's columns of a new account (credentials sealed) */
  create(body: object): Partial<A>;
  /**
   * Applies the source's fields of a POST or PATCH body to a stored account; returns the changed field
   * names (new credentials: `credentialsRenewed(changed)` stamps them, adds `credentials` and lifts a
   * `needs_reauth`).
   */
  apply(account: A, body: object, options: { credentialsRenewed: (changed: string[]) => void }): string[];
  /** after every change of a request, in its transaction, with all changed field names */
  settle?(account: A, changed: readonly string[]): void;
  /** releases what the credentials hold (e.g. an HTTP client) when admin stops */
  close?(): void;
}

/**
 * A source's accounts in the admin API (`/api/v1/<source>/accounts`): its entity, request classes,
 * public view and how its credentials are sealed, checked and changed. Admin serves the shared routes
 * (create-or-update, list, get, patch, delete, sync) for every source that declares this.
 */
export interface SourceAccounts<
  A extends SourceAccount = SourceAccount,
  C extends AccountCredentials<A> = AccountCredentials<A>,
> {
  /** the MikroORM entity of `<source>.accounts` (registered with the ORM through the registry) */
  entity: new () => A;
  /** the source as people write it (`Airbnb`): names the request schemas (`Upsert<Title>AccountDto`) */
  title: string;
  /** the sync queued with a new account; a sync requested without a mode is this until the first sync succeeded, then incremental */
  firstSyncMode: 'backfill' | 'full';
  requests: {
    /** the source's fields of POST (its credentials and how the account id is given) */
    upsert: RequestClass;
    /** the source's fields of PATCH (credentials) */
    patch: RequestClass;
    /** `mode` of `POST /{id}/sync`, as a JSON body or as the query */
    sync: { in: 'body' | 'query'; type: RequestClass };
    /** query parameters of POST and PATCH that steer `verify` (e.g. `validate=false`) */
    checkQuery?: RequestClass;
  };
  /** OpenAPI descriptions of what differs per source */
  descriptions: {
    /** 201 of POST, e.g. 'Account created; its first backfill is queued' */
    created: string;
    /** 422 of POST and PATCH when `verify` refuses the credentials */
    unprocessable?: { upsert: string; patch: string };
  };
  /** OpenAPI examples: an account as the view shows it, and a POST body */
  examples: { account: object; upsert: object };
  /** what the API shows of an account: never a secret, only whether it is set and when it changed */
  view(account: A): object;
  /** account ids in a path that cannot exist become this one (e.g. non-numeric ids of a bigint key) */
  pathAccountId?(id: string): string;
  credentials(context: AccountHookContext): C;
  /** routes beyond the shared ones (e.g. a credential re-check) */
  actions?: readonly AccountAction<A, C>[];
}

/** Types a source's account hook by its entity and credentials (the registry holds them as `SourceAccounts`). */
export function sourceAccounts<A extends SourceAccount, C extends AccountCredentials<A>>(
  spec: SourceAccounts<A, C>,
): SourceAccounts {
  return spec;
}
