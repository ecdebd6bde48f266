import { Migration } from '@mikro-orm/migrations';
import type { SourcePlugin } from '@staysync/core';
import { SOURCES } from '@staysync/sources';
import { CORE_MIGRATIONS } from '../../../migrations';
import { allMigrations } from './migrations';

class Noop extends Migration {
  override up(): void {}
}

const sourceWith = (...names: string[]): SourcePlugin =>
  ({ name: 'guesty', migrations: names.map((name) => ({ name, class: Noop })) }) as unknown as SourcePlugin;

describe('Runtime > allMigrations', () => {
  it('runs the core’s and every registered source’s migrations, in the order of their names', () => {
    const names = allMigrations().map((m) => m.name);
    const declared = [...CORE_MIGRATIONS, ...SOURCES.flatMap((s) => s.migrations)].map((m) => m.name);
    expect([...names].sort()).toEqual([...declared].sort());
    expect(names.slice(0, 4)).toEqual([
      'Migration20261122000001_foundation',
      'Migration20261122000002_timescale_raw_stores',
      'Migration20261122000003_airbnb_metrics',
      'Migration20261122000004_hostaway_resources',
    ]);
  });

  it('places a source’s migration by its timestamp among the core’s', () => {
    const names = allMigrations([sourceWith('Migration20261204000012_guesty_store')]).map((m) => m.name);
    const from = names.indexOf('Migration20261204000011_fetch_resume_state');
    expect(names.slice(from, from + 5)).toEqual([
      'Migration20261204000011_fetch_resume_state',
      'Migration20261204000012_guesty_store',
      'Migration20261204000013_airbnb_session_states',
      'Migration20261204000015_sync_events',
      'Migration20261205000016_webhook_registration',
    ]);
  });

  it('refuses a name declared twice (one of the two would look applied without running)', () => {
    expect(() => allMigrations([sourceWith('Migration20261204000011_fetch_resume_state')])).toThrow(
      'the migration Migration20261204000011_fetch_resume_state is declared twice',
    );
  });
});
