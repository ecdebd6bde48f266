import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { SOURCES } from '@staysync/sources';
import {
  CORE_TOPICS,
  TOPIC_IDS,
  TOPICS,
  accountEventKey,
  exampleAccountEvent,
  exampleRawEnvelope,
  publishedTopics,
  rawEnvelopeKey,
  rawTopicId,
  rawTopicIds,
  syncCommandKey,
  syncEventKey,
  validatorFor,
  type JsonSchema,
} from './index';

describe('Contracts > TOPICS registry', () => {
  it.each(TOPIC_IDS)('%s: its example is valid against its schema', (id) => {
    expect(validatorFor(id)(TOPICS[id].example)).toEqual({ valid: true, value: TOPICS[id].example });
  });

  it.each(TOPIC_IDS)('%s: base name is versioned and the schema $id names it', (id) => {
    const { baseName, schema } = TOPICS[id];
    expect(baseName).toMatch(/^[a-z][a-z0-9.]*\.v\d+$/);
    const expectedId = id.startsWith('raw.') ? 'raw-envelope.v1' : baseName;
    expect(schema.$id).toBe(`https://schemas.staysync.dev/${expectedId}.json`);
  });

  it.each(TOPIC_IDS)('%s: every object in the schema is closed or deliberately free-form', (id) => {
    // free-form objects are payload-like fields: request variables, bodies, details, rows, options, headers
    const freeForm = new Set(['/variables', '/data', '/row', '/options', '/headers']);
    for (const [path, node] of objectNodes(TOPICS[id].schema, '')) {
      if (freeForm.has(path)) continue;
      expect({ path, additionalProperties: node.additionalProperties }).toEqual({
        path,
        additionalProperties: false,
      });
    }
  });

  it.each(TOPIC_IDS)('%s: partitions, compression and configs are sane', (id) => {
    const topic = TOPICS[id];
    expect(topic.partitions).toBeGreaterThanOrEqual(1);
    const policy: string = topic.configs['cleanup.policy'];
    if (policy === 'compact') {
      // retention.ms means nothing on a compact-only topic; a value there would suggest otherwise
      expect(topic.configs).not.toHaveProperty('retention.ms');
    } else if (policy === 'compact,delete') {
      // raw topics: history as long as the raw store's default retention
      expect(Number((topic.configs as Record<string, string>)['retention.ms']) / 86_400_000).toBe(400);
    } else {
      const days = Number((topic.configs as Record<string, string>)['retention.ms']) / 86_400_000;
      expect(days).toBeGreaterThanOrEqual(7);
      expect(days).toBeLessThanOrEqual(30);
    }
  });

  it('every registered source has a raw topic: compacted, gzip-compressed, the shared envelope schema', () => {
    const ids = rawTopicIds();
    expect(ids).toEqual(SOURCES.map((plugin) => `raw.${plugin.name}`));
    for (const id of ids) {
      expect(TOPICS[id]).toMatchObject({
        baseName: `${id}.v1`,
        schema: TOPICS[ids[0]].schema,
        compression: 'gzip',
      });
      expect(TOPICS[id].configs['cleanup.policy']).toBe('compact,delete');
    }
  });

  it('the topics are the core ones, each source’s raw topic and what the sources publish, nothing else', () => {
    const published = publishedTopics();
    expect(published.length).toBeGreaterThan(0);
    for (const topic of published) expect(TOPICS[topic.id]).toBe(topic.definition);
    expect([...TOPIC_IDS].sort()).toEqual(
      [...Object.keys(CORE_TOPICS), ...rawTopicIds(), ...published.map((t) => t.id)].sort(),
    );
  });

  it('every core topic folder is registered', () => {
    const folders = readdirSync(join(__dirname, 'topics'), { withFileTypes: true }).filter((d) =>
      d.isDirectory(),
    );
    const registered = new Set(['raw', ...Object.values(CORE_TOPICS).map((topic) => topic.baseName)]);
    expect(folders.map((d) => d.name).sort()).toEqual([...registered].sort());
  });

  it('rawTopicId maps a registered source to its raw topic and refuses unknown sources', () => {
    for (const plugin of SOURCES) expect(rawTopicId(plugin.name)).toBe(`raw.${plugin.name}`);
    expect(() => rawTopicId('vrbo')).toThrow(
      'no raw topic for source "vrbo": it is not in the source registry',
    );
  });
});

describe('Contracts > keys', () => {
  it('builds each topic key from its value', () => {
    expect(accountEventKey(exampleAccountEvent)).toBe('airbnb:acc-42');
    expect(syncCommandKey({ source: 'hostaway', accountId: '9' })).toBe('hostaway:9');
    expect(rawEnvelopeKey(exampleRawEnvelope)).toBe(exampleRawEnvelope.requestKey);
    expect(syncEventKey({ jobId: 'j-1' })).toBe('j-1');
  });
});

/** Every node of the schema that declares `properties`, with its JSON-pointer-like instance path. */
function objectNodes(schema: JsonSchema, path: string): Array<[string, JsonSchema]> {
  const found: Array<[string, JsonSchema]> = [];
  const types = ([] as unknown[]).concat(schema.type ?? []);
  if (types.includes('object')) found.push([path, schema]);
  const properties = (schema.properties ?? {}) as Record<string, JsonSchema>;
  for (const [name, child] of Object.entries(properties))
    found.push(...objectNodes(child, `${path}/${name}`));
  return found;
}
