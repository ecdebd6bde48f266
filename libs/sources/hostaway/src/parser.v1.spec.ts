import { PoisonMessageError, currentParser, type RawEnvelope } from '@staysync/core';
import {
  CANCEL_WEBHOOK,
  LISTING,
  MESSAGE,
  MESSAGE_WEBHOOK,
  RESERVATION,
  listBody,
} from './__fixtures__/examples';
import { formatHostawayDateTime, hostawayDate, hostawayDateTimeToIso } from './datetime';
import { parserV1 } from './parser.v1';
import { hostawaySource } from './source';

const FETCHED_AT = '2025-07-03T04:05:06.000Z';

function envelope(overrides: Partial<RawEnvelope> = {}): RawEnvelope {
  return {
    schemaVersion: 1,
    jobId: 'job-1',
    source: 'hostaway',
    // deliberately not the payloads' accountId (10001): the envelope's wins
    accountId: '424242',
    operation: 'listings',
    resourceId: null,
    requestKey: 'hostaway:424242:2025-07-03:listings:-:0',
    variables: { limit: 100, offset: 0 },
    window: null,
    scrapeDate: '2025-07-03',
    fetchedAt: FETCHED_AT,
    httpStatus: 200,
    body: listBody([]),
    ...overrides,
  };
}

const webhook = (body: unknown) =>
  envelope({ operation: 'webhook', jobId: null, requestKey: 'hostaway:webhook:1', variables: {}, body });

