import {
  AccountAuthError,
  PoisonMessageError,
  sourceFetch,
  url,
  type FetchPlugin,
  type RawEnvelope,
  type SourcePlugin,
} from '@staysync/core';
import { echoAccounts } from './accounts';
import { ECHO_MIGRATIONS } from './migrations';

/**
 * A source that exists only in the tests: one operation (`items`), one table, a tiny upstream
 * (./simulator.ts). It proves the boundary: registered with one line, it is scheduled, fetched, put on its
 * raw topic, loaded, replayed and deleted by the core with no other file touched; its accounts
 * (./accounts.ts) are served by admin's shared `/api/v1/echo/accounts` routes.
 */
interface EchoCredentials {
  token: string;
}

function echoFetchPlugin(options: { baseUrl: string }): FetchPlugin<EchoCredentials> {
  return {
    source: 'echo',
    readCredentials: (account, decrypt) => ({ token: decrypt(String(account.api_token)) }),
    async runJob(ctx) {
      const { token } = await ctx.credentials();
      const path = `/accounts/${ctx.job.accountId}/items`;
      ctx.progress.planned('items', 1);
      const response = await fetch(`${options.baseUrl}${path}`, {
        headers: { authorization: `Bearer ${token}` },
        signal: ctx.signal,
      });
      if (response.status === 401)
        return { status: 'auth_failed', error: new AccountAuthError('echo refused the token') };
      if (!response.ok) return { status: 'failed', error: new Error(`echo answered ${response.status}`) };
      const envelope: RawEnvelope = {
        schemaVersion: 1,
        jobId: ctx.job.id,
        source: 'echo',
        accountId: ctx.job.accountId,
        operation: 'items',
        resourceId: null,
        requestKey: `echo:${ctx.job.accountId}:items:${ctx.job.scrapeDate}`,
        variables: {},
        window: null,
        scrapeDate: ctx.job.scrapeDate,
        fetchedAt: new Date().toISOString(),
        httpStatus: response.status,
        body: await response.json(),
      };
      await ctx.publish([envelope]);
      ctx.progress.fetched('items');
      return { status: 'completed' };
    },
  };
}

export const echoSource: SourcePlugin = {
  name: 'echo',
  tables: [
    {
      table: 'echo.items',
      columns: [
        { name: 'account_id', type: 'text' },
        { name: 'id', type: 'text' },
        { name: 'title', type: 'text' },
        { name: 'raw_payload', type: 'jsonb' },
        { name: 'observed_at', type: 'timestamptz' },
      ],
      conflictKey: ['account_id', 'id'],
      mode: 'if-changed',
      changeColumn: 'raw_payload',
      versionColumn: 'observed_at',
    },
  ],
  migrations: ECHO_MIGRATIONS,
  sealed: { accountColumns: ['api_token'] },
  operations: ['items'],
  dataOperations: ['items'],
  parsers: [
    {
      version: 1,
      parse(envelope) {
        const items = (envelope.body as { items?: unknown } | null)?.items;
        if (!Array.isArray(items)) throw new PoisonMessageError('echo: the body has no items list');
        return {
          rows: {
            'echo.items': items.map((item: { id: string; title: string }) => ({
              account_id: envelope.accountId,
              id: String(item.id),
              title: item.title,
              raw_payload: item,
              observed_at: envelope.fetchedAt,
            })),
          },
          unknownMetrics: [],
        };
      },
    },
  ],
  topics: { raw: { description: 'Raw echo responses (test-only source).' } },
  fetch: sourceFetch({
    configShape: { ECHO_BASE_URL: url(['http']).default('http://127.0.0.1:9') },
    config: (e) => ({ baseUrl: e.ECHO_BASE_URL }),
    plugin: echoFetchPlugin,
  }),
  accounts: echoAccounts,
  scheduledSyncMode: () => 'full',
};
