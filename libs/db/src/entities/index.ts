import { OutboxMessage } from './OutboxMessage';
import { Replay } from './Replay';
import { SyncJob } from './SyncJob';

export * from './OutboxMessage';
export * from './Replay';
export * from './SyncJob';

/** The core's entities; each source's account entity comes from its plug-in (libs/runtime's sourceEntities()). */
export const ENTITIES = [SyncJob, OutboxMessage, Replay];