describe('hostaway parserV1', () => {
  it('is the current parser of the hostaway source', () => {
    expect(hostawaySource.name).toBe('hostaway');
    expect(currentParser(hostawaySource)).toBe(parserV1);
  });

  it('listings page → one listing row per entity', () => {
    expect(parserV1.parse(envelope({ body: listBody([LISTING]) }))).toEqual({
      rows: {
        'hostaway.listings': [
          {
            id: '100201',
            account_id: '424242',
            name: 'Test Cottage',
            city: 'Springfield',
            country_code: 'US',
            currency_code: 'USD',
            time_zone: 'America/New_York',
            latest_activity_on: '2025-07-01T12:00:00.000Z',
            raw_payload: LISTING,
            observed_at: FETCHED_AT,
          },
        ],
      },
      unknownMetrics: [],
    });
  });

  it('reservations page → reservation rows (listing_id = listingMapId, no accountId in the payload)', () => {
    const { rows } = parserV1.parse(envelope({ operation: 'reservations', body: listBody([RESERVATION]) }));
    expect(rows).toEqual({
      'hostaway.reservations': [
        {
          id: '5000001',
          account_id: '424242',
          listing_id: '100201',
          channel_id: '2018',
          channel_name: 'airbnbOfficial',
          status: 'new',
          arrival_date: '2025-08-01',
          departure_date: '2025-08-04',
          cancelled_at: null,
          upstream_updated_at: '2025-07-02T08:30:00.000Z',
          raw_payload: RESERVATION,
          observed_at: FETCHED_AT,
        },
      ],
    });
  });

  it('messages page → message rows, sent_at falling back from a null sentToChannelDate to date', () => {
    const { rows } = parserV1.parse(
      envelope({
        operation: 'messages',
        resourceId: '7000001',
        body: listBody([MESSAGE], { page: 1, totalPages: 1 }),
      }),
    );
    expect(rows).toEqual({
      'hostaway.messages': [
        {
          id: '900000001',
          account_id: '424242',
          conversation_id: '7000001',
          reservation_id: '5000001',
          listing_id: '100201',
          sent_at: '2025-07-02T08:29:58.000Z',
          is_incoming: true,
          status: 'sent',
          raw_payload: MESSAGE,
          observed_at: FETCHED_AT,
        },
      ],
    });
  });

  it('message send time: sentToChannelDate, then sentChannelDate, date, insertedOn, updatedOn', () => {
    const base = { id: 1, isIncoming: 0 };
    const sentAt = (fields: Record<string, unknown>) =>
      parserV1
        .parse(envelope({ operation: 'messages', resourceId: '7', body: listBody([{ ...base, ...fields }]) }))
        .rows['hostaway.messages'].map((r) => [r.sent_at, r.conversation_id, r.is_incoming]);
    expect(
      sentAt({
        sentToChannelDate: '2025-01-01 00:00:01',
        sentChannelDate: '2025-01-01 00:00:02',
        date: '2025-01-01 00:00:03',
      }),
    ).toEqual([['2025-01-01T00:00:01.000Z', '7', false]]);
    expect(sentAt({ sentChannelDate: '2025-01-01 00:00:02', date: '2025-01-01 00:00:03' })[0][0]).toBe(
      '2025-01-01T00:00:02.000Z',
    );
    expect(sentAt({ updatedOn: '2025-01-01 00:00:05' })[0][0]).toBe('2025-01-01T00:00:05.000Z');
    // no usable timestamp at all → skipped
    expect(sentAt({ date: '0000-00-00 00:00:00' })).toEqual([]);
  });

  it('an explicitly empty page → no rows', () => {
    expect(parserV1.parse(envelope({ body: listBody([]) })).rows).toEqual({ 'hostaway.listings': [] });
  });

  it('conversations → no rows', () => {
    expect(
      parserV1.parse(envelope({ operation: 'conversations', body: listBody([{ id: 7000001 }]) })),
    ).toEqual({
      rows: {},
      unknownMetrics: [],
    });
  });

  it('cancel webhook (entity in payload.data) → one partial reservation row: only the columns its fields feed', () => {
    expect(parserV1.parse(webhook(CANCEL_WEBHOOK))).toEqual({
      rows: {
        'hostaway.reservations': [
          {
            id: '5000001',
            account_id: '424242',
            listing_id: '100201',
            status: 'cancelled',
            arrival_date: '2025-08-01',
            departure_date: '2025-08-04',
            raw_payload: CANCEL_WEBHOOK.payload.data,
            observed_at: FETCHED_AT,
            partial: true,
          },
        ],
      },
      unknownMetrics: [],
    });
  });

  it('message webhook (entity in data) → one message row', () => {
    expect(parserV1.parse(webhook(MESSAGE_WEBHOOK))).toEqual({
      rows: {
        'hostaway.messages': [
          {
            id: '900000002',
            account_id: '424242',
            conversation_id: '7000001',
            reservation_id: '5000001',
            listing_id: '100201',
            sent_at: '2025-07-02T09:00:00.000Z',
            is_incoming: true,
            status: 'sent',
            raw_payload: MESSAGE_WEBHOOK.data,
            observed_at: FETCHED_AT,
            partial: true,
          },
        ],
      },
      unknownMetrics: [],
    });
  });

  it('accepts the eventType alias', () => {
    const { event: _event, ...rest } = CANCEL_WEBHOOK;
    const { rows } = parserV1.parse(webhook({ ...rest, eventType: 'reservation.created' }));
    expect(rows['hostaway.reservations'].map((r) => r.id)).toEqual(['5000001']);
  });

  it('unknown webhook event → no rows, the event reported', () => {
    expect(
      parserV1.parse(
        webhook({ object: 'listing', event: 'listing.updated', accountId: 10001, data: { id: 1 } }),
      ),
    ).toEqual({
      rows: {},
      unknownMetrics: ['listing.updated'],
    });
  });

  it('known webhook event with empty data → no rows', () => {
    expect(parserV1.parse(webhook({ event: 'reservation.updated', accountId: 10001 })).rows).toEqual({
      'hostaway.reservations': [],
    });
  });

  it.each([
    [
      'a status fail body',
      envelope({ body: { status: 'fail', message: 'Too many requests' } }),
      /status "fail": Too many requests/,
    ],
    ['a body without result', envelope({ body: { status: 'success' } }), /body.result is missing/],
    [
      'a result that is not a list',
      envelope({ body: { status: 'success', result: {} } }),
      /body.result is not an array/,
    ],
    [
      'a body without status',
      envelope({ body: { result: [] } }),
      /body.status is missing, expected "success"/,
    ],
    [
      'an entity without an id',
      envelope({ body: listBody([{ ...LISTING, id: 7 }, { name: 'no id' }]) }),
      /body.result\[1\].id is missing or not an integer/,
    ],
    [
      'an entity that is not an object',
      envelope({ body: listBody([null]) }),
      /body.result\[0\] is not an object/,
    ],
    ['a non-object body', envelope({ body: 'html' }), /body is not a JSON object/],
    ['an unknown operation', envelope({ operation: 'guests' }), /unknown operation "guests"/],
    ['another source', envelope({ source: 'airbnb' }), /source is "airbnb"/],
    ['a missing account', envelope({ accountId: '' }), /accountId "" is not/],
    ['a bad fetchedAt', envelope({ fetchedAt: 'yesterday' }), /fetchedAt is not an ISO timestamp/],
    ['a webhook without event', webhook({ accountId: 1, data: {} }), /webhook has no event/],
    [
      'a conversations fail body',
      envelope({ operation: 'conversations', body: { status: 'fail', result: 'nope' } }),
      /status "fail": nope/,
    ],
  ])('%s → PoisonMessageError', (_name, input, message) => {
    expect(() => parserV1.parse(input)).toThrow(PoisonMessageError);
    expect(() => parserV1.parse(input)).toThrow(message);
  });
});

describe('hostaway datetimes', () => {
  it('reads YYYY-MM-DD HH:MM:SS as UTC', () => {
    expect(hostawayDateTimeToIso('2025-07-01 12:00:00')).toBe('2025-07-01T12:00:00.000Z');
    expect(hostawayDateTimeToIso('2025-07-01 12:00:00.5')).toBe('2025-07-01T12:00:00.500Z');
    expect(hostawayDateTimeToIso('2025-02-30 12:00:00')).toBeNull();
    expect(hostawayDateTimeToIso('0000-00-00 00:00:00')).toBeNull();
    expect(hostawayDateTimeToIso(null)).toBeNull();
  });

  it('keeps valid dates and formats filters', () => {
    expect(hostawayDate('2025-08-01')).toBe('2025-08-01');
    expect(hostawayDate('2025-13-01')).toBeNull();
    expect(formatHostawayDateTime(new Date('2025-07-01T12:34:56.789Z'))).toBe('2025-07-01 12:34:56');
  });
});
