import { Duration, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as route53 from 'aws-cdk-lib/aws-route53';
import { Chart, Testing } from 'cdk8s';
import { testApp } from './cfn';
import { aws, Experiment, guardrails, k8s, Release, Strategy, StepGate, Variant } from '../../src';

/** Evaluation moment for experiments: fixed, so tests do not change with the clock. */
export const AT = new Date('2027-01-01T00:00:00Z');
export const bake = (minutes: number) => StepGate.bake(Duration.minutes(minutes));

/** A stack with a VPC, a cluster, an ALB listener and a Fargate task definition running `image`. */
export function ecsSetup(image = 'public.ecr.aws/nginx/nginx:1.27.0') {
  const app = testApp();
  const stack = new Stack(app, 'Stack');
  const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 0 });
  const cluster = new ecs.Cluster(stack, 'Cluster', { vpc });
  const alb = new elbv2.ApplicationLoadBalancer(stack, 'Alb', { vpc });
  const listener = alb.addListener('Http', { port: 80, open: false, defaultAction: elbv2.ListenerAction.fixedResponse(404) });
  const task = (id: string, ref = image) => {
    const taskDefinition = new ecs.FargateTaskDefinition(stack, id);
    taskDefinition.addContainer('web', { image: ecs.ContainerImage.fromRegistry(ref), portMappings: [{ containerPort: 80 }] });
    return taskDefinition;
  };
  return { app, stack, vpc, cluster, alb, listener, task };
}

/** An ECS service released by `strategy`. */
export function ecsService(strategy: Strategy, props: Partial<aws.EcsRolloutServiceProps> = {}) {
  const base = ecsSetup();
  const service = new aws.EcsRolloutService(base.stack, 'Web', {
    cluster: base.cluster, listener: base.listener, taskDefinition: base.task('Task'), strategy, ...props,
  });
  return { ...base, service };
}

/** An ECS service on the CodeDeploy controller, behind a listener of its own, with a test listener on port 9000. */
export function codeDeployService(strategy: Strategy, testRouteSources: string[]) {
  const base = ecsSetup();
  const listener = base.alb.addListener('Production', { port: 8080, open: false });
  const service = new aws.EcsRolloutService(base.stack, 'Web', {
    cluster: base.cluster,
    listener,
    taskDefinition: base.task('Task'),
    strategy,
    controller: aws.EcsController.codeDeploy({ testPort: 9000 }),
    testRouteSources,
  });
  return { ...base, service };
}

/** A Lambda function rolled out by `strategy`. */
export function lambdaRollout(strategy: Strategy, props: Partial<aws.LambdaRolloutProps> = {}) {
  const app = testApp();
  const stack = new Stack(app, 'Stack');
  const fn = new lambda.Function(stack, 'Fn', {
    runtime: lambda.Runtime.NODEJS_22_X, handler: 'index.handler', code: lambda.Code.fromInline('exports.handler = async () => 1;'),
  });
  const rollout = new aws.LambdaRollout(stack, 'Rollout', { targetFunction: fn, strategy, ...props });
  return { app, stack, rollout };
}

/** Route 53 weighted records moving from one address to another by `strategy`. */
export function dnsRollout(strategy: Strategy, healthCheck = false) {
  const app = testApp();
  const stack = new Stack(app, 'Stack');
  const zone = new route53.PublicHostedZone(stack, 'Zone', { zoneName: 'example.com' });
  const check = healthCheck ? new route53.HealthCheck(stack, 'Health', { type: route53.HealthCheckType.HTTP, fqdn: 'green.example.com' }) : undefined;
  const rollout = new aws.WeightedDnsRollout(stack, 'Www', {
    zone,
    recordName: 'www',
    strategy,
    stable: aws.DnsTarget.ipAddress('192.0.2.10'),
    candidate: aws.DnsTarget.ipAddress('192.0.2.20', { healthCheck: check }),
  });
  return { app, stack, rollout };
}

/** An ALB experiment of `variants`. */
export function albExperiment(variants: Variant[], endDate: Date | null = new Date('2027-06-30T00:00:00Z'), startDate?: Date) {
  const base = ecsSetup();
  const experiment = new Experiment({ name: 'checkout', variants, endDate: endDate ?? undefined, startDate });
  const group = (id: string) => new elbv2.ApplicationTargetGroup(base.stack, id, { vpc: base.vpc, port: 80, targetType: elbv2.TargetType.IP });
  const targetGroups: Record<string, elbv2.IApplicationTargetGroup> = { control: group('Control') };
  for (const v of experiment.variants) targetGroups[v.name] = group(`Tg-${v.name}`);
  const construct = new aws.AlbExperiment(base.stack, 'Checkout', { listener: base.listener, experiment, targetGroups, at: AT });
  return { ...base, construct };
}

export const revision = (name: string, version: string, image = `registry.example.com/${name}:${version}`): k8s.KubernetesRevision =>
  ({ containers: [{ image, portNumber: 8080 }], version });

/** A cdk8s app and chart (with a namespace, which Argo's Gateway API routing needs). */
export function k8sChart(): Chart {
  return new Chart(Testing.app(), 'shop', { namespace: 'shop' });
}

/** A Gateway experiment of `variants`. */
export function gatewayExperiment(variants: Variant[], endDate: Date | null = new Date('2027-06-30T00:00:00Z')) {
  const chart = k8sChart();
  const experiment = new Experiment({ name: 'checkout', variants, endDate: endDate ?? undefined });
  const backends: Record<string, k8s.GatewayBackend> = { control: { serviceName: 'checkout', port: 80 } };
  for (const v of experiment.variants) backends[v.name] = { serviceName: `checkout-${v.name}`, port: 80 };
  const construct = new k8s.GatewayExperiment(chart, 'checkout', { experiment, gateway: { name: 'public' }, backends, at: AT });
  return { chart, construct };
}

/** The findings of the recommended pack (evaluated at AT) for one rule, as `path: detail`. */
export function findings(scope: { node: any }, ruleId: string, pack = guardrails.GuardrailPack.recommended({ at: AT })): string[] {
  return guardrails.Guardrails.report(scope as any, pack).findings
    .filter(f => f.ruleId === ruleId)
    .map(f => `${f.path}: ${f.detail}${f.suppressed ? ` [suppressed: ${f.reason}]` : ''}`);
}

export const release = (versions: Record<string, string>) => new Release({
  name: 'shop',
  services: Object.entries(versions).map(([name, version]) => ({ name, version, strategy: Strategy.CANARY_10PERCENT_5MINUTES })),
});
