import { randomBytes } from 'node:crypto';
import { ConfigError } from './env';
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
    const attempt = () => loadAdminConfig({ ...base, DATABASE_URL: undefined, PORT: 'eighty', CREDENTIALS_KEYS: 'k1:c2hvcnQ=' });
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

  it('parses fetcher pacing and metric lists', () => {
    const config = loadFetcherConfig({ ...base, AIRBNB_MIN_INTERVAL_MS: '0', AIRBNB_CHART_METRICS: 'CONVERSION:p3_impressions' });
    expect(config.airbnb.minIntervalMs).toBe(0);
    expect(config.airbnb.chartMetrics).toEqual(['CONVERSION:p3_impressions']);
    expect(config.airbnb.listOfMetrics).toEqual(['CONVERSION:conversion_rate', 'CONVERSION:p3_impressions']);
  });

  it('rejects a bad boolean', () => {
    expect(() => loadLoaderConfig({ ...base, KAFKA_IDEMPOTENT_PRODUCER: 'maybe' })).toThrow(/KAFKA_IDEMPOTENT_PRODUCER: expected true or false/);
  });
});
