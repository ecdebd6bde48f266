import { airbnbSource } from './airbnb/src/source';
import { hostawaySource } from './hostaway/src/source';
import { createRegistry } from './registry/create-registry';

/**
 * Every source plug-in, registered once. Pipeline, fetcher, loader, topics, admin and scheduler derive
 * what they do per source from this list: adding a source is its folder plus one line here.
 */
export const REGISTRY = createRegistry([airbnbSource, hostawaySource]);

export const { SOURCES, SOURCE_NAMES, sourceByName, requireSource } = REGISTRY;
export { checkSources } from './registry/check-sources';
export { createRegistry, type SourceRegistry } from './registry/create-registry';
