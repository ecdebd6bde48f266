export * from './service-infrastructure';
export * from './migrations';
