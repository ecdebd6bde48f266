export * from './entities';
export * from './orm-config';
export * from './migrator';
export * from './platform';
export * from './timescale';
