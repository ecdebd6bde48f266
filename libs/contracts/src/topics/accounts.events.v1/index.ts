import type { AccountStatus } from '@staysync/core';
import schema from './schema.json';

export { schema as accountEventSchema };

export type AccountEventType =
  'created' | 'updated' | 'deactivated' | 'reactivated' | 'deleted' | 'needs_reauth';
export type { AccountStatus };

/** Value of `accounts.events.v1` (mirrors ./schema.json). No credentials, ever. */
export interface AccountEvent {
  schemaVersion: 1;
  eventId: string;
  type: AccountEventType;
  source: string;
  accountId: string;
  customerId: string | null;
  /** ISO-8601 */
  occurredAt: string;
  changedFields: string[];
  account: AccountState;
}

/** The account after the event. */
export interface AccountState {
  isActive: boolean;
  status: AccountStatus;
  lastSyncAt: string | null;
  credentialsSet: boolean;
  credentialsUpdatedAt: string | null;
  deletedAt: string | null;
}

/** `source:accountId`: all events of one account stay in order on one partition. */
export function accountEventKey(event: Pick<AccountEvent, 'source' | 'accountId'>): string {
  return `${event.source}:${event.accountId}`;
}

export const exampleAccountEvent: AccountEvent = {
  schemaVersion: 1,
  eventId: '0b6f3c52-8c1e-4e0b-9a57-1f0d9a3c2b10',
  type: 'updated',
  source: 'airbnb',
  accountId: 'acc-42',
  customerId: 'cust-7',
  occurredAt: '2024-05-01T05:00:00.000Z',
  changedFields: ['credentials'],
  account: {
    isActive: true,
    status: 'active',
    lastSyncAt: '2024-04-30T05:12:09.000Z',
    credentialsSet: true,
    credentialsUpdatedAt: '2024-05-01T05:00:00.000Z',
    deletedAt: null,
  },
};
