import { randomBytes } from 'node:crypto';
import { loadAdminConfig } from '@staysync/config';

const config = (keys: string) =>
  loadAdminConfig({
    DATABASE_URL: 'postgres://localhost/x',
    KAFKA_BROKERS: 'localhost:9092',
    CREDENTIALS_KEYS: `k1:${randomBytes(32).toString('base64')}`,
    ADMIN_API_KEYS: keys,
  });

describe('Admin > HTTP > ADMIN_API_KEYS', () => {
  it('name:key keeps full rights; name:key:read and name:key:admin set the scope; a key may contain colons', () => {
    expect(
      config(
        'ops:0123456789abcdef0123,viewer:abcdefabcdefabcdef:read,ci:x:y:0123456789abcdef:admin,legacy:a:b:0123456789abcdef',
      ).apiKeys,
    ).toEqual([
      { name: 'ops', key: '0123456789abcdef0123', scope: 'admin' },
      { name: 'viewer', key: 'abcdefabcdefabcdef', scope: 'read' },
      { name: 'ci', key: 'x:y:0123456789abcdef', scope: 'admin' },
      { name: 'legacy', key: 'a:b:0123456789abcdef', scope: 'admin' },
    ]);
  });

  it('a bare key is named default; short keys are refused', () => {
    expect(config('0123456789abcdef0123').apiKeys).toEqual([
      { name: 'default', key: '0123456789abcdef0123', scope: 'admin' },
    ]);
    expect(() => config('viewer:short:read')).toThrow(/at least 16 characters/);
  });

  it('API protection defaults: limits per key and IP, failed-auth limit, CORS off', () => {
    const { rateLimits, corsOrigins } = config('ops:0123456789abcdef0123');
    expect(rateLimits).toEqual({
      windowMs: 60_000,
      perKey: 1200,
      perIp: 600,
      authFailures: 10,
      authFailureWindowMs: 600_000,
      authFailureBlockMs: 900_000,
    });
    expect(corsOrigins).toEqual([]);
  });
});
