export * from './lambda-rollout';
export * from './target-group-alarms';
