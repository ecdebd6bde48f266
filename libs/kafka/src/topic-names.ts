import { TOPICS, type TopicId } from '@staysync/contracts';

const LEGAL_TOPIC_NAME = /^[a-zA-Z0-9._-]{1,249}$/;

/** The topic's name on the wire: `<prefix><baseName>`, e.g. `staging.` + `raw.airbnb.v1`. */
export function topicName(topicId: TopicId, prefix: string): string {
  const name = `${prefix}${TOPICS[topicId].baseName}`;
  if (!LEGAL_TOPIC_NAME.test(name)) {
    throw new Error(
      `illegal Kafka topic name "${name}": the prefix "${prefix}" may only use letters, digits, '.', '_' and '-'`,
    );
  }
  return name;
}

/** The reverse of topicName, for the topics of one deployment. */
export function topicIdsByName<T extends TopicId>(prefix: string, topicIds: readonly T[]): Map<string, T> {
  return new Map(topicIds.map((id) => [topicName(id, prefix), id]));
}
