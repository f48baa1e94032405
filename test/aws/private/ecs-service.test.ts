import { Stack } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { dynamicHostPort, lifecycleHooks, trafficContainer } from '../../../src/aws/private/ecs-service';
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

test('dynamicHostPort: only the bridge mode with a host port of 0 or none maps a port per task', () => {
  const image = ecs.ContainerImage.fromRegistry('nginx');
  const ec2Task = (networkMode: ecs.NetworkMode) => {
    const task = new ecs.Ec2TaskDefinition(new Stack(), 'Task', { networkMode });
    task.addContainer('web', { image, memoryLimitMiB: 256, portMappings: [{ containerPort: 80 }, { containerPort: 81, hostPort: 0 }, { containerPort: 82, hostPort: 8082 }] });
    return task;
  };
  const bridge = ec2Task(ecs.NetworkMode.BRIDGE);
  expect([80, 81, 82].map(port => dynamicHostPort(bridge, 'web', port))).toEqual([true, true, false]);
  expect(dynamicHostPort(bridge, 'web', 9999)).toBe(false);
  expect(dynamicHostPort(taskDefinition(), 'web', 80)).toBe(false);
  const host = new ecs.Ec2TaskDefinition(new Stack(), 'Host', { networkMode: ecs.NetworkMode.HOST });
  host.addContainer('web', { image, memoryLimitMiB: 256, portMappings: [{ containerPort: 80 }] });
  expect(dynamicHostPort(host, 'web', 80)).toBe(false);
});

test('lifecycleHooks reads an array of hook targets, naming the index of a bad one', () => {
  const hook = { bind: () => ({}) } as unknown as ecs.IDeploymentLifecycleHookTarget;
  expect(lifecycleHooks('Thing: hooks', [hook])).toEqual([hook]);
  expectValidationError(() => lifecycleHooks('Thing: hooks', [hook, 'x']),
    'Thing: hooks[1] is "x": it must be a lifecycle hook target. Use new ecs.DeploymentLifecycleLambdaTarget(fn, id, { lifecycleStages }).');
});
