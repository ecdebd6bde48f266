import { randomBytes } from 'node:crypto';
import { CredentialCipher, openSensitiveValue } from '@staysync/crypto';
import { LISTING, listBody, MESSAGE, RESERVATION } from './__fixtures__/examples';
import { buildHostawayParseOutput, HostawayParseInputError } from './parse-command';

const common = { accountId: '10001', scrapeDate: '2025-07-03' };
const OBSERVED_AT = '2025-07-03T00:00:00.000Z';

describe('Hostaway > parse command (reference §8 examples)', () => {
  it('listings page → the listings row', () => {
    expect(
      buildHostawayParseOutput({
        ...common,
        resource: 'listings',
        body: JSON.stringify(listBody([LISTING])),
      }),
    ).toEqual({
      listings: [
        {
          id: '100201',
          account_id: '10001',
          name: 'Test Cottage',
          city: 'Springfield',
          country_code: 'US',
          currency_code: 'USD',
          time_zone: 'America/New_York',
          latest_activity_on: '2025-07-01T12:00:00.000Z',
          raw_payload: LISTING,
          observed_at: OBSERVED_AT,
        },
      ],
    });
  });

  it('reservations page → the reservations row', () => {
    expect(
      buildHostawayParseOutput({ ...common, resource: 'reservations', body: listBody([RESERVATION]) }),
    ).toEqual({
      reservations: [
        {
          id: '5000001',
          account_id: '10001',
          listing_id: '100201',
          channel_id: '2018',
          channel_name: 'airbnbOfficial',
          status: 'new',
          arrival_date: '2025-08-01',
          departure_date: '2025-08-04',
          cancelled_at: null,
          upstream_updated_at: '2025-07-02T08:30:00.000Z',
          raw_payload: RESERVATION,
          observed_at: OBSERVED_AT,
        },
      ],
    });
  });

  it('messages page → the messages row, sent at `date` when sentToChannelDate is null', () => {
    expect(buildHostawayParseOutput({ ...common, resource: 'messages', body: listBody([MESSAGE]) })).toEqual({
      messages: [
        {
          id: '900000001',
          account_id: '10001',
          conversation_id: '7000001',
          reservation_id: '5000001',
          listing_id: '100201',
          sent_at: '2025-07-02T08:29:58.000Z',
          is_incoming: true,
          status: 'sent',
          raw_payload: MESSAGE,
          observed_at: OBSERVED_AT,
        },
      ],
    });
  });

  it('conversations page → no table (conversations only lead to message threads)', () => {
    expect(
      buildHostawayParseOutput({
        ...common,
        resource: 'conversations',
        body: listBody([{ id: 7000001, reservationId: 5000001 }]),
      }),
    ).toEqual({});
  });

  it('prints sensitive fields sealed with the given key, and refuses to print them without one', () => {
    const cipher = new CredentialCipher([{ id: 'k1', key: randomBytes(32) }]);
    const listing = { ...LISTING, wifiPassword: 'garden-wifi-2025', doorSecurityCode: '4821' };
    const [row] = buildHostawayParseOutput({
      ...common,
      resource: 'listings',
      body: listBody([listing]),
      cipher,
    }).listings;
    const payload = row.raw_payload as Record<string, string>;
    expect(payload.wifiPassword).toMatch(/^v1:k1:/);
    expect(openSensitiveValue(payload.wifiPassword, cipher)).toBe('garden-wifi-2025');
    expect(openSensitiveValue(payload.doorSecurityCode, cipher)).toBe('4821');
    expect(JSON.stringify(row)).not.toContain('garden-wifi-2025');
    expect(() =>
      buildHostawayParseOutput({ ...common, resource: 'listings', body: listBody([listing]) }),
    ).toThrow(
      new HostawayParseInputError(
        'the page holds sensitive fields in clear (doorSecurityCode, wifiPassword): set CREDENTIALS_KEYS so they are printed sealed',
      ),
    );
  });

  it.each([
    [
      { resource: 'listing' },
      'unknown resource "listing": use listings, reservations, conversations, messages',
    ],
    [{ accountId: 'acc-1' }, '--account-id "acc-1" is not a Hostaway account id (digits)'],
    [{ scrapeDate: '03/07/2025' }, '--scrape-date "03/07/2025" is not a YYYY-MM-DD date'],
    [{ body: '{"status":"success","result":[' }, /^the file is not JSON: /],
    [
      { body: [LISTING] },
      'the file is not a saved Hostaway list page: expected {"status":"success","result":[…]}',
    ],
    [
      { body: { status: 'fail', result: [], message: 'Unauthorized' } },
      'invalid Hostaway envelope: upstream answered status "fail": Unauthorized',
    ],
  ])('bad input %j → a clear error', (override, message) => {
    const run = () =>
      buildHostawayParseOutput({ ...common, resource: 'listings', body: listBody([LISTING]), ...override });
    expect(run).toThrow(HostawayParseInputError);
    expect(run).toThrow(message);
  });
});
