import { TOPIC_IDS } from '@staysync/contracts';
import { topicIdsByName, topicName } from './topic-names';

describe('Kafka > topic names', () => {
  it('puts the prefix in front of the versioned base name', () => {
    expect(topicName('raw.airbnb', 'staging.')).toBe('staging.raw.airbnb.v1');
    expect(topicName('dlq', '')).toBe('dlq.v1');
  });

  it('refuses a prefix that makes an illegal topic name', () => {
    expect(() => topicName('dlq', 'my prefix/')).toThrow('illegal Kafka topic name "my prefix/dlq.v1"');
  });

  it('maps names back to logical ids for one deployment', () => {
    const ids = topicIdsByName('t1.', TOPIC_IDS);
    expect(ids.get('t1.sync.commands.v1')).toBe('sync.commands');
    expect(ids.get('sync.commands.v1')).toBeUndefined();
    expect(ids.size).toBe(TOPIC_IDS.length);
  });
});
