export { airbnbFetchPlugin, LISTINGS_RESOURCE, type AirbnbFetchOptions } from './airbnb-fetch-plugin';
export { envelopeRequestKey, toRawEnvelope } from './envelope';
export { Pacer, sleep } from './pacing';
export { retryDelayMs, withRetries, type RetryPolicy } from './retry';
