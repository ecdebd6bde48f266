/**
 * The simulated accounts' data: generated at start (dataset.ts), served by the API (resources.ts)
 * and read or changed directly by tests through the simulator's methods. Reads return copies.
 */
import {
  type AccountData,
  addedMessageIdFor,
  generateAccount,
  type HostawayListing,
  type HostawayMessage,
  type HostawayReservation,
  type HostawaySimulatorAccount,
  messageRecord,
} from './dataset';
import { formatHostawayDateTime } from './protocol';
import { conversationView, sortedReservations, threadView, visibleMessages } from './views';

export interface ExpectedSyncOptions {
  /** the client passes includeScheduledMessages=1 (default false) */
  includeScheduledMessages?: boolean;
}

export interface HostawayDatasetCounts {
  listings: number;
  reservations: number;
  conversations: number;
  /** `sent` messages (what the messages endpoint returns by default) */
  messages: number;
  /** `awaiting` messages, returned only with includeScheduledMessages=1 */
  scheduledMessages: number;
}

export class HostawayAccounts {
  private readonly byId = new Map<number, AccountData>();

  constructor(
    configs: readonly HostawaySimulatorAccount[],
    /** ms the generated history is anchored at */
    anchorMs: number,
    /** stamps changes */
    private readonly now: () => Date,
  ) {
    for (const config of configs) {
      if (this.byId.has(config.accountId)) throw new Error(`account ${config.accountId} is configured twice`);
      this.byId.set(config.accountId, generateAccount(config, anchorMs));
    }
  }

  /** in configuration order */
  ids(): number[] {
    return [...this.byId.keys()];
  }

  /** the account a request names, or undefined */
  find(accountId: number): AccountData | undefined {
    return this.byId.get(accountId);
  }

  /** the account a test names; throws when it is not configured */
  get(accountId: number): AccountData {
    const data = this.byId.get(accountId);
    if (!data) throw new Error(`account ${accountId} is not configured in the Hostaway simulator`);
    return data;
  }

  counts(accountId: number): HostawayDatasetCounts {
    const data = this.get(accountId);
    let messages = 0;
    let scheduledMessages = 0;
    for (const thread of data.messages.values()) {
      for (const m of thread) {
        if (m.status === 'sent') messages++;
        else scheduledMessages++;
      }
    }
    return {
      listings: data.listings.length,
      reservations: data.reservations.length,
      conversations: data.conversations.length,
      messages,
      scheduledMessages,
    };
  }

  /** See HostawaySimulator.expectedRequestsForFullSync. */
  expectedRequestsForFullSync(
    accountId: number,
    pageSize: number,
    maxPageSize: number,
    options: ExpectedSyncOptions,
  ): number {
    const data = this.get(accountId);
    if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > maxPageSize) {
      throw new RangeError(`pageSize must be an integer in 1…${maxPageSize}`);
    }
    const pages = (n: number) => Math.max(1, Math.ceil(n / pageSize));
    let total =
      pages(data.listings.length) + pages(data.reservations.length) + pages(data.conversations.length);
    for (const c of data.conversations) {
      total += pages(visibleMessages(data, c.id, options.includeScheduledMessages ?? false).length);
    }
    return total;
  }

  listings(accountId: number): HostawayListing[] {
    return structuredClone(this.get(accountId).listings);
  }

  reservations(accountId: number): HostawayReservation[] {
    return structuredClone(sortedReservations(this.get(accountId)));
  }

  conversations(accountId: number): Array<Record<string, unknown>> {
    const data = this.get(accountId);
    return data.conversations.map((c) => conversationView(data, c));
  }

  messages(accountId: number, conversationId: number, includeScheduled: boolean): HostawayMessage[] {
    return threadView(this.get(accountId), conversationId, includeScheduled);
  }

  reservation(accountId: number, id: number): HostawayReservation | undefined {
    const r = this.get(accountId).reservationsById.get(id);
    return r ? structuredClone(r) : undefined;
  }

  conversationForReservation(accountId: number, reservationId: number): { id: number } | undefined {
    const c = this.get(accountId).conversations.find((x) => x.reservationId === reservationId);
    return c ? { id: c.id } : undefined;
  }

  updateReservation(
    accountId: number,
    id: number,
    patch: Partial<Omit<HostawayReservation, 'id'>>,
  ): HostawayReservation {
    const data = this.get(accountId);
    const reservation = reservationOf(data, id);
    Object.assign(reservation, structuredClone(patch), { id });
    this.stamp(reservation);
    if (patch.listingMapId !== undefined) {
      // A booking moved listings: its conversation follows.
      const listing = data.listings.find((l) => l.id === patch.listingMapId);
      if (listing && patch.listingName === undefined) reservation.listingName = listing.name;
      for (const c of data.conversations) if (c.reservationId === id) c.listingMapId = patch.listingMapId;
    }
    return structuredClone(reservation);
  }

  cancelReservation(accountId: number, id: number, cancelledBy: 'host' | 'guest'): HostawayReservation {
    const reservation = reservationOf(this.get(accountId), id);
    reservation.status = 'cancelled';
    reservation.cancellationDate = formatHostawayDateTime(this.now());
    reservation.cancelledBy = cancelledBy;
    this.stamp(reservation);
    return structuredClone(reservation);
  }

  addMessage(
    accountId: number,
    conversationId: number,
    body: string,
    options: { isIncoming?: 0 | 1; status?: 'sent' | 'awaiting' },
  ): HostawayMessage {
    const data = this.get(accountId);
    const conversation = data.conversationsById.get(conversationId);
    if (!conversation) throw new Error(`account ${accountId} has no conversation ${conversationId}`);
    const reservation = reservationOf(data, conversation.reservationId);
    const isIncoming = options.isIncoming ?? 1;
    const status = options.status ?? 'sent';
    const dateMs = Math.floor(this.now().getTime() / 1000) * 1000;
    const message = messageRecord(conversation, reservation, {
      id: addedMessageIdFor(accountId, ++data.addedMessages),
      body,
      isIncoming,
      status,
      dateMs,
      sentToChannelDate: isIncoming === 0 && status === 'sent' ? formatHostawayDateTime(dateMs) : null,
    });
    data.messages.get(conversationId)?.push(message);
    if (status === 'sent') reservation.latestActivityOn = formatHostawayDateTime(this.now());
    return structuredClone(message);
  }

  /** A changed reservation: updatedOn = latestActivityOn = now(). */
  private stamp(reservation: HostawayReservation): void {
    const at = formatHostawayDateTime(this.now());
    reservation.updatedOn = at;
    reservation.latestActivityOn = at;
  }
}

function reservationOf(data: AccountData, id: number): HostawayReservation {
  const reservation = data.reservationsById.get(id);
  if (!reservation) throw new Error(`account ${data.account.accountId} has no reservation ${id}`);
  return reservation;
}
