import { randomBytes } from 'node:crypto';
import { SOURCES } from '@staysync/sources';
import { ConfigError, parseEnv } from './env';
import { loadAdminConfig, loadFetcherConfig, loadLoaderConfig } from './apps';

const key = randomBytes(32).toString('base64');
const base = {
  DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/staysync',
  KAFKA_BROKERS: 'localhost:9092, localhost:9093',
  CREDENTIALS_KEYS: `k1:${key}`,
  ADMIN_API_KEYS: 'ops:0123456789abcdef0123',
};

describe('Config', () => {
  it('builds a typed admin config with defaults', () => {
    const config = loadAdminConfig(base);
    expect(config.kafka.brokers).toEqual(['localhost:9092', 'localhost:9093']);
    expect(config.kafka.clientId).toBe('staysync-admin');
    expect(config.port).toBe(3000);
    expect(config.syncCron).toBe('0 5 * * *');
    expect(config.apiKeys).toEqual([{ name: 'ops', key: '0123456789abcdef0123', scope: 'admin' }]);
    expect(config.credentialKeys[0].id).toBe('k1');
  });

  it('names every missing or malformed variable', () => {
    const attempt = () =>
      loadAdminConfig({ ...base, DATABASE_URL: undefined, PORT: 'eighty', CREDENTIALS_KEYS: 'k1:c2hvcnQ=' });
    expect(attempt).toThrow(ConfigError);
    try {
      attempt();
    } catch (error) {
      const message = (error as Error).message;
      expect(message).toMatch(/DATABASE_URL is required/);
      expect(message).toMatch(/PORT: /);
      expect(message).toMatch(/CREDENTIALS_KEYS: key "k1" is not 32 bytes/);
    }
  });

  it('builds each registered source’s fetcher section from its own variables', () => {
    const env = { ...base, FETCHER_ACCOUNT_CONCURRENCY: '3' };
    const config = loadFetcherConfig(env);
    expect(config.accountConcurrency).toBe(3);
    expect(Object.keys(config.sources)).toEqual(SOURCES.map((plugin) => plugin.name));
    for (const plugin of SOURCES)
      expect(config.sources[plugin.name]).toEqual(
        plugin.fetch.config(parseEnv(plugin.fetch.configShape, env)),
      );
  });

  it('builds each registered source’s admin section from its own variables', () => {
    const env = { ...base, SYNC_CRON: '0 6 * * *' };
    const config = loadAdminConfig(env);
    expect(config.syncCron).toBe('0 6 * * *');
    const withAdmin = SOURCES.filter((plugin) => plugin.admin);
    expect(Object.keys(config.sources)).toEqual(withAdmin.map((plugin) => plugin.name));
    for (const plugin of withAdmin)
      expect(config.sources[plugin.name]).toEqual(
        plugin.admin!.config(parseEnv(plugin.admin!.configShape, env)),
      );
  });

  it('names a bad source variable together with a bad core one', () => {
    const name = SOURCES.flatMap((plugin) => Object.entries(plugin.fetch.configShape))
      .filter(([, schema]) => !schema.safeParse('not valid').success)
      .map(([key]) => key)[0];
    expect(() => loadFetcherConfig({ ...base, PORT: 'eighty', [name]: 'not valid' })).toThrow(
      new RegExp(`PORT: [^]*${name}: `),
    );
  });

  it('rejects a bad boolean', () => {
    expect(() => loadLoaderConfig({ ...base, KAFKA_IDEMPOTENT_PRODUCER: 'maybe' })).toThrow(
      /KAFKA_IDEMPOTENT_PRODUCER: expected true or false/,
    );
  });

  it('publishes to each source’s default topics unless LOADER_PUBLISHED_TOPICS names others', () => {
    const topics = SOURCES.flatMap((plugin) => plugin.topics.published ?? []);
    const ids = topics.map((topic) => topic.id);
    expect(loadLoaderConfig(base).publishedTopics).toEqual(
      topics.filter((topic) => topic.publishedByDefault !== false).map((topic) => topic.id),
    );
    expect(loadLoaderConfig({ ...base, LOADER_PUBLISHED_TOPICS: ids.join(' , ') }).publishedTopics).toEqual(
      ids,
    );
    expect(
      loadLoaderConfig({ ...base, LOADER_PUBLISH_METRICS: 'false', LOADER_PUBLISHED_TOPICS: ids[0] })
        .publishedTopics,
    ).toEqual([]);
    expect(() => loadLoaderConfig({ ...base, LOADER_PUBLISHED_TOPICS: `${ids[0]},nope.topic` })).toThrow(
      `LOADER_PUBLISHED_TOPICS: unknown published topic nope.topic; the registered sources publish ${ids.join(', ')}`,
    );
  });
});
