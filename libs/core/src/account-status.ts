/**
 * An account's state, the same for every source (its `<source>.accounts.status` column and the
 * `accounts.events.v1` value). `blocked`: the upstream's edge refuses the account for now; synced again
 * after `blocked_until`.
 */
export type AccountStatus = 'active' | 'needs_reauth' | 'paused' | 'blocked';
