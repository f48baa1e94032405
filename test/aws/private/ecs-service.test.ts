import { Stack } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { lifecycleHooks, trafficContainer } from '../../../src/aws/private/ecs-service';
import { expectValidationError } from '../../support/validation-error';

function taskDefinition() {
  const task = new ecs.FargateTaskDefinition(new Stack(), 'Task');
  task.addContainer('web', { image: ecs.ContainerImage.fromRegistry('nginx'), portMappings: [{ containerPort: 80 }, { containerPort: 9090 }] });
  return task;
}

test('trafficContainer defaults to the default container and its first port, and checks given ones', () => {
  const task = taskDefinition();
  expect(trafficContainer('Thing', task, undefined, undefined)).toEqual({ containerName: 'web', containerPort: 80 });
  expect(trafficContainer('Thing', task, 'web', 9090)).toEqual({ containerName: 'web', containerPort: 9090 });
  expectValidationError(() => trafficContainer('Thing', task, 'api', undefined),
    'Thing: containerName is "api": the task definition has no container of this name. Use one of: "web".');
  expectValidationError(() => trafficContainer('Thing', task, undefined, 8080),
    'Thing: containerPort is 8080: container "web" does not map this port. Use a mapped port (80, 9090), or add a port mapping for it.');
});

test('lifecycleHooks reads an array of hook targets, naming the index of a bad one', () => {
  const hook = { bind: () => ({}) } as unknown as ecs.IDeploymentLifecycleHookTarget;
  expect(lifecycleHooks('Thing: hooks', [hook])).toEqual([hook]);
  expectValidationError(() => lifecycleHooks('Thing: hooks', [hook, 'x']),
    'Thing: hooks[1] is "x": it must be a lifecycle hook target. Use new ecs.DeploymentLifecycleLambdaTarget(fn, id, { lifecycleStages }).');
});
