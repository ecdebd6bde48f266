import { SetMetadata } from '@nestjs/common';

export const PUBLIC_ROUTE = 'staysync:public-route';

/** The route authenticates callers itself (e.g. webhooks with HTTP Basic), not with an API key. */
export const PublicRoute = () => SetMetadata(PUBLIC_ROUTE, true);
