export * from './env';
export * from './common';
export * from './apps';
export * from './retention';
export * from './public-url';
