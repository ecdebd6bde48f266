import { AirbnbAccount } from './AirbnbAccount';
import { HostawayAccount } from './HostawayAccount';
import { OutboxMessage } from './OutboxMessage';
import { Replay } from './Replay';
import { SyncJob } from './SyncJob';

export * from './AirbnbAccount';
export * from './HostawayAccount';
export * from './OutboxMessage';
export * from './Replay';
export * from './SyncJob';

export const ENTITIES = [AirbnbAccount, HostawayAccount, SyncJob, OutboxMessage, Replay];
