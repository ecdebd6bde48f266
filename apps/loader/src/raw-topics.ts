import { isTopicId, type RawTopicId } from '@staysync/contracts';
import { SOURCES } from '@staysync/pipeline';

export type { RawTopicId };

/** `raw.<source>` of every registered source plug-in that has a topic in the registry. */
export function rawTopicIds(): RawTopicId[] {
  return SOURCES.map((plugin) => `raw.${plugin.name}`).filter((id): id is RawTopicId => isTopicId(id));
}
