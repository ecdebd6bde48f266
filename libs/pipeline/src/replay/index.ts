export { replayFromStore, type StoreReplayOptions } from './from-store';
export { replayFromTopic, type TopicReplayOptions } from './from-topic';
export type { ReplayReport, ReplayProgress, ReplayRange, ReplayOrigin } from './report';
export { createReplay, runReplay, validateReplayRequest, type ReplayRequest, type ReplayDependencies } from './run-replay';
