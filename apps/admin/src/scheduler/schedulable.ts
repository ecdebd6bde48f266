import type { AccountStatus } from '@staysync/core';

/** Statuses the scheduler looks at; `blocked` ones only once their cool-down is over (`isSchedulable`). */
export const SCHEDULABLE_STATUSES: readonly AccountStatus[] = ['active', 'blocked'];

/**
 * Whether the scheduler may queue a sync for the account now: an active account, or a blocked one
 * whose cool-down (`blocked_until`) has ended. A blocked account without an end date waits for an operator.
 */
export function isSchedulable(
  account: { status: AccountStatus; blockedUntil?: Date | null },
  now: Date = new Date(),
): boolean {
  if (account.status === 'active') return true;
  if (account.status !== 'blocked') return false;
  return account.blockedUntil instanceof Date && account.blockedUntil.getTime() <= now.getTime();
}
