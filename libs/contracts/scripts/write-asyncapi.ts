// Regenerates docs/asyncapi.json from the topic registry.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildAsyncApi } from '../src/asyncapi';

const target = join(__dirname, '../../../docs/asyncapi.json');
writeFileSync(target, `${JSON.stringify(buildAsyncApi(), null, 2)}\n`);
console.log(`wrote ${target}`);
