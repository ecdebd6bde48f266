/**
 * The API's view of an account's stored records: sort orders, visible messages, and the fields
 * upstream adds on the way out (conversation previews, includeResources). Every view is a copy.
 */
import type { AccountData, ConversationRecord, HostawayMessage, HostawayReservation } from './dataset';

/** updatedOn DESC, id DESC (not copies) */
export function sortedReservations(data: AccountData): HostawayReservation[] {
  return data.reservations
    .slice()
    .sort((a, b) => (a.updatedOn === b.updatedOn ? b.id - a.id : a.updatedOn < b.updatedOn ? 1 : -1));
}

/** `sent` messages, plus `awaiting` ones when `includeScheduled`, in stored order (not copies) */
export function visibleMessages(
  data: AccountData,
  conversationId: number,
  includeScheduled: boolean,
): HostawayMessage[] {
  return (data.messages.get(conversationId) ?? []).filter((m) => includeScheduled || m.status === 'sent');
}

/** date DESC, id DESC (newest first) */
export function threadView(
  data: AccountData,
  conversationId: number,
  includeScheduled: boolean,
): HostawayMessage[] {
  return visibleMessages(data, conversationId, includeScheduled)
    .slice()
    .sort((a, b) => (a.date === b.date ? b.id - a.id : a.date < b.date ? 1 : -1))
    .map((m) => structuredClone(m));
}

export function conversationView(data: AccountData, c: ConversationRecord): Record<string, unknown> {
  const reservation = data.reservationsById.get(c.reservationId);
  const sent = visibleMessages(data, c.id, false);
  const latest = (incoming: 0 | 1 | undefined) =>
    sent
      .filter((m) => incoming === undefined || m.isIncoming === incoming)
      .reduce<HostawayMessage | undefined>(
        (best, m) => (!best || m.date > best.date || (m.date === best.date && m.id > best.id) ? m : best),
        undefined,
      );
  const preview = latest(undefined);
  return {
    id: c.id,
    accountId: c.accountId,
    listingMapId: c.listingMapId,
    reservationId: c.reservationId,
    type: c.type,
    recipientName: reservation?.guestName ?? null,
    guestEmail: reservation?.guestEmail ?? null,
    hasUnreadMessages: sent.some((m) => m.isIncoming === 1 && m.isSeen === 0) ? 1 : 0,
    isArchived: 0,
    messageSentOn: latest(0)?.date ?? null,
    messageReceivedOn: latest(1)?.date ?? null,
    conversationMessages: preview ? [structuredClone(preview)] : [],
    Reservation: reservation ? reservationView(reservation, false) : null,
  };
}

/** includeResources=1 fills the custom fields, fees, units and proxy e-mail (reference §2). */
export function reservationView(r: HostawayReservation, includeResources: boolean): HostawayReservation {
  const copy = structuredClone(r);
  if (includeResources) {
    copy.customFieldValues = [
      {
        id: r.id * 10 + 1,
        customFieldId: 101,
        customField: { id: 101, name: 'Parking spot' },
        value: 'P1',
      },
    ];
    copy.reservationFees = [{ id: r.id * 10 + 1, name: 'cleaningFee', amount: 50, currency: r.currency }];
    copy.reservationUnit = [];
    copy.hostProxyEmail = `guest-${r.id}@guest.hostaway.example`;
  }
  return copy;
}
