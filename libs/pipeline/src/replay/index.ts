export { replayFromStore, type StoreReplayOptions } from './from-store';
export {
  partitionPlan,
  planPartitions,
  replayFromTopic,
  type PartitionPlan,
  type TopicReplayOptions,
} from './from-topic';
export type { ReplayReport, ReplayProgress, ReplayRange, ReplayOrigin } from './report';
export {
  createReplay,
  runReplay,
  validateReplayRequest,
  type ReplayRequest,
  type ReplayDependencies,
} from './run-replay';
