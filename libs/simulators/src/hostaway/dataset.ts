import { SeededRandom } from '../airbnb/random';
import {
  formatHostawayDate,
  formatHostawayDateTime,
  HOSTAWAY_CHANNELS,
  type HostawayReservationStatus,
} from './protocol';

/**
 * The simulated Hostaway world of one account. Every generated value is a pure function of
 * (accountId, index) and the anchor time (the simulator's `now()` at start, floored to the second),
 * so a fixed `now` gives byte-identical data.
 *
 * Id scheme (unique across accounts, distinct across resource kinds):
 * - listing        accountId·10³ + i + 1                     (i < 999 listings)
 * - reservation    accountId·10⁶ + k + 1                     (k = i·R + r < 500 000)
 * - conversation   accountId·10⁶ + 500 000 + k + 1           (one per reservation)
 * - message        accountId·10⁹ + (k + 1)·10³ + m           (m < 998; m = 999 is the scheduled one)
 * - added message  accountId·10⁹ + 900 000 000 + n           (addMessage)
 */

export interface HostawaySimulatorAccount {
  /** Hostaway account id = OAuth client_id; 1 … 9 000 000 */
  accountId: number;
  clientSecret: string;
  /** default 3 */
  listings?: number;
  /** default 4 */
  reservationsPerListing?: number;
  /** sent messages per conversation (one conversation per reservation); default 3 */
  messagesPerConversation?: number;
}

export const HOSTAWAY_ACCOUNT_DEFAULTS = {
  listings: 3,
  reservationsPerListing: 4,
  messagesPerConversation: 3,
} as const;

/** Every `SCHEDULED_EVERY`-th conversation (k % 4 === 3) also holds one scheduled (`awaiting`) message. */
export const SCHEDULED_EVERY = 4;

export const MAX_ACCOUNT_ID = 9_000_000;

export interface HostawayListing {
  id: number;
  name: string;
  internalListingName: string;
  externalListingName: string;
  address: string;
  city: string;
  countryCode: string;
  lat: number;
  lng: number;
  personCapacity: number;
  bedroomsNumber: number;
  price: number;
  currencyCode: string;
  timeZoneName: string;
  checkInTimeStart: number;
  checkOutTime: number;
  /** secret-looking keys upstream really returns (reference §3) */
  wifiUsername: string;
  wifiPassword: string;
  doorSecurityCode: string;
  instantBookable: 0 | 1;
  isArchived: 0 | 1;
  latestActivityOn: string;
  insertedOn: string;
  [key: string]: unknown;
}

export interface HostawayReservation {
  id: number;
  hostawayReservationId: string;
  listingMapId: number;
  listingName: string;
  channelId: number;
  channelName: string;
  /** the channel's reference (a string), not the primary key */
  reservationId: string;
  confirmationCode: string;
  status: HostawayReservationStatus;
  paymentStatus: 'Paid' | 'Unpaid' | 'Partially paid' | 'Unknown' | null;
  arrivalDate: string;
  departureDate: string;
  nights: number;
  numberOfGuests: number;
  adults: number;
  children: number;
  guestName: string;
  guestFirstName: string;
  guestLastName: string;
  guestEmail: string | null;
  phone: string | null;
  totalPrice: number;
  currency: string;
  isPaid: 0 | 1;
  isInstantBooked: 0 | 1;
  checkInTime: number;
  checkOutTime: number;
  reservationDate: string;
  insertedOn: string;
  updatedOn: string;
  latestActivityOn: string;
  cancellationDate: string | null;
  cancelledBy: 'host' | 'guest' | null;
  hostNote: string | null;
  guestNote: string | null;
  /** empty unless includeResources=1 (reference §2) */
  customFieldValues: Array<Record<string, unknown>>;
  reservationFees: Array<Record<string, unknown>>;
  reservationUnit: Array<Record<string, unknown>>;
  hostProxyEmail: string | null;
  /** a smart-lock code; upstream sends it when a lock integration is set up (none by default here) */
  doorCode?: string | null;
}

