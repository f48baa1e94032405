export * from './lambda-rollout';
