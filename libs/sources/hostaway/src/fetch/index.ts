export {
  hostawayFetchPlugin,
  remainingOffsets,
  INCREMENTAL_UNFILTERED_NOTE,
  INCREMENTAL_WITHOUT_WATERMARK_NOTE,
  type HostawayFetchOptions,
} from './hostaway-fetch-plugin';
export {
  hostawayRequestKey,
  toRawEnvelope,
  type EnvelopeJob,
  type HostawayListOperation,
  type PageRequest,
} from './envelope';
export { hostawayFetch, hostawayFetchShape } from './config';
