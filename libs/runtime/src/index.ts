export * from './service-infrastructure';
export * from './migrations';
export * from './entities';
