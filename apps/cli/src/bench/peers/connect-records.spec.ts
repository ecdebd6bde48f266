import type { TableSpec } from '@staysync/core';
import { connectRecords, connectValue } from './connect-records';

const spec: TableSpec = {
  table: 'airbnb.chart_query',
  columns: [
    { name: 'account_id', type: 'text' },
    { name: 'metric_date', type: 'date' },
    { name: 'p3_impressions_your_value', type: 'int8' },
    { name: 'conversion_rate_your_value', type: 'float8' },
    { name: 'extra', type: 'jsonb' },
  ],
  conflictKey: ['account_id', 'metric_date'],
  mode: 'merge-present',
};

describe('connectRecords', () => {
  it('keys a record by the conflict key and gives its value only the columns the row has, typed for the JDBC sink', () => {
    const [record] = connectRecords(spec, [
      { account_id: 'a1', metric_date: '2025-01-12', p3_impressions_your_value: 15, extra: null },
    ]);
    expect(JSON.parse(record.key)).toEqual({
      schema: {
        type: 'struct',
        name: 'airbnb.chart_query.Key',
        optional: false,
        fields: [
          { field: 'account_id', type: 'string', optional: false },
          {
            field: 'metric_date',
            type: 'int32',
            name: 'org.apache.kafka.connect.data.Date',
            version: 1,
            optional: false,
          },
        ],
      },
      payload: { account_id: 'a1', metric_date: 20100 },
    });
    expect(JSON.parse(record.value)).toEqual({
      schema: {
        type: 'struct',
        name: 'airbnb.chart_query.Value',
        optional: false,
        fields: [
          { field: 'account_id', type: 'string', optional: false },
          {
            field: 'metric_date',
            type: 'int32',
            name: 'org.apache.kafka.connect.data.Date',
            version: 1,
            optional: false,
          },
          { field: 'p3_impressions_your_value', type: 'int64', optional: true },
          { field: 'extra', type: 'string', name: 'io.debezium.data.Json', version: 1, optional: true },
        ],
      },
      payload: { account_id: 'a1', metric_date: 20100, p3_impressions_your_value: 15, extra: null },
    });
  });

  it('gives rows with another column set another value schema (an upsert then touches only those columns)', () => {
    const records = connectRecords(spec, [
      { account_id: 'a1', metric_date: '2025-01-12', p3_impressions_your_value: 15 },
      { account_id: 'a1', metric_date: '2025-01-12', conversion_rate_your_value: 0.5, extra: { x: 1 } },
    ]);
    const fields = records.map((r) =>
      (JSON.parse(r.value).schema.fields as Array<{ field: string; type: string }>).map(
        (f) => `${f.field}:${f.type}`,
      ),
    );
    expect(fields).toEqual([
      ['account_id:string', 'metric_date:int32', 'p3_impressions_your_value:int64'],
      ['account_id:string', 'metric_date:int32', 'conversion_rate_your_value:double', 'extra:string'],
    ]);
    expect(JSON.parse(records[1].value).payload.extra).toBe('{"x":1}');
  });
});

describe('connectValue', () => {
  it('turns a date into days since 1970-01-01 and a timestamp into ISO-8601', () => {
    expect(connectValue('1970-01-02', 'date')).toBe(1);
    expect(connectValue('2025-07-16', 'date')).toBe(20285);
    expect(connectValue('2025-07-16T10:00:00+02:00', 'timestamptz')).toBe('2025-07-16T08:00:00.000Z');
    expect(connectValue(undefined, 'text')).toBeNull();
  });
});
