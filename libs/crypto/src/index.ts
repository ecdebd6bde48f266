export * from './credential-cipher';
export * from './sensitive-fields';
