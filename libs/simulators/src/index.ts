export * from './airbnb';
export * from './hostaway';
