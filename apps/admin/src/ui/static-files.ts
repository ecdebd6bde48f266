import { join } from 'node:path';
import type { NestExpressApplication } from '@nestjs/platform-express';

/** The dashboard's files, and uPlot served straight from node_modules (nothing to build). */
export function serveDashboard(app: NestExpressApplication): void {
  app.useStaticAssets(join(__dirname, 'static'), { prefix: '/ui/', index: 'index.html', redirect: true });
  app.useStaticAssets(join(require.resolve('uplot/package.json'), '..', 'dist'), {
    prefix: '/ui/vendor/uplot/',
  });
}