export interface HostawayMessage {
  id: number;
  accountId: number;
  conversationId: number;
  reservationId: number;
  listingMapId: number;
  channelId: number;
  communicationId: number | null;
  body: string;
  isIncoming: 0 | 1;
  isSeen: 0 | 1;
  status: 'sent' | 'awaiting';
  date: string;
  sentToChannelDate: string | null;
  insertedOn: string;
  updatedOn: string;
  attachments: unknown[];
}

/** A conversation as stored; the API view adds the preview message and the embedded Reservation. */
export interface ConversationRecord {
  id: number;
  accountId: number;
  listingMapId: number;
  reservationId: number;
  type: 'host-guest-email' | 'host-guest-native';
}

export interface AccountData {
  account: Required<HostawaySimulatorAccount>;
  /** id ASC */
  listings: HostawayListing[];
  /** generation order (k); the API sorts */
  reservations: HostawayReservation[];
  reservationsById: Map<number, HostawayReservation>;
  /** id ASC */
  conversations: ConversationRecord[];
  conversationsById: Map<number, ConversationRecord>;
  /** each thread oldest → newest (by date, then id) */
  messages: Map<number, HostawayMessage[]>;
  addedMessages: number;
}

const CITIES = [
  {
    city: 'Springfield',
    state: 'IL',
    countryCode: 'US',
    country: 'United States',
    lat: 39.78,
    lng: -89.65,
    tz: 'America/Chicago',
    currency: 'USD',
  },
  {
    city: 'Austin',
    state: 'TX',
    countryCode: 'US',
    country: 'United States',
    lat: 30.27,
    lng: -97.74,
    tz: 'America/Chicago',
    currency: 'USD',
  },
  {
    city: 'Asheville',
    state: 'NC',
    countryCode: 'US',
    country: 'United States',
    lat: 35.6,
    lng: -82.55,
    tz: 'America/New_York',
    currency: 'USD',
  },
  {
    city: 'Lisbon',
    state: 'Lisboa',
    countryCode: 'PT',
    country: 'Portugal',
    lat: 38.72,
    lng: -9.14,
    tz: 'Europe/Lisbon',
    currency: 'EUR',
  },
  {
    city: 'Barcelona',
    state: 'Catalonia',
    countryCode: 'ES',
    country: 'Spain',
    lat: 41.39,
    lng: 2.17,
    tz: 'Europe/Madrid',
    currency: 'EUR',
  },
  {
    city: 'Edinburgh',
    state: 'Scotland',
    countryCode: 'GB',
    country: 'United Kingdom',
    lat: 55.95,
    lng: -3.19,
    tz: 'Europe/London',
    currency: 'GBP',
  },
] as const;
const STREETS = [
  'Maple Street',
  'Harbor View Dr',
  'Orchard Lane',
  'Lake Shore Blvd',
  'Rua Augusta',
  'Carrer de Blai',
  'Royal Mile',
  'Grand Ave',
];
const ADJECTIVES = ['Sunny', 'Cozy', 'Spacious', 'Quiet', 'Historic', 'Modern', 'Bright', 'Charming'];
const PLACES = ['Cottage', 'Loft', 'Studio', 'Apartment', 'Villa', 'Townhouse', 'Suite'];
const FIRST_NAMES = [
  'Jane',
  'John',
  'Maria',
  'Ahmed',
  'Li',
  'Sofia',
  'Lucas',
  'Emma',
  'Noah',
  'Olivia',
  'Mateo',
  'Aisha',
];
const LAST_NAMES = [
  'Doe',
  'Smith',
  'Garcia',
  'Khan',
  'Wang',
  'Rossi',
  'Silva',
  'Brown',
  'Müller',
  'Dubois',
  'Novak',
  'Okafor',
];
const GUEST_LINES = [
  'Hi! What time is check-in?',
  'Is there parking nearby?',
  'Can we drop our bags early?',
  'What is the wifi password?',
  'Thanks, we just arrived!',
  'Is the place suitable for a baby?',
];
const HOST_LINES = [
  'Check-in is from 3 pm; the door code arrives the day before.',
  'Yes, there is free street parking right outside.',
  'Of course, you can leave your bags from 11 am.',
  'The wifi details are in the house manual.',
  'Welcome! Let us know if you need anything.',
  'We can provide a travel cot on request.',
];
/** weighted channel mix */
const CHANNEL_MIX = [2018, 2018, 2018, 2005, 2005, 2000, 2002, 2013];

