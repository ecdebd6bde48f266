import { SOURCES } from '@staysync/sources';
import { describeSource } from '../harness/conformance';

// every registered source, with the golden envelopes of libs/sources/<name>/conformance.ts
for (const plugin of SOURCES) describeSource(plugin);
