export const FETCH_PLUGINS = Symbol('FETCH_PLUGINS');
export const FETCHER_RUNTIME = Symbol('FETCHER_RUNTIME');
export const FETCHER_LOGGER = Symbol('FETCHER_LOGGER');
export const FETCHER_CONFIG = Symbol('FETCHER_CONFIG');
