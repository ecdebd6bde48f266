/** The example payloads of the Hostaway reference (§8), fake data, copied verbatim. */
export const LISTING = {
  id: 100201,
  name: 'Test Cottage',
  internalListingName: 'TC-01',
  city: 'Springfield',
  countryCode: 'US',
  personCapacity: 4,
  bedroomsNumber: 2,
  price: 150,
  currencyCode: 'USD',
  timeZoneName: 'America/New_York',
  checkInTimeStart: 15,
  latestActivityOn: '2025-07-01 12:00:00',
  insertedOn: '2024-01-10 09:00:00',
};

export const RESERVATION = {
  id: 5000001,
  listingMapId: 100201,
  channelId: 2018,
  channelName: 'airbnbOfficial',
  reservationId: '100201-guest-1-confirmation-HMTEST0001',
  confirmationCode: 'HMTEST0001',
  status: 'new',
  paymentStatus: 'Paid',
  arrivalDate: '2025-08-01',
  departureDate: '2025-08-04',
  nights: 3,
  numberOfGuests: 2,
  guestName: 'Jane Doe',
  guestEmail: 'jane@example.com',
  totalPrice: 480.5,
  currency: 'USD',
  updatedOn: '2025-07-02 08:30:00',
  latestActivityOn: '2025-07-02 08:30:00',
};

export const MESSAGE = {
  id: 900000001,
  accountId: 10001,
  conversationId: 7000001,
  reservationId: 5000001,
  listingMapId: 100201,
  body: 'Hi! What time is check-in?',
  isIncoming: 1,
  status: 'sent',
  date: '2025-07-02 08:29:58',
  sentToChannelDate: null,
  insertedOn: '2025-07-02 08:30:00',
};

export const CANCEL_WEBHOOK = {
  object: 'reservation',
  event: 'reservation.updated',
  accountId: 10001,
  payload: {
    data: {
      id: 5000001,
      listingMapId: 100201,
      status: 'cancelled',
      arrivalDate: '2025-08-01',
      departureDate: '2025-08-04',
    },
  },
};

export const MESSAGE_WEBHOOK = {
  object: 'conversationMessage',
  event: 'message.received',
  accountId: 10001,
  data: {
    id: 900000002,
    conversationId: 7000001,
    reservationId: 5000001,
    listingMapId: 100201,
    body: 'Thanks!',
    isIncoming: 1,
    date: '2025-07-02 09:00:00',
    status: 'sent',
  },
};

/** A list response envelope as Hostaway sends it. */
export function listBody(result: unknown[], extra: Record<string, unknown> = {}) {
  return { status: 'success', result, count: result.length, limit: 100, offset: 0, ...extra };
}
