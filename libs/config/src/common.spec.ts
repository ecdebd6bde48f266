import { randomBytes } from 'node:crypto';
import { loadFetcherConfig, loadLoaderConfig } from './apps';
import { ConfigError } from './env';

const base = {
  DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/staysync',
  KAFKA_BROKERS: 'localhost:9092',
  CREDENTIALS_KEYS: `k1:${randomBytes(32).toString('base64')}`,
};

function configError(load: () => unknown): ConfigError {
  try {
    load();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('Config > Kafka SASL', () => {
  it('is off when none of the three variables is set', () => {
    expect(loadLoaderConfig(base).kafka.sasl).toBeUndefined();
  });

  it('takes the mechanism, username and password when all three are set', () => {
    const config = loadFetcherConfig({
      ...base,
      KAFKA_SASL_MECHANISM: 'scram-sha-512',
      KAFKA_SASL_USERNAME: 'staysync',
      KAFKA_SASL_PASSWORD: 'pa55word',
    });
    expect(config.kafka.sasl).toEqual({
      mechanism: 'scram-sha-512',
      username: 'staysync',
      password: 'pa55word',
    });
  });

  it('a partial set stops the start-up, naming each missing variable (and never the password)', () => {
    const noPassword = configError(() =>
      loadLoaderConfig({ ...base, KAFKA_SASL_MECHANISM: 'plain', KAFKA_SASL_USERNAME: 'staysync' }),
    );
    expect(noPassword.problems).toEqual([
      'KAFKA_SASL_PASSWORD is required when KAFKA_SASL_MECHANISM and KAFKA_SASL_USERNAME are set (SASL takes all three or none)',
    ]);

    const onlyPassword = configError(() => loadFetcherConfig({ ...base, KAFKA_SASL_PASSWORD: 'pa55word' }));
    expect(onlyPassword.problems).toEqual([
      'KAFKA_SASL_MECHANISM is required when KAFKA_SASL_PASSWORD is set (SASL takes all three or none)',
      'KAFKA_SASL_USERNAME is required when KAFKA_SASL_PASSWORD is set (SASL takes all three or none)',
    ]);
    expect(onlyPassword.message).not.toContain('pa55word');
  });

  it('an empty variable counts as unset', () => {
    expect(
      loadLoaderConfig({
        ...base,
        KAFKA_SASL_MECHANISM: '',
        KAFKA_SASL_USERNAME: '',
        KAFKA_SASL_PASSWORD: '',
      }).kafka.sasl,
    ).toBeUndefined();
    expect(
      configError(() =>
        loadLoaderConfig({
          ...base,
          KAFKA_SASL_MECHANISM: 'plain',
          KAFKA_SASL_USERNAME: 'staysync',
          KAFKA_SASL_PASSWORD: '',
        }),
      ).problems,
    ).toHaveLength(1);
  });
});
