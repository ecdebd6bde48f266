import { randomBytes } from 'node:crypto';
import { loadAdminConfig } from './apps';
import { parsePublicBaseUrl } from './public-url';

const base = {
  DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/staysync',
  KAFKA_BROKERS: 'localhost:9092',
  CREDENTIALS_KEYS: `k1:${randomBytes(32).toString('base64')}`,
  ADMIN_API_KEYS: 'ops:0123456789abcdef0123',
};

describe('PUBLIC_BASE_URL', () => {
  it.each([
    ['https://staysync.example.com', 'https://staysync.example.com'],
    ['https://staysync.example.com/', 'https://staysync.example.com'],
    ['https://STAYSYNC.Example.com', 'https://staysync.example.com'],
    // the default port is no port: URL drops it, and so does what we register
    ['https://staysync.example.com:443/', 'https://staysync.example.com'],
    // a path prefix is allowed: an ingress may mount admin below one
    ['https://example.com/staysync/', 'https://example.com/staysync'],
    ['https://api.eu.example.co.uk/a/b', 'https://api.eu.example.co.uk/a/b'],
  ])('accepts %s as %s', (value, expected) => {
    expect(parsePublicBaseUrl(value)).toBe(expected);
  });

  it.each([
    ['http', 'http://staysync.example.com', 'must use https (Hostaway only calls https webhooks)'],
    [
      'a port',
      'https://staysync.example.com:8443',
      'must not contain a port (Hostaway refuses webhook URLs with a port)',
    ],
    ['an IPv4 address', 'https://203.0.113.7', 'must use a domain name, not an IP address'],
    ['an IPv6 address', 'https://[2001:db8::1]', 'must use a domain name, not an IP address'],
    ['localhost', 'https://localhost', 'must use a fully qualified domain name (e.g. staysync.example.com)'],
    ['a .localhost name', 'https://admin.localhost', 'must be reachable from the internet, not localhost'],
    [
      'a single-label host',
      'https://staysync',
      'must use a fully qualified domain name (e.g. staysync.example.com)',
    ],
    ['user info', 'https://user:pw@staysync.example.com', 'must not contain user info'],
    ['a query', 'https://staysync.example.com/?a=1', 'must not contain a query or a fragment'],
    ['a fragment', 'https://staysync.example.com/#x', 'must not contain a query or a fragment'],
    ['no URL', 'staysync.example.com', 'expected an absolute URL such as https://staysync.example.com'],
  ])('rejects %s', (_name, value, message) => {
    expect(() => parsePublicBaseUrl(value)).toThrow(message);
  });

  it('stops admin at start-up naming the variable, and is optional (no registration without it)', () => {
    expect(() => loadAdminConfig({ ...base, PUBLIC_BASE_URL: 'http://staysync.example.com:8080' })).toThrow(
      /PUBLIC_BASE_URL: must use https/,
    );
    expect(loadAdminConfig({ ...base, PUBLIC_BASE_URL: 'https://staysync.example.com/' }).publicBaseUrl).toBe(
      'https://staysync.example.com',
    );
    expect(loadAdminConfig(base).publicBaseUrl).toBeNull();
  });
});
