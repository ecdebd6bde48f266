export { createPipelineMetrics, type PipelineMetrics } from './metrics';
export {
  countZeroRowJobs,
  loadEnvelopes,
  parseEnvelopes,
  writeParsed,
  type LoadOptions,
  type LoadResult,
  type ParsedEnvelopes,
  type PoisonEnvelope,
  type TableCounts,
  type WriteResult,
} from './load/load-envelopes';
export { MAX_SAMPLES, type ChangeSample } from './load/compare-rows';
export { keepValueBytes } from './load/producer-text';
export * from './replay';
export { RawTombstoneSender, tombstonesFor, type RawTombstone } from './lifecycle/raw-tombstones';
