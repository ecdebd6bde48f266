import { join } from 'node:path';
import { SOURCE_NAMES } from '../index';
import { productionFiles, readSource, sourceMentions } from './source-mentions';

/** The core: everything that must work for any registered source. Sources live in libs/sources/<name>. */
const CORE = ['libs/core', 'libs/pipeline', 'libs/kafka', 'libs/db', 'libs/contracts', 'libs/config', 'apps'];

const WEBHOOKS =
  'the Hostaway webhook receiver and registrar: a source’s admin hook not yet behind the plug-in';
const READ_SIDE =
  'the read API’s routes and query DTOs name their source (its tables are the plug-ins’ readTables): the routes are not declared by the plug-ins yet';
const TOOLS =
  'a CLI tool that drives one source’s simulator, tables or credentials (demo, bench, chaos, parse)';
const EXAMPLES = 'example values of the public contract (AsyncAPI, OpenAPI) show a real source';

/**
 * Core files that still name a source, each with why. The list only shrinks: a file that no longer names
 * a source must leave it (the last test fails otherwise), and a new one cannot join without a reason here.
 */
const ALLOWED: Readonly<Record<string, string>> = {
  'apps/admin/src/source-extensions.ts': WEBHOOKS,
  'apps/admin/src/webhooks/hostaway-webhook-credentials.ts': WEBHOOKS,
  'apps/admin/src/webhooks/hostaway-webhook-plan.ts': WEBHOOKS,
  'apps/admin/src/webhooks/hostaway-webhook-registrar.ts': WEBHOOKS,
  'apps/admin/src/webhooks/hostaway-webhook.ts': WEBHOOKS,
  'apps/admin/src/webhooks/hostaway-webhooks.controller.ts': WEBHOOKS,
  'apps/admin/src/http/openapi-examples.ts': EXAMPLES,
  'apps/admin/src/http/openapi.ts': EXAMPLES,
  'apps/admin/src/query/query.controller.ts': READ_SIDE,
  'apps/cli/src/bench/bench.command.ts': TOOLS,
  'apps/cli/src/bench/context.ts': TOOLS,
  'apps/cli/src/bench/copy-ceiling.ts': TOOLS,
  'apps/cli/src/bench/expected.ts': TOOLS,
  'apps/cli/src/bench/fetch-phase.ts': TOOLS,
  'apps/cli/src/bench/live-phase.ts': TOOLS,
  'apps/cli/src/bench/loader-phase.ts': TOOLS,
  'apps/cli/src/bench/peers/kafka-connect-jdbc.ts': TOOLS,
  'apps/cli/src/bench/peers/per-listing-from-topic.ts': TOOLS,
  'apps/cli/src/chaos/chaos.command.ts': TOOLS,
  'apps/cli/src/chaos/figures.ts': TOOLS,
  'apps/cli/src/chaos/poison.ts': TOOLS,
  'apps/cli/src/commands/demo.ts': TOOLS,
  'apps/cli/src/commands/simulated-accounts.ts': TOOLS,
  'apps/cli/src/commands/parse.ts': TOOLS,
  'apps/cli/src/main.ts': TOOLS,
  'libs/config/src/public-url.ts': WEBHOOKS,
  'libs/contracts/src/topics/accounts.events.v1/index.ts': EXAMPLES,
  'libs/contracts/src/topics/dlq.v1/index.ts': EXAMPLES,
  'libs/contracts/src/topics/raw/index.ts': EXAMPLES,
  'libs/contracts/src/topics/sync.commands.v1/index.ts': EXAMPLES,
  'libs/contracts/src/topics/sync.events.v1/index.ts': EXAMPLES,
};

const ROOT = join(__dirname, '../../..');

describe('Architecture > the core names no source', () => {
  const files = productionFiles(ROOT, CORE);
  const mentions = new Map(files.map((file) => [file, sourceMentions(readSource(ROOT, file), SOURCE_NAMES)]));

  it('scans the core', () => {
    expect(files).toEqual(
      expect.arrayContaining([
        'apps/loader/src/loader.service.ts',
        'apps/fetcher/src/plugins.ts',
        'libs/pipeline/src/load/load-envelopes.ts',
        'libs/contracts/src/topics.ts',
      ]),
    );
  });

  it('no core file outside the allow-list names a registered source or imports a source package', () => {
    const offenders = files
      .filter((file) => !(file in ALLOWED) && mentions.get(file)!.length > 0)
      .map((file) => ({ file, mentions: mentions.get(file) }));
    expect(offenders).toEqual([]);
  });

  it('every allow-listed file still names a source (the list only shrinks)', () => {
    const stale = Object.keys(ALLOWED).filter((file) => (mentions.get(file) ?? []).length === 0);
    expect(stale).toEqual([]);
  });
});

describe('Architecture > sourceMentions', () => {
  it('finds source names in strings and source package imports, not in comments or identifiers', () => {
    const code = [
      "import { parserV1 } from '@staysync/source-guesty';",
      "import { x } from './guesty-accounts.service';",
      '// guesty is only an example here',
      'const guestyTopic = `raw.${name}`;',
      "const table = 'guesty.listings';",
      "const column = 'guesty_token';",
      "const word = 'guestyish';",
    ].join('\n');
    expect(sourceMentions(code, ['guesty'])).toEqual([
      '@staysync/source-guesty',
      './guesty-accounts.service',
      'guesty.listings',
      'guesty_token',
    ]);
  });
});
