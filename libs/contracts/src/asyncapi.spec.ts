import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildAsyncApi } from './asyncapi';
import { TOPIC_IDS, TOPICS } from './topics';

const COMMITTED = join(__dirname, '../../../docs/asyncapi.json');

describe('Contracts > AsyncAPI document', () => {
  const committed = JSON.parse(readFileSync(COMMITTED, 'utf8')) as {
    channels: Record<string, { address: string; messages: Record<string, { $ref: string }> }>;
    components: { messages: Record<string, { payload: { schema: unknown } }> };
  };

  it('docs/asyncapi.json is what the registry generates (regenerate: node -r @swc-node/register libs/contracts/scripts/write-asyncapi.ts)', () => {
    expect(committed).toEqual(JSON.parse(JSON.stringify(buildAsyncApi())));
  });

  it.each(TOPIC_IDS)('%s has a channel whose message payload is its schema file', (id) => {
    const channel = committed.channels[id];
    expect(channel.address).toBe(TOPICS[id].baseName);
    const messageName = channel.messages[id].$ref.replace('#/components/messages/', '');
    expect(committed.components.messages[messageName].payload.schema).toEqual(TOPICS[id].schema);
  });
});
