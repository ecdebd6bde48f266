/**
 * Timescale is optional: every Timescale step in a migration is wrapped in a DO block that only
 * acts when the extension is installed, so plain PostgreSQL runs the same migrations and queries.
 */
export function hypertableSql(options: {
  table: string;
  timeColumn: string;
  chunkInterval: string;
  segmentBy?: string;
  orderBy?: string;
  compressAfter?: string;
}): string {
  const { table, timeColumn, chunkInterval, segmentBy, orderBy, compressAfter } = options;
  const compressSettings = [
    'timescaledb.compress',
    segmentBy ? `timescaledb.compress_segmentby = ''${segmentBy}''` : null,
    orderBy ? `timescaledb.compress_orderby = ''${orderBy}''` : null,
  ]
    .filter(Boolean)
    .join(', ');
  return `
    DO $$
    BEGIN
      IF EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'timescaledb') THEN
        PERFORM create_hypertable('${table}', '${timeColumn}', chunk_time_interval => INTERVAL '${chunkInterval}', if_not_exists => TRUE, migrate_data => TRUE);
        ${
          compressAfter
            ? `EXECUTE 'ALTER TABLE ${table} SET (${compressSettings})';
        PERFORM add_compression_policy('${table}', INTERVAL '${compressAfter}', if_not_exists => TRUE);`
            : ''
        }
      END IF;
    END
    $$`;
}

/** Creates the extension when the server has it available; a no-op on plain PostgreSQL. */
export const ENABLE_TIMESCALE_SQL = `
  DO $$
  BEGIN
    IF EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'timescaledb') THEN
      CREATE EXTENSION IF NOT EXISTS timescaledb;
    END IF;
  END
  $$`;
