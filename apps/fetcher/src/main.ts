import 'reflect-metadata';
import { loadFetcherConfig } from '@staysync/config';
import { runApp } from '@staysync/observability';
import { createFetcherApp } from './bootstrap';

runApp('fetcher', loadFetcherConfig, async (config) => {
  const app = await createFetcherApp(config);
  await app.listen(config.port);
  return app;
});
