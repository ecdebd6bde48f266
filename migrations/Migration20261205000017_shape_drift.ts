import { Migration } from '@mikro-orm/migrations';

/**
 * No silent shape drift (issue 11, item 4):
 *
 * - `ops.sync_jobs.data_responses` / `data_rows`: the job's responses of its source's data operations
 *   (Airbnb's metric queries, Hostaway's entity pages) that the loader parsed, and the rows they gave.
 *   A job that ends with data responses but no rows gets a warning note (a changed response shape the
 *   parser still reads as empty, or an account that really has no data).
 * - Responses the parser refuses are kept in `<source>.raw_responses` with `parser_version` NULL (no
 *   parser read them) for a replay once the parser is fixed; the index finds them.
 */
export class Migration20261205000017_shape_drift extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `ALTER TABLE ops.sync_jobs ADD COLUMN data_responses integer NOT NULL DEFAULT 0, ADD COLUMN data_rows bigint NOT NULL DEFAULT 0`,
    );
    for (const source of ['airbnb', 'hostaway']) {
      this.addSql(
        `CREATE INDEX ix_${source}_raw_responses_unparsed ON ${source}.raw_responses (fetched_at) WHERE parser_version IS NULL`,
      );
    }
  }

  override async down(): Promise<void> {
    for (const source of ['hostaway', 'airbnb'])
      this.addSql(`DROP INDEX IF EXISTS ${source}.ix_${source}_raw_responses_unparsed`);
    this.addSql(
      `ALTER TABLE ops.sync_jobs DROP COLUMN IF EXISTS data_rows, DROP COLUMN IF EXISTS data_responses`,
    );
  }
}
