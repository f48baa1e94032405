export * from './errors';
export * from './experiment';
export * from './match';
export * from './release';
export * from './step-gate';
export * from './strategy-kind';
export * from './plan-options';
export * from './strategy';
