export * from './tables';
export * from './datetime';
export {
  parserV1,
  parseHostawayEnvelope,
  HOSTAWAY_SOURCE_NAME,
  HOSTAWAY_OPERATIONS,
  HOSTAWAY_WEBHOOK_EVENTS,
  messageSentAt,
  type HostawayOperation,
} from './parser.v1';
export { hostawaySource } from './source';
export * from './errors';
export * from './classify';
export * from './client';
export * from './token';
export * from './rate-limit';
export * from './credentials';
export * from './fetch';
export * from './sensitive-fields';
export * from './parse-command';
export { hostawayAdmin, hostawayAdminConfigOf, type HostawayAdminConfig } from './admin-config';
export * from './accounts';
