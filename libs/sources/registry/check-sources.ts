import type { SourcePlugin } from '@staysync/core';

/** a source's name is its database schema, its raw topic suffix and its URL segment */
const SOURCE_NAME = /^[a-z][a-z0-9_]{0,30}$/;
/** a migration's name starts with its timestamp (yyyymmdd + 6 digits): all migrations run in name order */
const MIGRATION_NAME = /^Migration\d{14}_[a-z0-9_]+$/;

/**
 * Refuses a registry the services could not run on, when it is loaded (so at start-up, naming the
 * source): a bad or repeated name, no raw topic, no parser, a table outside the source's schema, no
 * migration or one not named `Migration<timestamp>_<what>`, a read or retained table outside its schema or
 * a read table name given twice, no fetch side or a variable not prefixed `<NAME>_`, or a published topic whose id is not `<source>.<what>`
 * or is declared twice.
 */
export function checkSources(plugins: readonly SourcePlugin[]): readonly SourcePlugin[] {
  const names = new Set<string>();
  const topicIds = new Set<string>();
  const readTableNames = new Set<string>();
  for (const plugin of plugins) {
    const name = String(plugin?.name);
    const fail = (what: string) => {
      throw new Error(`source "${name}" cannot be registered: ${what}`);
    };
    if (!SOURCE_NAME.test(name)) fail(`its name must match ${SOURCE_NAME.source}`);
    if (names.has(name)) fail('a source with that name is already registered');
    names.add(name);
    if (!plugin.parsers?.length) fail('it has no parser');
    if (!plugin.operations?.length) fail('it declares no operation');
    if (!plugin.tables?.length) fail('it has no table');
    for (const { table } of plugin.tables)
      if (!table.startsWith(`${name}.`)) fail(`its table ${table} is not in the schema "${name}"`);
    if (!plugin.migrations?.length) fail('it declares no migration (its schema: migrations)');
    for (const migration of plugin.migrations)
      if (!MIGRATION_NAME.test(migration.name) || typeof migration.class !== 'function')
        fail(`its migration "${migration.name}" needs a name matching ${MIGRATION_NAME.source} and a class`);
    for (const { name: readName, relation } of plugin.readTables ?? []) {
      if (!relation.startsWith(`${name}.`)) fail(`its read table ${relation} is not in the schema "${name}"`);
      if (readTableNames.has(readName)) fail(`the read table name "${readName}" is declared twice`);
      readTableNames.add(readName);
    }
    for (const { table } of plugin.retention ?? [])
      if (!table.startsWith(`${name}.`)) fail(`its retained table ${table} is not in the schema "${name}"`);
    if (typeof plugin.topics?.raw?.description !== 'string' || plugin.topics.raw.description === '')
      fail('it declares no raw topic (topics.raw.description)');
    if (!plugin.fetch?.configShape || typeof plugin.fetch.plugin !== 'function')
      fail('it has no fetch side (fetch: sourceFetch({ configShape, config, plugin }))');
    const prefix = `${name.toUpperCase()}_`;
    for (const variable of [
      ...Object.keys(plugin.fetch.configShape),
      ...Object.keys(plugin.admin?.configShape ?? {}),
    ])
      if (!variable.startsWith(prefix)) fail(`its variable ${variable} must start with ${prefix}`);
    for (const topic of plugin.topics.published ?? []) {
      if (!topic.id.startsWith(`${name}.`))
        fail(`its published topic id "${topic.id}" must start with "${name}."`);
      if (topicIds.has(topic.id)) fail(`the topic id "${topic.id}" is declared twice`);
      if (!topic.definition?.schema || typeof topic.messages !== 'function')
        fail(`its published topic "${topic.id}" needs a definition with a schema and a messages() function`);
      topicIds.add(topic.id);
    }
  }
  return plugins;
}