const SECOND = 1000;
const DAY = 86_400_000;

export function assertAccountConfig(account: HostawaySimulatorAccount): Required<HostawaySimulatorAccount> {
  const { accountId, clientSecret } = account;
  if (!Number.isInteger(accountId) || accountId < 1 || accountId > MAX_ACCOUNT_ID) {
    throw new RangeError(`accountId must be an integer in 1…${MAX_ACCOUNT_ID}, got ${accountId}`);
  }
  if (typeof clientSecret !== 'string' || clientSecret === '') {
    throw new RangeError(`account ${accountId}: clientSecret must be a non-empty string`);
  }
  const full = {
    ...HOSTAWAY_ACCOUNT_DEFAULTS,
    ...stripUndefined(account),
  } as Required<HostawaySimulatorAccount>;
  const check = (name: string, value: number, max: number) => {
    if (!Number.isInteger(value) || value < 0 || value > max) {
      throw new RangeError(`account ${accountId}: ${name} must be an integer in 0…${max}, got ${value}`);
    }
  };
  check('listings', full.listings, 999);
  check('reservationsPerListing', full.reservationsPerListing, 499_999);
  check('messagesPerConversation', full.messagesPerConversation, 998);
  if (full.listings * full.reservationsPerListing >= 500_000) {
    throw new RangeError(`account ${accountId}: at most 499 999 reservations per account`);
  }
  return full;
}

/** Build one account's world; `anchorMs` is "now" for the generated history. */
export function generateAccount(config: HostawaySimulatorAccount, anchorMs: number): AccountData {
  const account = assertAccountConfig(config);
  const anchor = Math.floor(anchorMs / SECOND) * SECOND;
  const { accountId } = account;

  const listings = Array.from({ length: account.listings }, (_, i) => generateListing(accountId, i, anchor));
  const reservations: HostawayReservation[] = [];
  const conversations: ConversationRecord[] = [];
  const messages = new Map<number, HostawayMessage[]>();
  let k = 0;
  for (const listing of listings) {
    for (let r = 0; r < account.reservationsPerListing; r++, k++) {
      const reservation = generateReservation(accountId, k, listing, anchor);
      const conversation: ConversationRecord = {
        id: conversationIdFor(accountId, k),
        accountId,
        listingMapId: listing.id,
        reservationId: reservation.id,
        type:
          reservation.channelId === 2018 || reservation.channelId === 2005
            ? 'host-guest-native'
            : 'host-guest-email',
      };
      const thread = generateThread(
        accountId,
        k,
        account.messagesPerConversation,
        conversation,
        reservation,
        anchor,
      );
      const last = thread.filter((m) => m.status === 'sent').at(-1);
      if (last && last.date > reservation.latestActivityOn) reservation.latestActivityOn = last.date;
      reservations.push(reservation);
      conversations.push(conversation);
      messages.set(conversation.id, thread);
    }
  }
  return {
    account,
    listings,
    reservations,
    reservationsById: new Map(reservations.map((r) => [r.id, r])),
    conversations,
    conversationsById: new Map(conversations.map((c) => [c.id, c])),
    messages,
    addedMessages: 0,
  };
}

export const listingIdFor = (accountId: number, i: number) => accountId * 1000 + i + 1;
export const reservationIdFor = (accountId: number, k: number) => accountId * 1_000_000 + k + 1;
export const conversationIdFor = (accountId: number, k: number) => accountId * 1_000_000 + 500_000 + k + 1;
export const messageIdFor = (accountId: number, k: number, m: number) =>
  accountId * 1_000_000_000 + (k + 1) * 1000 + m;
