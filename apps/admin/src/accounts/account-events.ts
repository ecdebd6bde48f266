import type { EntityManager } from '@mikro-orm/postgresql';
import { accountEventOutbox, OutboxMessage, type AccountEventType, type AccountSnapshot } from '@staysync/db';

export type { AccountEventType, AccountSnapshot } from '@staysync/db';

/** Queues the event in the caller's transaction (transactional outbox); the relay publishes it. */
export function recordAccountEvent(
  em: EntityManager,
  type: AccountEventType,
  account: AccountSnapshot,
  changedFields: string[],
): void {
  const { topic, key, value } = accountEventOutbox(type, account, changedFields);
  em.persist(em.create(OutboxMessage, { topic, key, value, headers: {} } as never));
}
