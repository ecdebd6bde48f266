import { Migration } from '@mikro-orm/migrations';
import { hypertableSql } from '@staysync/db';

const valueColumns = (prefix: string, type: 'double precision' | 'bigint') =>
  `${prefix}_value ${type} NULL,\n        ${prefix}_value_string text NULL,`;

const LIST_METRICS = `
        ${valueColumns('conversion_rate', 'double precision')}
        ${valueColumns('p2_impressions_first_page_rate', 'double precision')}
        ${valueColumns('search_conversion_rate', 'double precision')}
        ${valueColumns('listing_conversion_rate', 'double precision')}
        ${valueColumns('p3_impressions', 'bigint')}
        ${valueColumns('p2_impressions', 'bigint')}`;

/**
 * Airbnb loader tables (columns mirror libs/sources/airbnb/src/tables.ts). Metric tables keep one
 * snapshot per scrape day (`time`); unknown metrics are kept in `extra`. No FK to accounts: a
 * late message for a hard-deleted account must not wedge the loader; hard delete removes rows itself.
 */
export class Migration20261122000003_airbnb_metrics extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      CREATE TABLE airbnb.listings (
        account_id varchar(32) NOT NULL,
        airbnb_listing_id text NOT NULL,
        airbnb_internal_name text NULL,
        listing_name text NULL,
        thumbnail_url text NULL,
        last_seen_date date NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT uq_listings_account_listing UNIQUE (account_id, airbnb_listing_id)
      )`);

    this.addSql(`
      CREATE TABLE airbnb.chart_query (
        account_id varchar(32) NOT NULL,
        time date NOT NULL DEFAULT now()::date,
        airbnb_listing_id text NOT NULL,
        airbnb_internal_name text NULL,
        metric_date date NOT NULL,
        ${valueColumns('conversion_rate_your', 'double precision')}
        ${valueColumns('conversion_rate_similar', 'double precision')}
        ${valueColumns('p3_impressions_your', 'bigint')}
        ${valueColumns('p3_impressions_similar', 'bigint')}
        extra jsonb NULL,
        CONSTRAINT uq_chart_query_listing_metric_date UNIQUE (account_id, airbnb_listing_id, metric_date, time)
      )`);

    this.addSql(`
      CREATE TABLE airbnb.list_of_metrics (
        account_id varchar(32) NOT NULL,
        time date NOT NULL DEFAULT now()::date,
        airbnb_listing_id text NOT NULL,
        airbnb_internal_name text NULL,
        window_start date NOT NULL,
        window_end date NOT NULL,${LIST_METRICS}
        extra jsonb NULL,
        CONSTRAINT uq_list_of_metrics_listing_window UNIQUE (account_id, airbnb_listing_id, window_start, time)
      )`);

    this.addSql(`
      CREATE TABLE airbnb.chart_summary (
        account_id varchar(32) NOT NULL,
        time date NOT NULL DEFAULT now()::date,
        airbnb_listing_id text NOT NULL,
        airbnb_internal_name text NULL,
        window_start date NOT NULL,
        window_end date NOT NULL,${LIST_METRICS}
        conversion_rate_value_change double precision NULL,
        conversion_rate_value_change_string text NULL,
        p3_impressions_value_change double precision NULL,
        p3_impressions_value_change_string text NULL,
        extra jsonb NULL,
        CONSTRAINT uq_chart_summary_listing_window UNIQUE (account_id, airbnb_listing_id, window_start, time)
      )`);

    for (const table of ['chart_query', 'list_of_metrics', 'chart_summary']) {
      this.addSql(
        hypertableSql({
          table: `airbnb.${table}`,
          timeColumn: 'time',
          chunkInterval: '30 days',
          segmentBy: 'account_id, airbnb_listing_id',
          compressAfter: '60 days',
        }),
      );
    }
  }

  override async down(): Promise<void> {
    for (const table of ['chart_summary', 'list_of_metrics', 'chart_query', 'listings'])
      this.addSql(`DROP TABLE IF EXISTS airbnb.${table}`);
  }
}
