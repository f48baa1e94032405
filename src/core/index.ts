export * from './errors';
export * from './experiment';
export * from './match';
export * from './release';
export * from './step-gate';
export * from './strategy';
export * from './traffic-plan';
