export {
  airbnbFetchPlugin,
  LISTINGS_RESOURCE,
  publishBatchSize,
  type AirbnbFetchOptions,
} from './airbnb-fetch-plugin';
export { envelopeRequestKey, toRawEnvelope } from './envelope';
export { Pacer } from './pacing';
export { airbnbFetch, airbnbFetchShape, airbnbFetchOptionsOf } from './config';
