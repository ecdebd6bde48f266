import type { FetcherConfig } from '@staysync/config';
import type { FetchPlugin } from '@staysync/core';
import { SOURCES } from '@staysync/sources';

/** The fetch plug-in of every registered source, each built from its section of the config. */
export function fetchPlugins(config: FetcherConfig): FetchPlugin[] {
  return SOURCES.map((plugin) => plugin.fetch.plugin(config.sources[plugin.name]));
}
