import { hostawayTables } from './tables';

const columns = (table: string) =>
  Object.fromEntries(hostawayTables.find((t) => t.table === table)!.columns.map((c) => [c.name, c.type]));

describe('hostaway table specs', () => {
  it('three if-changed tables keyed by id, loaded listings → reservations → messages', () => {
    expect(
      hostawayTables.map((t) => [t.table, t.conflictKey, t.mode, t.changeColumn, t.versionColumn, t.order]),
    ).toEqual([
      ['hostaway.listings', ['id'], 'if-changed', 'raw_payload', 'observed_at', 1],
      ['hostaway.reservations', ['id'], 'if-changed', 'raw_payload', 'upstream_updated_at', 2],
      ['hostaway.messages', ['id'], 'if-changed', 'raw_payload', 'observed_at', 3],
    ]);
  });

  it('columns and PG types (the migration is written from these)', () => {
    expect(columns('hostaway.listings')).toEqual({
      id: 'int8',
      account_id: 'int8',
      name: 'text',
      city: 'text',
      country_code: 'text',
      currency_code: 'text',
      time_zone: 'text',
      latest_activity_on: 'timestamptz',
      raw_payload: 'jsonb',
      observed_at: 'timestamptz',
    });
    expect(columns('hostaway.reservations')).toEqual({
      id: 'int8',
      account_id: 'int8',
      listing_id: 'int8',
      channel_id: 'int8',
      channel_name: 'text',
      status: 'text',
      arrival_date: 'date',
      departure_date: 'date',
      cancelled_at: 'timestamptz',
      upstream_updated_at: 'timestamptz',
      raw_payload: 'jsonb',
      observed_at: 'timestamptz',
    });
    expect(columns('hostaway.messages')).toEqual({
      id: 'int8',
      account_id: 'int8',
      conversation_id: 'int8',
      reservation_id: 'int8',
      listing_id: 'int8',
      sent_at: 'timestamptz',
      is_incoming: 'bool',
      status: 'text',
      raw_payload: 'jsonb',
      observed_at: 'timestamptz',
    });
  });
});
