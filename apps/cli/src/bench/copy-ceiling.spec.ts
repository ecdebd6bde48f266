import { ratioToCeiling } from './copy-ceiling';

describe('ratioToCeiling (the row-count guard)', () => {
  it('divides rows per second when the ceiling wrote exactly the loader’s rows', () => {
    expect(ratioToCeiling({ rows: 1200, rows_per_s: 30000 }, { rows: 1200, rows_per_s: 40000 })).toBe(0.75);
  });

  it('refuses a ratio, naming both counts, when the ceiling read back a different number of rows', () => {
    // what TimescaleDB did with `COPY <hypertable> TO STDOUT`: only the parent's rows (airbnb.listings) came back
    expect(() => ratioToCeiling({ rows: 1235, rows_per_s: 30000 }, { rows: 20, rows_per_s: 40000 })).toThrow(
      'bench: refusing to report loader_to_copy_ratio: the COPY ceiling read back 20 rows but the loader left 1235 rows in its tables',
    );
  });

  it('names the ratio it refuses', () => {
    expect(() =>
      ratioToCeiling(
        { rows: 5, rows_per_s: 1 },
        { rows: 4, rows_per_s: 1 },
        'loader_to_copy_metric_tables_ratio',
      ),
    ).toThrow(
      'bench: refusing to report loader_to_copy_metric_tables_ratio: the COPY ceiling read back 4 rows but the loader left 5 rows in its tables',
    );
  });

  it('refuses a ceiling that wrote nothing', () => {
    expect(() => ratioToCeiling({ rows: 0, rows_per_s: 0 }, { rows: 0, rows_per_s: 0 })).toThrow(
      'the COPY ceiling wrote 0 rows at 0 rows/s',
    );
  });
});
