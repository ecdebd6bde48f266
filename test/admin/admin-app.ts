import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { loadAdminConfig, type AdminConfig } from '@staysync/config';
import { createAdminApp } from '../../apps/admin/src/bootstrap';
import { isMockBroker } from '../harness';

export const TEST_API_KEY = 'test-key-0123456789abcdef';

/** Every log line the app wrote, so tests can assert that secrets never appear in them. */
export class CapturedLogs extends Writable {
  readonly lines: string[] = [];
  override _write(chunk: Buffer, _encoding: string, done: () => void) {
    this.lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
    done();
  }
  text(): string {
    return this.lines.join('\n');
  }
}

export function adminTestConfig(overrides: Record<string, string>): AdminConfig {
  return loadAdminConfig({
    KAFKA_BROKERS: process.env.KAFKA_BROKERS,
    KAFKA_IDEMPOTENT_PRODUCER: isMockBroker() ? 'false' : 'true',
    KAFKA_CREATE_TOPICS: isMockBroker() ? 'false' : 'true',
    CREDENTIALS_KEYS: `k1:${randomBytes(32).toString('base64')}`,
    ADMIN_API_KEYS: `tests:${TEST_API_KEY}`,
    OUTBOX_POLL_MS: '100',
    LOG_LEVEL: 'info',
    SCHEDULER_ENABLED: 'false',
    // no Airbnb to check cookies against; test/airbnb turns the check on with a simulator
    AIRBNB_CREDENTIAL_CHECK: 'false',
    ...overrides,
  });
}

export async function startAdmin(
  config: AdminConfig,
  logs = new CapturedLogs(),
): Promise<{ app: NestExpressApplication; logs: CapturedLogs }> {
  const app = await createAdminApp(config, { logStream: logs });
  await app.init();
  return { app, logs };
}
