import { Body, Controller, Headers, HttpCode, Inject, Post } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Counter, type Registry } from 'prom-client';
import type { AdminConfig } from '@staysync/config';
import { sealSensitiveFields, type CredentialCipher } from '@staysync/crypto';
import { KafkaProducerService } from '@staysync/kafka';
import { METRICS_REGISTRY } from '@staysync/observability';
import { hostawayAdminConfigOf } from '@staysync/source-hostaway';
import { ADMIN_CONFIG } from '../admin-config';
import { ProblemException } from '../http/problem.filter';
import { PublicRoute } from '../http/public-route';
import { CREDENTIAL_CIPHER } from '../tokens';
import { HostawayWebhookCredentials } from './hostaway-webhook-credentials';
import { readHostawayWebhook, webhookEnvelope } from './hostaway-webhook';

/**
 * Hostaway unified webhooks. Authenticated per account with HTTP Basic, validated, put on
 * `raw.hostaway.v1` (the loader applies them like polled pages) and acknowledged once the broker has
 * the event — never waiting on the database. Unknown event types are accepted, kept and counted.
 */
@ApiTags('hostaway webhooks')
@Controller('api/v1/hostaway/webhooks')
export class HostawayWebhooksController {
  private readonly deliveries: Counter<'event' | 'outcome'>;

  constructor(
    private readonly credentials: HostawayWebhookCredentials,
    private readonly producer: KafkaProducerService,
    @Inject(METRICS_REGISTRY) registry: Registry,
    @Inject(CREDENTIAL_CIPHER) private readonly cipher: CredentialCipher,
    @Inject(ADMIN_CONFIG) private readonly config: AdminConfig,
  ) {
    this.deliveries = new Counter({
      name: 'staysync_hostaway_webhooks_total',
      help: 'Hostaway webhook deliveries by event (unknown events as "unknown") and outcome',
      labelNames: ['event', 'outcome'],
      registers: [registry],
    });
  }

  @Post()
  @PublicRoute()
  @HttpCode(200)
  @ApiOkResponse({ description: '{"status":"accepted"}' })
  async receive(@Headers('authorization') authorization: string | undefined, @Body() body: unknown) {
    const basic = parseBasicAuth(authorization);
    if (!basic) return this.reject('none', 401, 'HTTP Basic credentials are required');
    const read = readHostawayWebhook(body);
    if ('errors' in read)
      return this.reject('none', 400, `not a Hostaway webhook: ${read.errors.join('; ')}`);
    const { webhook } = read;
    const eventLabel = webhook.known ? webhook.event : 'unknown';
    if (!(await this.credentials.verify(webhook.accountId, basic.login, basic.password))) {
      return this.reject(eventLabel, 401, 'the credentials are not valid for this account');
    }
    // property secrets (door codes…) are sealed before the delivery goes on the topic
    const envelope = webhookEnvelope({
      ...webhook,
      body: sealSensitiveFields(
        webhook.body,
        hostawayAdminConfigOf(this.config).sensitiveFields,
        this.cipher,
      ),
    });
    await this.producer.send('raw.hostaway', [{ key: envelope.requestKey, value: envelope }]);
    this.deliveries.inc({ event: eventLabel, outcome: 'accepted' });
    return { status: 'accepted' };
  }

  private reject(event: string, status: 400 | 401, detail: string): never {
    this.deliveries.inc({ event, outcome: status === 401 ? 'unauthorized' : 'invalid' });
    throw new ProblemException(status, status === 401 ? 'Unauthorized' : 'Bad Request', detail);
  }
}

function parseBasicAuth(header: string | undefined): { login: string; password: string } | null {
  if (!header?.startsWith('Basic ')) return null;
  const decoded = Buffer.from(header.slice(6).trim(), 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon <= 0) return null;
  return { login: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}
