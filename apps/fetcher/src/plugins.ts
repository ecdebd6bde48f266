import type { FetcherConfig } from '@staysync/config';
import type { FetchPlugin } from '@staysync/core';
// TODO(airbnb source owner): export './fetch' from libs/sources/airbnb/src/index.ts, then import from '@staysync/source-airbnb'
import { airbnbFetchPlugin } from '../../../libs/sources/airbnb/src/fetch';

/** Every source the fetcher can work. A new source is one more line here; the core stays as it is. */
export function fetchPlugins(config: FetcherConfig): FetchPlugin[] {
  return [airbnbFetchPlugin(config.airbnb)];
}
