export * from './revision';
export * from './http-route';
