import type { SourcePlugin } from '@staysync/core';
import { checkSources } from './check-sources';

export interface SourceRegistry {
  SOURCES: readonly SourcePlugin[];
  /** the names, in registry order (e.g. for request validation) */
  SOURCE_NAMES: readonly string[];
  sourceByName: (name: string) => SourcePlugin | undefined;
  requireSource: (name: string) => SourcePlugin;
}

/** A checked list of source plug-ins with its look-ups (`libs/sources/index.ts` builds the one the services use). */
export function createRegistry(plugins: readonly SourcePlugin[]): SourceRegistry {
  const SOURCES = checkSources(plugins);
  const SOURCE_NAMES = SOURCES.map((plugin) => plugin.name);
  const sourceByName = (name: string): SourcePlugin | undefined =>
    SOURCES.find((plugin) => plugin.name === name);
  return {
    SOURCES,
    SOURCE_NAMES,
    sourceByName,
    requireSource: (name) => {
      const plugin = sourceByName(name);
      if (!plugin) throw new Error(`unknown source "${name}": known sources are ${SOURCE_NAMES.join(', ')}`);
      return plugin;
    },
  };
}
