import { Migration } from '@mikro-orm/migrations';
import { ENABLE_TIMESCALE_SQL, hypertableSql } from '../libs/db/src/timescale';

/** Raw stores become hypertables on fetched_at, compressed after a week, when TimescaleDB is available. */
export class Migration20261122000002_timescale_raw_stores extends Migration {
  override async up(): Promise<void> {
    this.addSql(ENABLE_TIMESCALE_SQL);
    for (const source of ['airbnb', 'hostaway']) {
      this.addSql(
        hypertableSql({
          table: `${source}.raw_responses`,
          timeColumn: 'fetched_at',
          chunkInterval: '7 days',
          segmentBy: 'account_id',
          orderBy: 'fetched_at DESC',
          compressAfter: '7 days',
        }),
      );
    }
  }

  // Converting a hypertable back is not supported by TimescaleDB; foundation's down drops the tables.
  override async down(): Promise<void> {}
}
