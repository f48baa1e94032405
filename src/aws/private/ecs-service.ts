import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { arrayOf, fail, struct, wholeSeconds } from '../../core/private/validation';

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

/**
 * Whether the container port reaches the load balancer through a dynamic host port (the bridge network mode with a
 * host port of 0 or none): each task then listens on a port of its own, which only a health check on the
 * `traffic-port` follows.
 */
export function dynamicHostPort(taskDefinition: ecs.TaskDefinition, containerName: string, containerPort: number): boolean {
  if (taskDefinition.networkMode !== ecs.NetworkMode.BRIDGE) return false;
  const mapping = taskDefinition.findContainer(containerName)?.portMappings.find(m => m.containerPort === containerPort);
  return mapping !== undefined && (mapping.hostPort === undefined || mapping.hostPort === 0);
}

/** ALB target group health checks (Elastic Load Balancing API reference, `CreateTargetGroup`). */
const HEALTH_CHECK = {
  interval: [5, 300],
  timeout: [2, 120],
  threshold: [2, 10],
  maxPath: 1024,
  httpCodes: [200, 499],
} as const;

/**
 * Checks the health check of the blue and green target groups, so a value the load balancer
 * refuses fails now, naming the field, and not at deploy time.
 */
export function healthCheck(prop: string, value: unknown): elbv2.HealthCheck | undefined {
  if (value === undefined) return undefined;
  const check = struct<elbv2.HealthCheck>(prop, value, 'Pass { path, interval, timeout, healthyThresholdCount, ... }.');
  if (check.enabled !== undefined && check.enabled !== true) {
    fail(`${prop}.enabled`, check.enabled, 'the load balancer always health-checks targets of type ip and instance, and routes only to healthy tasks',
      'Leave enabled out; tune the interval and thresholds instead.');
  }
  if (check.protocol !== undefined && check.protocol !== elbv2.Protocol.HTTP && check.protocol !== elbv2.Protocol.HTTPS) {
    fail(`${prop}.protocol`, check.protocol, 'an application load balancer health-checks over HTTP or HTTPS', 'Use elbv2.Protocol.HTTP or elbv2.Protocol.HTTPS.');
  }
  const seconds = (field: 'interval' | 'timeout') => {
    const [min, max] = HEALTH_CHECK[field];
    if (check[field] === undefined) return undefined;
    const s = wholeSeconds(`${prop}.${field}`, check[field], { minSeconds: min, fix: `Use ${min} to ${max} seconds.` });
    if (s > max) fail(`${prop}.${field}`, check[field], `the load balancer takes a health check ${field} of ${min} to ${max} seconds`, `Use ${min} to ${max} seconds.`);
    return s;
  };
  const interval = seconds('interval');
  const timeout = seconds('timeout');
  // The defaults of an ALB target group (aws-cdk-lib documents them): every 30 s, timing out after 6 s (10 s over HTTPS).
  if (interval === undefined && timeout !== undefined && timeout >= 30) {
    fail(`${prop}.timeout`, check.timeout, 'a health check must time out before the next one starts, every 30 seconds by default',
      'Use a timeout under 30 seconds, or set a longer interval.');
  }
  const defaultTimeout = check.protocol === elbv2.Protocol.HTTPS ? 10 : 6;
  if (interval !== undefined && interval <= (timeout ?? defaultTimeout)) {
    fail(`${prop}.interval`, check.interval, `a health check must time out before the next one starts, so the interval must be longer than ${
      timeout === undefined ? `the default timeout of ${defaultTimeout} seconds` : `the timeout of ${timeout} seconds`}`,
    'Lengthen the interval or shorten the timeout.');
  }
  for (const field of ['healthyThresholdCount', 'unhealthyThresholdCount'] as const) {
    const count = check[field];
    const [min, max] = HEALTH_CHECK.threshold;
    if (count !== undefined && (typeof count !== 'number' || !Number.isInteger(count) || count < min || count > max)) {
      fail(`${prop}.${field}`, count, `it is a number of consecutive health checks, a whole number from ${min} to ${max}`, `Use ${min} to ${max}.`);
    }
  }
  if (check.path !== undefined
    && (typeof check.path !== 'string' || !check.path.startsWith('/') || check.path.length > HEALTH_CHECK.maxPath || !/^[\x21-\x7e]+$/.test(check.path))) {
    fail(`${prop}.path`, check.path, `a health check path starts with "/" and has at most ${HEALTH_CHECK.maxPath} visible ASCII characters`,
      'Use a path such as "/health".');
  }
  if (check.port !== undefined && check.port !== 'traffic-port' && !(typeof check.port === 'string' && /^\d{1,5}$/.test(check.port) && Number(check.port) >= 1 && Number(check.port) <= 65535)) {
    fail(`${prop}.port`, check.port, 'a health check port is "traffic-port" or a port number from 1 to 65535, as a string', 'Leave it out to check the port that receives traffic.');
  }
  if (check.healthyHttpCodes !== undefined && !httpCodes(check.healthyHttpCodes)) {
    const [min, max] = HEALTH_CHECK.httpCodes;
    fail(`${prop}.healthyHttpCodes`, check.healthyHttpCodes, `it lists HTTP codes from ${min} to ${max}, separated by commas, or ranges of them`,
      'Use a value such as "200", "200,302" or "200-299".');
  }
  if (check.healthyGrpcCodes !== undefined) {
    fail(`${prop}.healthyGrpcCodes`, check.healthyGrpcCodes, 'the blue and green target groups speak HTTP/1.1, not gRPC', 'Use healthyHttpCodes.');
  }
  return check;
}

function httpCodes(value: unknown): boolean {
  if (typeof value !== 'string' || !/^\d{3}(-\d{3})?(,\d{3}(-\d{3})?)*$/.test(value)) return false;
  const [min, max] = HEALTH_CHECK.httpCodes;
  return value.split(',').every(part => {
    const [low, high = low] = part.split('-').map(Number);
    return low >= min && high <= max && low <= high;
  });
}
