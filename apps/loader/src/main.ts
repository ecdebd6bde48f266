import 'reflect-metadata';
import { loadLoaderConfig } from '@staysync/config';
import { runApp } from '@staysync/observability';
import { createLoaderApp } from './bootstrap';

runApp('loader', loadLoaderConfig, async (config) => {
  const app = await createLoaderApp(config);
  await app.listen(config.port);
  return app;
});
