import { isIP } from 'node:net';

/**
 * PUBLIC_BASE_URL: where Hostaway reaches this deployment's admin from the internet. Hostaway accepts
 * a webhook URL only on https with a domain name, no IP address and no port (reference §4), so the
 * same is checked at start-up rather than found out at the first registration. A path prefix is
 * allowed (an ingress that mounts admin under `/staysync`); query, fragment and user info are not.
 * Returns the URL without a trailing slash, so paths can be appended; throws with the reason.
 */
export function parsePublicBaseUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new Error('expected an absolute URL such as https://staysync.example.com');
  }
  if (url.protocol !== 'https:') throw new Error('must use https (Hostaway only calls https webhooks)');
  // URL drops the default port (:443) by itself; any other port is refused upstream
  if (url.port !== '') throw new Error('must not contain a port (Hostaway refuses webhook URLs with a port)');
  if (url.username !== '' || url.password !== '') throw new Error('must not contain user info');
  if (url.search !== '' || url.hash !== '') throw new Error('must not contain a query or a fragment');
  const host = url.hostname;
  if (isIP(host.replace(/^\[|\]$/g, '')) !== 0) throw new Error('must use a domain name, not an IP address');
  const labels = host.split('.');
  if (labels.length < 2 || labels.some((l) => l === '') || /^\d+$/.test(labels[labels.length - 1])) {
    throw new Error('must use a fully qualified domain name (e.g. staysync.example.com)');
  }
  if (labels[labels.length - 1] === 'localhost')
    throw new Error('must be reachable from the internet, not localhost');
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}
