// What every AWS variant shares: the user's own code around the blue-green services (network,
// cluster, load balancer, task definitions) and the split of services into stacks. Only the code
// that releases a service differs between the library, hand-written and peer apps.
import { App, Duration, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';

/**
 * Services per stack. CloudFormation takes at most 500 resources per stack, and one service costs
 * 15 (native), 16 (CodeDeploy) or 36 (the peer) resources, so 100 services fit in no single stack
 * on any side: every side puts at most 10 services in a stack, each stack with its own network.
 */
export const SERVICES_PER_STACK = 10;

/** Blue-green with a 10 minute bake: the old side stays up 10 minutes after the switch. */
export const BAKE_TIME = Duration.minutes(10);
/** Who may use the test route: the private ranges (the library's default, written out by hand elsewhere). */
export const TEST_SOURCES = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'];
/** The header of the native test route. */
export const TEST_HEADER = { name: 'x-env', value: 'green' };
export const CONTAINER_NAME = 'web';
export const CONTAINER_PORT = 80;

/** One service to declare: where it goes and the values that must differ between services. */
export interface ServiceSlot {
  readonly stack: Stack;
  readonly vpc: ec2.IVpc;
  readonly cluster: ecs.ICluster;
  /** The stack's internal load balancer (library and hand-written apps; the peer makes its own). */
  readonly loadBalancer?: elbv2.ApplicationLoadBalancer;
  /** The service's number in the app, from 0: its construct id is `Svc<index>`. */
  readonly index: number;
  /** The service's number in its stack, from 0: it picks rule priorities and listener ports. */
  readonly slot: number;
  readonly taskDefinition: ecs.FargateTaskDefinition;
}

/**
 * Declares `services` services in stacks of at most `SERVICES_PER_STACK`, each stack with a VPC,
 * a cluster and (unless `loadBalancer` is false) an internal load balancer, and calls `declare`
 * once per service with its own task definition.
 */
export function declareServices(app: App, services: number, options: { loadBalancer: boolean },
  declare: (slot: ServiceSlot) => void): void {
  for (let first = 0; first < services; first += SERVICES_PER_STACK) {
    // A region, because the peer's access logs need one to grant the region's log delivery.
    const stack = new Stack(app, `Services${first / SERVICES_PER_STACK + 1}`, { env: { region: 'us-east-1' } });
    const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 1 });
    const cluster = new ecs.Cluster(stack, 'Cluster', { vpc });
    const loadBalancer = options.loadBalancer ? new elbv2.ApplicationLoadBalancer(stack, 'Alb', { vpc, internetFacing: false }) : undefined;
    for (let index = first; index < Math.min(services, first + SERVICES_PER_STACK); index++) {
      const taskDefinition = new ecs.FargateTaskDefinition(stack, `Task${index}`, { cpu: 256, memoryLimitMiB: 512 });
      taskDefinition.addContainer(CONTAINER_NAME, {
        image: ecs.ContainerImage.fromRegistry('public.ecr.aws/nginx/nginx:stable'),
        portMappings: [{ containerPort: CONTAINER_PORT }],
      });
      declare({ stack, vpc, cluster, loadBalancer, index, slot: index - first, taskDefinition });
    }
  }
}

/** The native apps share one listener per stack: each service adds its rules, matched by host name. */
export function sharedListener(slot: ServiceSlot): elbv2.ApplicationListener {
  const existing = slot.loadBalancer!.node.tryFindChild('Http') as elbv2.ApplicationListener | undefined;
  return existing ?? slot.loadBalancer!.addListener('Http', {
    port: 80,
    open: false,
    defaultAction: elbv2.ListenerAction.fixedResponse(404),
  });
}

/** The host name that routes to a service. */
export function hostName(slot: ServiceSlot): string {
  return `svc${slot.index}.example.com`;
}

/** The production rule's priority; the test rule takes the one below. */
export function rulePriority(slot: ServiceSlot): number {
  return 10 + 2 * slot.slot;
}

/**
 * CodeDeploy moves a listener's default action, so each service has a production listener of its
 * own, created (by the user) without a default action, and a test listener on another port.
 */
export function productionListener(slot: ServiceSlot): elbv2.ApplicationListener {
  return slot.loadBalancer!.addListener(`Http${slot.slot}`, { port: 8000 + slot.slot, protocol: elbv2.ApplicationProtocol.HTTP, open: false });
}

export function testPort(slot: ServiceSlot): number {
  return 9000 + slot.slot;
}