export const addedMessageIdFor = (accountId: number, n: number) =>
  accountId * 1_000_000_000 + 900_000_000 + n;

function generateListing(accountId: number, i: number, anchor: number): HostawayListing {
  const rnd = new SeededRandom(`hostaway:${accountId}:listing:${i}`);
  const id = listingIdFor(accountId, i);
  const place = rnd.pick(CITIES);
  const street = `${rnd.int(1, 999)} ${rnd.pick(STREETS)}`;
  const kind = rnd.pick(PLACES);
  const bedrooms = rnd.int(1, 5);
  const insertedMs = anchor - rnd.int(200, 900) * DAY - rnd.int(0, 86_399) * SECOND;
  const latestMs = anchor - rnd.int(0, 60 * 86_400) * SECOND;
  const zipcode = rnd.digits(5);
  return {
    id,
    propertyTypeId: rnd.pick([1, 2, 3, 4, 8]),
    name: `${rnd.pick(ADJECTIVES)} ${kind} in ${place.city}`,
    externalListingName: `${rnd.pick(ADJECTIVES)} ${kind} · ${bedrooms} BR`,
    internalListingName: `${place.city.slice(0, 3).toUpperCase()}-${String(i + 1).padStart(2, '0')}`,
    description: `${/^[AEIOU]/.test(kind) ? 'An' : 'A'} ${kind.toLowerCase()} at ${street} with ${bedrooms} bedrooms and a full kitchen.`,
    thumbnailUrl: `https://hostaway-platform.s3.us-west-2.amazonaws.com/listing/${accountId}-${id}-thumbnail-${rnd.hex(16)}.jpeg`,
    houseRules: 'No smoking. No parties. Quiet hours after 10 pm.',
    keyPickup: 'Smart lock; the code is sent the day before arrival.',
    specialInstruction: null,
    doorSecurityCode: rnd.digits(4),
    country: place.country,
    countryCode: place.countryCode,
    state: place.state,
    city: place.city,
    street,
    address: `${street}, ${place.city}, ${place.state} ${zipcode}, ${place.country}`,
    publicAddress: `${place.city}, ${place.country}`,
    zipcode,
    price: rnd.int(60, 450),
    starRating: null,
    weeklyDiscount: rnd.pick([null, 0.95, 0.9]),
    monthlyDiscount: rnd.pick([null, 0.85, 0.8]),
    cleaningFee: rnd.int(2, 12) * 10,
    priceForExtraPerson: rnd.int(0, 4) * 5,
    refundableDamageDeposit: rnd.int(0, 5) * 100,
    personCapacity: bedrooms * 2 + rnd.int(0, 2),
    maxChildrenAllowed: rnd.int(0, 3),
    maxInfantsAllowed: rnd.int(0, 2),
    maxPetsAllowed: rnd.int(0, 1),
    lat: round(place.lat + rnd.between(-0.05, 0.05), 6),
    lng: round(place.lng + rnd.between(-0.05, 0.05), 6),
    checkInTimeStart: rnd.pick([14, 15, 16]),
    checkInTimeEnd: rnd.pick([20, 22, 23]),
    checkOutTime: rnd.pick([10, 11]),
    cancellationPolicy: rnd.pick(['flexible', 'moderate', 'strict']),
    squareMeters: bedrooms * rnd.int(25, 40),
    roomType: 'entire_home',
    bathroomType: 'private',
    bedroomsNumber: bedrooms,
    bedsNumber: bedrooms + rnd.int(0, 2),
    bathroomsNumber: rnd.int(1, bedrooms),
    minNights: rnd.int(1, 3),
    maxNights: rnd.pick([30, 90, 365]),
    guestsIncluded: bedrooms * 2,
    cleannessStatus: null,
    instantBookable: rnd.next() < 0.7 ? 1 : 0,
    allowSameDayBooking: rnd.next() < 0.5 ? 1 : 0,
    sameDayBookingLeadTime: 14,
    contactName: `${rnd.pick(FIRST_NAMES)} ${rnd.pick(LAST_NAMES)}`,
    contactPhone1: `+1${rnd.digits(10)}`,
    contactEmail: `host${accountId}@example.com`,
    language: 'en',
    currencyCode: place.currency,
    timeZoneName: place.tz,
    wifiUsername: `Guest-${rnd.alnum(4).toUpperCase()}`,
    wifiPassword: rnd.alnum(12),
    isRentalAgreementActive: 0,
    isArchived: 0,
    airbnbListingUrl: `https://www.airbnb.com/rooms/${rnd.digits(18)}`,
    vrboListingUrl: null,
    listingAmenities: [
      { id: id * 10 + 1, amenityId: 1, amenityName: 'Internet' },
      { id: id * 10 + 2, amenityId: 2, amenityName: 'Kitchen' },
    ],
    listingBedTypes: [],
    listingImages: [
      {
        id: id * 10 + 1,
        caption: 'Living room',
        url: `https://hostaway-platform.s3.amazonaws.com/listing/${id}-1.jpeg`,
        sortOrder: 1,
      },
    ],
    listingTags: [],
    customFieldValues: [],
    latestActivityOn: formatHostawayDateTime(latestMs),
    insertedOn: formatHostawayDateTime(insertedMs),
  };
}

