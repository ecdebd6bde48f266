import { Migration } from '@mikro-orm/migrations';

/**
 * Indexes of the read API (apps/admin/src/query). Its pages and exports walk each table in key order:
 * - metric tables: the unique (account_id, airbnb_listing_id, <date>, time) constraint serves account and
 *   listing filters and the order; a date-only filter (every account) gets its own index here;
 * - Hostaway tables: pages go by id within an account, so (account_id, id) replaces the account-only
 *   index (same prefix, one index fewer to maintain); reservations and messages get their date column.
 * Plain CREATE INDEX works on hypertables too (TimescaleDB builds it on every chunk).
 */
const METRIC_DATE_INDEXES = [
  ['ix_chart_query_metric_date', 'airbnb.chart_query', 'metric_date'],
  ['ix_list_of_metrics_window_start', 'airbnb.list_of_metrics', 'window_start'],
  ['ix_chart_summary_window_start', 'airbnb.chart_summary', 'window_start'],
] as const;

const HOSTAWAY_ACCOUNT_INDEXES = ['listings', 'reservations', 'messages'] as const;

export class Migration20261204000010_read_side_indexes extends Migration {
  override async up(): Promise<void> {
    for (const [name, table, column] of METRIC_DATE_INDEXES)
      this.addSql(`CREATE INDEX IF NOT EXISTS ${name} ON ${table} (${column})`);
    for (const table of HOSTAWAY_ACCOUNT_INDEXES) {
      this.addSql(
        `CREATE INDEX IF NOT EXISTS ix_hostaway_${table}_account_id ON hostaway.${table} (account_id, id)`,
      );
      this.addSql(`DROP INDEX IF EXISTS hostaway.ix_hostaway_${table}_account`);
    }
    this.addSql(
      `CREATE INDEX IF NOT EXISTS ix_hostaway_reservations_arrival ON hostaway.reservations (arrival_date)`,
    );
    this.addSql(`CREATE INDEX IF NOT EXISTS ix_hostaway_messages_sent ON hostaway.messages (sent_at)`);
  }

  override async down(): Promise<void> {
    this.addSql(`DROP INDEX IF EXISTS hostaway.ix_hostaway_messages_sent`);
    this.addSql(`DROP INDEX IF EXISTS hostaway.ix_hostaway_reservations_arrival`);
    for (const table of HOSTAWAY_ACCOUNT_INDEXES) {
      this.addSql(
        `CREATE INDEX IF NOT EXISTS ix_hostaway_${table}_account ON hostaway.${table} (account_id)`,
      );
      this.addSql(`DROP INDEX IF EXISTS hostaway.ix_hostaway_${table}_account_id`);
    }
    for (const [name, table] of METRIC_DATE_INDEXES)
      this.addSql(`DROP INDEX IF EXISTS ${table.split('.')[0]}.${name}`);
  }
}
