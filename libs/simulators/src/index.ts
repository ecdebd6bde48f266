export * from './airbnb';
