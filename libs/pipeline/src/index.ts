export { SOURCES, sourceByName, requireSource } from './sources';
export { createPipelineMetrics, type PipelineMetrics } from './metrics';
export { loadEnvelopes, type LoadOptions, type LoadResult, type PoisonEnvelope, type TableCounts } from './load/load-envelopes';
export { MAX_SAMPLES, type ChangeSample } from './load/compare-rows';
export * from './replay';
