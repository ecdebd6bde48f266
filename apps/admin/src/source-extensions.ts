import type { Provider, Type } from '@nestjs/common';
import { ACCOUNT_LISTENERS, type AccountListener } from './accounts/account-listeners';
import { HostawayWebhookCredentials } from './webhooks/hostaway-webhook-credentials';
import { HostawayWebhookRegistrar } from './webhooks/hostaway-webhook-registrar';
import { HostawayWebhooksController } from './webhooks/hostaway-webhooks.controller';

/**
 * Admin parts of a source that its plug-in does not declare yet: the Hostaway webhook receiver and
 * registrar (apps/admin/src/webhooks). The registrar follows the Hostaway accounts: changes and deletes
 * evict the receiver's cached credentials and nudge it; a hard delete removes the webhook upstream
 * while the credentials still exist.
 */
export const SOURCE_EXTENSIONS: { controllers: Type[]; providers: Provider[] } = {
  controllers: [HostawayWebhooksController],
  providers: [
    HostawayWebhookCredentials,
    HostawayWebhookRegistrar,
    {
      provide: ACCOUNT_LISTENERS,
      inject: [HostawayWebhookCredentials, HostawayWebhookRegistrar],
      useFactory: (
        credentials: HostawayWebhookCredentials,
        registrar: HostawayWebhookRegistrar,
      ): AccountListener[] => [
        {
          source: 'hostaway',
          changed: (accountId) => {
            credentials.evict(accountId);
            registrar.nudge();
          },
          deleted: (accountId) => {
            credentials.evict(accountId);
            registrar.nudge();
          },
          beforeHardDelete: async (accountId) => {
            await registrar.removeBeforeHardDelete(accountId);
          },
        },
      ],
    },
  ],
};
