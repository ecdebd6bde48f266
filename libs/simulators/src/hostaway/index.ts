export type { ExpectedSyncOptions, HostawayDatasetCounts } from './accounts';
export {
  HOSTAWAY_ACCOUNT_DEFAULTS,
  type HostawayListing,
  type HostawayMessage,
  type HostawayReservation,
  type HostawaySimulatorAccount,
} from './dataset';
export type {
  HostawayFailFault,
  HostawayFaults,
  HostawayHangFault,
  HostawayPathMatcher,
  HostawayQueryMatcher,
} from './faults';
export {
  formatHostawayDateTime,
  HOSTAWAY_CHANNELS,
  HOSTAWAY_DEFAULT_MAX_PAGE_SIZE,
  HOSTAWAY_DEFAULT_PAGE_SIZE,
  HOSTAWAY_DEFAULT_RATE_LIMITS,
  HOSTAWAY_DEFAULT_TOKEN_TTL_MS,
  HOSTAWAY_DEFAULT_TOKEN_WARMUP_MS,
  type HostawayPathKind,
  type HostawayRateLimits,
  type HostawayReservationStatus,
} from './protocol';
export { type HostawaySimulator, type HostawaySimulatorOptions, startHostawaySimulator } from './server';
export type {
  HostawayAccountStats,
  HostawayRecordedRequest,
  HostawaySimulatorStats,
  HostawayWebhookOperationCounts,
} from './stats';
export type { HostawayWebhookRegistration } from './webhook-registrations';
export {
  hostawayWebhookAuthHeader,
  type HostawayWebhookAuth,
  type HostawayWebhookEnvelope,
  type HostawayWebhookResponse,
  messageWebhook,
  reservationWebhook,
  sendHostawayWebhook,
  unknownWebhook,
} from './webhooks';
