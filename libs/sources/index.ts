import type { SourcePlugin } from '@staysync/core';
import { airbnbSource } from './airbnb/src/source';
import { hostawaySource } from './hostaway/src/source';
import { checkSources } from './registry/check-sources';

/**
 * Every source plug-in, registered once. Pipeline, fetcher, loader, topics, admin and scheduler derive
 * what they do per source from this list: adding a source is its folder plus one line here.
 */
export const SOURCES: readonly SourcePlugin[] = checkSources([airbnbSource, hostawaySource]);

/** The registered sources' names, in registry order (e.g. for request validation). */
export const SOURCE_NAMES: readonly string[] = SOURCES.map((plugin) => plugin.name);

export function sourceByName(name: string): SourcePlugin | undefined {
  return SOURCES.find((plugin) => plugin.name === name);
}

export function requireSource(name: string): SourcePlugin {
  const plugin = sourceByName(name);
  if (!plugin) throw new Error(`unknown source "${name}": known sources are ${SOURCE_NAMES.join(', ')}`);
  return plugin;
}

export { checkSources };
