// Regenerates docs/asyncapi.json from the topic registry, formatted like the rest of the repo.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { format, resolveConfig } from 'prettier';
import { buildAsyncApi } from '../src/asyncapi';

async function main(): Promise<void> {
  const target = join(__dirname, '../../../docs/asyncapi.json');
  const options = await resolveConfig(target);
  writeFileSync(target, await format(JSON.stringify(buildAsyncApi()), { ...options, parser: 'json' }));
  console.log(`wrote ${target}`);
}

void main();
