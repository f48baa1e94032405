export * from './subject';
export * from './rule';
export * from './rules';
export * from './pack';
export * from './guardrails';
