export * from './errors';
export * from './envelope';
export * from './source-plugin';
export * from './dates';
export * from './fetch-plugin';
export * from './retry';
export * from './json';
export * from './http';