function generateReservation(
  accountId: number,
  k: number,
  listing: HostawayListing,
  anchor: number,
): HostawayReservation {
  const rnd = new SeededRandom(`hostaway:${accountId}:reservation:${k}`);
  const id = reservationIdFor(accountId, k);
  const channelId = rnd.pick(CHANNEL_MIX);
  const first = rnd.pick(FIRST_NAMES);
  const last = rnd.pick(LAST_NAMES);
  const insertedMs = anchor - rnd.int(2 * 86_400, 200 * 86_400) * SECOND;
  const updatedMs =
    rnd.next() < 0.3
      ? insertedMs
      : insertedMs + Math.floor(rnd.next() * ((anchor - insertedMs) / SECOND - 60)) * SECOND;
  const arrivalMs = Math.floor(insertedMs / DAY) * DAY + rnd.int(3, 150) * DAY;
  const nights = rnd.int(1, 10);
  const roll = rnd.next();
  const status: HostawayReservationStatus =
    roll < 0.55
      ? 'new'
      : roll < 0.85
        ? 'modified'
        : roll < 0.93
          ? 'cancelled'
          : roll < 0.97
            ? 'inquiry'
            : 'ownerStay';
  const adults = rnd.int(1, Math.max(1, listing.personCapacity - 1));
  const children = rnd.int(0, 1);
  const nightly = listing.price * rnd.between(0.85, 1.25);
  const totalPrice = round(nightly * nights + Number(listing.cleaningFee), 2);
  const confirmation = channelId === 2018 ? `HM${rnd.alnum(8).toUpperCase()}` : rnd.digits(10);
  const channelRef =
    channelId === 2018
      ? `${listing.id}-guest-${k + 1}-confirmation-${confirmation}`
      : channelId === 2000 || channelId === 2013
        ? String(id)
        : confirmation;
  const cancelled = status === 'cancelled';
  return {
    id,
    hostawayReservationId: String(id),
    listingMapId: listing.id,
    listingName: listing.name,
    channelId,
    channelName: HOSTAWAY_CHANNELS[channelId],
    reservationId: channelRef,
    confirmationCode: confirmation,
    status,
    paymentStatus: cancelled ? 'Unknown' : rnd.pick(['Paid', 'Paid', 'Unpaid', 'Partially paid'] as const),
    arrivalDate: formatHostawayDate(arrivalMs),
    departureDate: formatHostawayDate(arrivalMs + nights * DAY),
    nights,
    numberOfGuests: adults + children,
    adults,
    children,
    guestName: `${first} ${last}`,
    guestFirstName: first,
    guestLastName: last,
    guestEmail: channelId === 2018 ? null : `${first.toLowerCase()}.${k + 1}@example.com`,
    phone: rnd.next() < 0.5 ? `+44${rnd.digits(10)}` : null,
    totalPrice,
    currency: String(listing.currencyCode),
    isPaid: 0,
    isInstantBooked: listing.instantBookable,
    checkInTime: listing.checkInTimeStart,
    checkOutTime: listing.checkOutTime,
    reservationDate: formatHostawayDateTime(insertedMs),
    insertedOn: formatHostawayDateTime(insertedMs),
    updatedOn: formatHostawayDateTime(updatedMs),
    latestActivityOn: formatHostawayDateTime(updatedMs),
    cancellationDate: cancelled ? formatHostawayDateTime(updatedMs) : null,
    cancelledBy: cancelled ? rnd.pick(['guest', 'host'] as const) : null,
    hostNote: null,
    guestNote: rnd.next() < 0.2 ? 'Arriving late, around 11 pm.' : null,
    customFieldValues: [],
    reservationFees: [],
    reservationUnit: [],
    hostProxyEmail: null,
  };
}

