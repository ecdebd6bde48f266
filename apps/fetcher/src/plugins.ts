import type { FetcherConfig } from '@staysync/config';
import type { FetchPlugin } from '@staysync/core';
import { airbnbFetchPlugin } from '@staysync/source-airbnb';
import { hostawayFetchPlugin } from '@staysync/source-hostaway';

/** Every source the fetcher can work. A new source is one more line here; the core stays as it is. */
export function fetchPlugins(config: FetcherConfig): FetchPlugin[] {
  return [airbnbFetchPlugin(config.airbnb), hostawayFetchPlugin(config.hostaway)];
}
