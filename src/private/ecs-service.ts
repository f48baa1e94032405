import * as ecs from 'aws-cdk-lib/aws-ecs';
import { arrayOf, fail } from './validation';

/** Reads a `lifecycleHooks` prop: hook targets such as `ecs.DeploymentLifecycleLambdaTarget`. */
export function lifecycleHooks(prop: string, value: unknown): ecs.IDeploymentLifecycleHookTarget[] {
  const hooks = arrayOf<ecs.IDeploymentLifecycleHookTarget>(prop, value, 'Pass an array of hooks such as ecs.DeploymentLifecycleLambdaTarget.');
  hooks.forEach((hook, i) => {
    if (typeof (hook as ecs.IDeploymentLifecycleHookTarget)?.bind !== 'function') {
      fail(`${prop}[${i}]`, hook, 'it must be a lifecycle hook target', 'Use new ecs.DeploymentLifecycleLambdaTarget(fn, id, { lifecycleStages }).');
    }
  });
  return hooks;
}

/** The container and port that receive traffic: the given ones, checked, or the defaults. */
export function trafficContainer(where: string, taskDefinition: ecs.TaskDefinition, name: string | undefined, port: number | undefined) {
  const container = name === undefined ? taskDefinition.defaultContainer : taskDefinition.findContainer(name);
  if (container === undefined) {
    if (name === undefined) {
      fail(`${where}: containerName`, undefined, 'the task definition has no essential container to send traffic to',
        'Add the container to the task definition before creating the rollout, or set containerName.');
    }
    const names = taskDefinition.node.children.filter((c): c is ecs.ContainerDefinition => c instanceof ecs.ContainerDefinition)
      .map(c => JSON.stringify(c.containerName));
    fail(`${where}: containerName`, name, 'the task definition has no container of this name',
      `Use one of: ${names.join(', ') || 'none yet; add the container first'}.`);
  }
  const mappings = container.portMappings;
  if (port === undefined) {
    if (mappings.length === 0) {
      fail(`${where}: containerPort`, undefined, `container "${container.containerName}" maps no port, so there is nothing to send traffic to`,
        'Add a port mapping to the container, such as portMappings: [{ containerPort: 80 }].');
    }
    return { containerName: container.containerName, containerPort: mappings[0].containerPort };
  }
  if (!mappings.some(m => m.containerPort === port)) {
    fail(`${where}: containerPort`, port, `container "${container.containerName}" does not map this port`,
      `Use a mapped port (${mappings.map(m => m.containerPort).join(', ') || 'none yet'}), or add a port mapping for it.`);
  }
  return { containerName: container.containerName, containerPort: port };
}
