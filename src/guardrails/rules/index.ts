export * from './rollback-trigger';
export * from './blast-radius';
export * from './minimum-bake-time';
export * from './private-test-route';
export * from './experiment-end-date';
export * from './shadowed-variant';
export * from './pinned-versions';
export * from './health-check-coverage';
