import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildAsyncApi } from './asyncapi';
import { TOPIC_IDS, TOPICS } from './topics';

const COMMITTED = join(__dirname, '../../../docs/asyncapi.json');

describe('Contracts > AsyncAPI document', () => {
  const committed = JSON.parse(readFileSync(COMMITTED, 'utf8')) as {
    channels: Record<string, { subscribe: { message: { $ref: string } } }>;
    components: { messages: Record<string, { payload: unknown }> };
  };

  it('docs/asyncapi.json is what the registry generates (regenerate: node -r @swc-node/register libs/contracts/scripts/write-asyncapi.ts)', () => {
    expect(committed).toEqual(JSON.parse(JSON.stringify(buildAsyncApi())));
  });

  it.each(TOPIC_IDS)('%s has a channel whose message payload is its schema file', (id) => {
    const channel = committed.channels[TOPICS[id].baseName];
    expect(channel).toBeDefined();
    const messageName = channel.subscribe.message.$ref.replace('#/components/messages/', '');
    expect(committed.components.messages[messageName].payload).toEqual(TOPICS[id].schema);
  });
});
