export * from './topics';
export * from './validation';
export { buildAsyncApi } from './asyncapi';
export * from './topics/accounts.events.v1';
export * from './topics/sync.commands.v1';
export * from './topics/raw';
export * from './topics/sync.events.v1';
export * from './topics/dlq.v1';
