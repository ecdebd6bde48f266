import 'reflect-metadata';
import { loadAdminConfig } from '@staysync/config';
import { runApp } from '@staysync/observability';
import { createAdminApp } from './bootstrap';

runApp('admin', loadAdminConfig, async (config) => {
  const app = await createAdminApp(config);
  await app.listen(config.port);
  return app;
});
