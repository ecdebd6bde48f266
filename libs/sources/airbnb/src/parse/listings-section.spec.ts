import { PoisonMessageError } from '@staysync/core';
import { loadFixture, AIRBNB_FIXTURES } from '../../fixtures/load';
import { decodeListingsSection, parseListingsSection } from './listings-section';

const ctx = { accountId: '123456789', scrapeDate: '2025-07-16' };
const fixture = () => loadFixture(AIRBNB_FIXTURES.listingsSection);
const tableRows = (body: ReturnType<typeof fixture>) =>
  body.data.porygon.getPerformanceComponents.components[0].tableRows;

describe('ListingsSectionQuery fixture', () => {
  const { rows, unknownMetrics } = parseListingsSection(fixture(), ctx);
  const listings = rows['airbnb.listings'];

  it('has one row per tableRows entry (totalCount 7)', () => {
    expect(listings).toHaveLength(7);
    expect(unknownMetrics).toEqual([]);
  });

  it('maps a listing exactly', () => {
    expect(listings[0]).toEqual({
      account_id: '123456789',
      airbnb_listing_id: '999161464035752799',
      airbnb_internal_name: '510 Schuyler Street Apt 1',
      listing_name: 'Thoughtfully Designed and Fully Equipped',
      thumbnail_url:
        'https://a0.muscache.com/im/pictures/miso/Hosting-999161464035752799/original/35bb8a53-2a1e-46a4-b130-b7a262ad1887.jpeg?aki_policy=small',
      last_seen_date: '2025-07-16',
    });
  });

  it('keeps listing ids as exact strings (beyond Number.MAX_SAFE_INTEGER)', () => {
    expect(listings.map((row) => row.airbnb_listing_id)).toEqual([
      '999161464035752799',
      '999835283157936885',
      '999266413556193243',
      '1192066365893342558',
      '1187242582569223539',
      '1187196788815240779',
      '745515258634591476',
    ]);
    for (const row of listings) expect(typeof row.airbnb_listing_id).toBe('string');
  });
});

describe('ListingsSectionQuery edge cases', () => {
  it('accepts a small numeric id but rejects one that lost precision', () => {
    const body = fixture();
    tableRows(body)[0].id = 12345;
    expect(decodeListingsSection(body)[0].id).toBe('12345');
    tableRows(body)[0].id = 2 ** 60;
    expect(() => decodeListingsSection(body)).toThrow(PoisonMessageError);
  });

  it('names the offending entry in the error', () => {
    const body = fixture();
    tableRows(body)[2].id = 'abc';
    expect(() => decodeListingsSection(body)).toThrow(
      'malformed Airbnb response: tableRows[2].id is not a listing id (digit string): "abc"',
    );
    tableRows(body)[3] = 'x';
    expect(() => decodeListingsSection(body)).toThrow(/tableRows\[2\]\.id is not a listing id/);
    tableRows(body)[2].id = '1';
    expect(() => decodeListingsSection(body)).toThrow(/tableRows\[3\] is not an object/);
  });

  it('missing names become null', () => {
    const body = fixture();
    delete tableRows(body)[0].internalName;
    tableRows(body)[0].thumbnailUrl = null;
    expect(decodeListingsSection(body)[0]).toEqual({
      id: '999161464035752799',
      internalName: null,
      listingName: 'Thoughtfully Designed and Fully Equipped',
      thumbnailUrl: null,
    });
  });

  it('explicitly empty components → no rows', () => {
    expect(
      parseListingsSection({ data: { porygon: { getPerformanceComponents: { components: [] } } } }, ctx).rows,
    ).toEqual({ 'airbnb.listings': [] });
  });

  it('missing data or tableRows is shape drift (poison naming the path)', () => {
    expect(() => parseListingsSection({ data: null }, ctx)).toThrow(
      'malformed Airbnb response: data is missing',
    );
    const body = fixture();
    delete (body.data.porygon.getPerformanceComponents.components[0] as Record<string, unknown>).tableRows;
    expect(() => parseListingsSection(body, ctx)).toThrow('malformed Airbnb response: tableRows is missing');
  });
});
