import { Migration } from '@mikro-orm/migrations';
import { int, sourceConfig, sourceFetch, type FetchPlugin, type SourcePlugin } from '@staysync/core';
import { checkSources, SOURCES } from '../index';

class GuestyStore extends Migration {
  override up(): void {
    this.addSql('CREATE SCHEMA guesty');
  }
}

const plugin = (over: Partial<SourcePlugin> = {}): SourcePlugin => ({
  name: 'guesty',
  tables: [
    {
      table: 'guesty.listings',
      columns: [{ name: 'id', type: 'text' }],
      conflictKey: ['id'],
      mode: 'if-changed',
    },
  ],
  migrations: [{ name: 'Migration20261206000001_guesty_store', class: GuestyStore }],
  sealed: { accountColumns: ['api_key'] },
  operations: ['listings'],
  parsers: [{ version: 1, parse: () => ({ rows: {}, unknownMetrics: [] }) }],
  dataOperations: ['listings'],
  topics: { raw: { description: 'Raw Guesty responses.' } },
  fetch: sourceFetch({
    configShape: { GUESTY_PAGE_SIZE: int(100) },
    config: (e) => e.GUESTY_PAGE_SIZE,
    plugin: () => ({}) as FetchPlugin,
  }),
  scheduledSyncMode: () => 'full',
  ...over,
});

describe('Sources > registry', () => {
  it('registers the sources with unique names', () => {
    expect(new Set(SOURCES.map((s) => s.name)).size).toBe(SOURCES.length);
    expect(checkSources(SOURCES)).toBe(SOURCES);
  });

  it('accepts a well-formed plug-in', () => {
    expect(checkSources([plugin()])).toHaveLength(1);
  });

  it.each<[string, Partial<SourcePlugin>, string]>([
    [
      'no raw topic',
      { topics: undefined },
      'source "guesty" cannot be registered: it declares no raw topic (topics.raw.description)',
    ],
    ['an empty raw topic description', { topics: { raw: { description: '' } } }, 'it declares no raw topic'],
    ['no parser', { parsers: [] }, 'source "guesty" cannot be registered: it has no parser'],
    ['no operation', { operations: [] }, 'source "guesty" cannot be registered: it declares no operation'],
    ['no migration', { migrations: [] }, 'source "guesty" cannot be registered: it declares no migration'],
    [
      'a read table in another schema',
      { readTables: [{ name: 'listings', relation: 'ops.listings', columns: [], types: {}, key: [] }] },
      'its read table ops.listings is not in the schema "guesty"',
    ],
    [
      'a retained table in another schema',
      { retention: [{ table: 'ops.sync_jobs', setting: 'jobs', timeColumn: 'finished_at' }] },
      'its retained table ops.sync_jobs is not in the schema "guesty"',
    ],
    [
      'a migration named without its timestamp',
      { migrations: [{ name: 'GuestyStore', class: GuestyStore }] },
      'its migration "GuestyStore" needs a name matching',
    ],
    [
      'a table in another schema',
      { tables: [{ table: 'ops.listings', columns: [], conflictKey: [], mode: 'if-changed' }] },
      'its table ops.listings is not in the schema "guesty"',
    ],
    [
      'a name that is no schema name',
      { name: 'Guesty-PMS' },
      'source "Guesty-PMS" cannot be registered: its name must match',
    ],
    [
      'a variable of another namespace',
      {
        fetch: sourceFetch({
          configShape: { PAGE_SIZE: int(100) },
          config: (e) => e.PAGE_SIZE,
          plugin: () => ({}) as FetchPlugin,
        }),
      },
      'its variable PAGE_SIZE must start with GUESTY_',
    ],
    ['no fetch side', { fetch: undefined }, 'it has no fetch side'],
    [
      'an admin variable of another namespace',
      { admin: sourceConfig({ configShape: { WEBHOOK_URL: int(1) }, config: (e) => e.WEBHOOK_URL }) },
      'its variable WEBHOOK_URL must start with GUESTY_',
    ],
    [
      'a published topic outside its namespace',
      {
        topics: {
          raw: { description: 'x' },
          published: [{ id: 'other.metrics', definition: { schema: {} } as never, messages: () => [] }],
        },
      },
      'its published topic id "other.metrics" must start with "guesty."',
    ],
  ])('refuses a plug-in with %s, naming it', (_, over, message) => {
    expect(() => checkSources([plugin(over)])).toThrow(message);
  });

  it('refuses two sources with one name', () => {
    expect(() => checkSources([plugin(), plugin()])).toThrow(
      'source "guesty" cannot be registered: a source with that name is already registered',
    );
  });
});
