export * from './ecs-code-deploy-rollout';
export * from './ecs-controller';
export * from './ecs-native-rollout';
export * from './ecs-rollout-service';
export * from './lambda-rollout';
export * from './target-group-alarms';
