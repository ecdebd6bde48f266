import { OutboxMessage } from './OutboxMessage';
import { Replay } from './Replay';
import { SourceAccountColumns } from './SourceAccountColumns';
import { SyncJob } from './SyncJob';

export * from './OutboxMessage';
export * from './Replay';
export * from './SourceAccountColumns';
export * from './SyncJob';

/**
 * The core's entities, and the base of the sources' account entities (discovered with them); each source's
 * account entity comes from its plug-in (libs/runtime's sourceEntities()).
 */
export const ENTITIES = [SyncJob, OutboxMessage, Replay, SourceAccountColumns];
