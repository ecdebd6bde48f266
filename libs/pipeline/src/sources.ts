import type { SourcePlugin } from '@staysync/core';
import { airbnbSource } from '@staysync/source-airbnb';
import { hostawaySource } from '@staysync/source-hostaway';

/** Every source plug-in the pipeline loads. Adding a source is one line here; nothing else names one. */
export const SOURCES: readonly SourcePlugin[] = [airbnbSource, hostawaySource];

export function sourceByName(name: string): SourcePlugin | undefined {
  return SOURCES.find((plugin) => plugin.name === name);
}

export function requireSource(name: string): SourcePlugin {
  const plugin = sourceByName(name);
  if (!plugin) throw new Error(`unknown source "${name}": known sources are ${SOURCES.map((s) => s.name).join(', ')}`);
  return plugin;
}
