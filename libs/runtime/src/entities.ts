import type { SourcePlugin } from '@staysync/core';
import { SOURCES } from '@staysync/sources';

/** The ORM entities of the registered sources: each one's account entity (`SourcePlugin.accounts`). */
export function sourceEntities(sources: readonly SourcePlugin[] = SOURCES) {
  return sources.flatMap((source) => (source.accounts ? [source.accounts.entity] : []));
}