function generateThread(
  accountId: number,
  k: number,
  count: number,
  conversation: ConversationRecord,
  reservation: HostawayReservation,
  anchor: number,
): HostawayMessage[] {
  const rnd = new SeededRandom(`hostaway:${accountId}:thread:${k}`);
  const insertedMs = Date.parse(`${reservation.insertedOn.replace(' ', 'T')}Z`);
  const stepSeconds = Math.max(1, Math.floor((anchor - insertedMs) / SECOND / (count + 1)));
  const thread: HostawayMessage[] = [];
  for (let m = 0; m < count; m++) {
    const incoming = m % 2 === 0;
    const dateMs = insertedMs + (m + 1) * stepSeconds * SECOND - 2 * SECOND;
    const sentToChannel = !incoming && rnd.next() < 0.75 ? formatHostawayDateTime(dateMs + 2 * SECOND) : null;
    thread.push(
      messageRecord(conversation, reservation, {
        id: messageIdFor(accountId, k, m),
        body: incoming ? rnd.pick(GUEST_LINES) : rnd.pick(HOST_LINES),
        isIncoming: incoming ? 1 : 0,
        status: 'sent',
        dateMs,
        sentToChannelDate: sentToChannel,
      }),
    );
  }
  if (k % SCHEDULED_EVERY === SCHEDULED_EVERY - 1) {
    const dateMs = Date.parse(`${reservation.arrivalDate}T10:00:00Z`) - DAY;
    thread.push(
      messageRecord(conversation, reservation, {
        id: messageIdFor(accountId, k, 999),
        body: 'Reminder: your door code will be sent tomorrow.',
        isIncoming: 0,
        status: 'awaiting',
        dateMs,
        sentToChannelDate: null,
      }),
    );
  }
  return thread;
}

export function messageRecord(
  conversation: ConversationRecord,
  reservation: HostawayReservation,
  fields: {
    id: number;
    body: string;
    isIncoming: 0 | 1;
    status: 'sent' | 'awaiting';
    dateMs: number;
    sentToChannelDate: string | null;
  },
): HostawayMessage {
  const inserted = formatHostawayDateTime(fields.dateMs + 2 * SECOND);
  return {
    id: fields.id,
    accountId: conversation.accountId,
    conversationId: conversation.id,
    reservationId: conversation.reservationId,
    listingMapId: conversation.listingMapId,
    channelId: reservation.channelId,
    communicationId: null,
    body: fields.body,
    isIncoming: fields.isIncoming,
    isSeen: fields.isIncoming ? 0 : 1,
    status: fields.status,
    date: formatHostawayDateTime(fields.dateMs),
    sentToChannelDate: fields.sentToChannelDate,
    insertedOn: inserted,
    updatedOn: inserted,
    attachments: [],
  };
}

function round(value: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
