export * from './core';
export * as aws from './aws';
