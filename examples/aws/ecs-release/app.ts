// A release of four Fargate services of a shop, each by its own strategy, in dependency order:
// payments (a 10% canary) and catalog (a rolling update) first; then orders, which needs payments
// 2.x and goes blue-green behind an `x-env: green` test route; then storefront, which needs orders
// 3.x and catalog 1.2 or later and moves 10% of its traffic every 3 minutes. The services share
// one cluster and one internal load balancer listener, each on its own path.
//
// All four live in one stack, so one `cdk deploy` is one CloudFormation update: each service
// waits for the services of the wave before to finish deploying, and a failed deployment anywhere
// (a task that cannot start, or a failing health check) fails the update, which rolls back every
// service of the release, those of earlier waves included. The release's plan (its waves, each
// service's version, strategy and duration, and the total) is recorded in the cloud assembly as
// `cdk-deploy-strategies:release` metadata.
import { App, RemovalPolicy, Stack, StackProps, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { AwsSolutionsChecks } from 'cdk-nag';
import { Construct } from 'constructs';
import { aws, guardrails, Match, Release, Strategy } from 'cdk-deploy-strategies';

/** What the shop releases: exact versions, strategies, and what each service needs. */
const release = new Release({
  name: 'shop',
  services: [
    { name: 'payments', version: '2.4.0', strategy: Strategy.CANARY_10PERCENT_5MINUTES },
    { name: 'catalog', version: '1.7.1', strategy: Strategy.ALL_AT_ONCE },
    {
      name: 'orders',
      version: '3.1.0',
      strategy: Strategy.blueGreen({ testRoute: Match.header('x-env', 'green') }),
      dependsOn: [{ service: 'payments', versionRange: '^2.0.0' }],
    },
    {
      name: 'storefront',
      version: '5.0.2',
      strategy: Strategy.LINEAR_10PERCENT_EVERY_3MINUTES,
      dependsOn: [{ service: 'orders', versionRange: '^3.0.0' }, { service: 'catalog', versionRange: '>=1.2.0' }],
    },
  ],
});

/** Where each service is routed on the shared listener: storefront takes every path the others do not. */
const ROUTES: Record<string, { priority: number; path: string }> = {
  payments: { priority: 10, path: '/payments/*' },
  orders: { priority: 20, path: '/orders/*' },
  catalog: { priority: 30, path: '/catalog/*' },
  storefront: { priority: 100, path: '/*' },
};

export class EcsReleaseStack extends Stack {
  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);

    // One NAT gateway lets the tasks pull their public image; flow logs record the VPC's traffic.
    const cidr = '10.0.0.0/16';
    const vpc = new ec2.Vpc(this, 'Vpc', { ipAddresses: ec2.IpAddresses.cidr(cidr), maxAzs: 2, natGateways: 1 });
    vpc.addFlowLog('FlowLogs');

    const cluster = new ecs.Cluster(this, 'Cluster', { vpc, containerInsightsV2: ecs.ContainerInsights.ENHANCED });

    // An internal load balancer, reachable from inside the VPC only, logging its requests.
    const alb = new elbv2.ApplicationLoadBalancer(this, 'Alb', { vpc, internetFacing: false, dropInvalidHeaderFields: true });
    alb.logAccessLogs(accessLogBucket(this), 'alb');
    const listener = alb.addListener('Http', {
      port: 80,
      open: false,
      defaultAction: elbv2.ListenerAction.fixedResponse(404, { contentType: 'text/plain', messageBody: 'not found' }),
    });
    alb.connections.allowFrom(ec2.Peer.ipv4(cidr), ec2.Port.tcp(80), 'HTTP from inside the VPC');

    // One EcsRolloutService per service of the release, built with the release's strategy for it.
    const services: Record<string, aws.EcsRolloutService> = {};
    for (const { name, version, strategy } of release.services) {
      const route = ROUTES[name];
      services[name] = new aws.EcsRolloutService(this, constructId(name), {
        cluster,
        taskDefinition: taskDefinition(this, name, version),
        listener,
        strategy,
        priority: route.priority,
        conditions: [elbv2.ListenerCondition.pathPatterns([route.path])],
        desiredCount: 2,
      });
    }

    // Orders the services in waves and records the release's plan.
    new aws.EcsRelease(this, 'Release', { release, services });
    guardrails.Guardrails.suppress(services.catalog, 'CDS-R2',
      'catalog serves read-only product data from a cache it rebuilds at start: a rolling update with the circuit breaker and the error-rate and latency health checks replaces tasks a few at a time, and a bad version costs stale listings, not orders.');

    for (const service of Object.values(services)) {
      // A rolling update (catalog) has no second target group, hence no infrastructure role.
      if (service.plan.strategy === Strategy.ALL_AT_ONCE) continue;
      Validations.of(service.service).acknowledge({
        id: 'AwsSolutions::AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/AmazonECSInfrastructureRolePolicyForLoadBalancers]',
        reason: 'ECS assumes this role to move traffic between the two target groups of the service during a deployment. AmazonECSInfrastructureRolePolicyForLoadBalancers is the AWS-maintained policy the ECS documentation prescribes for it; it is not scoped to this load balancer, so a team that needs that can pass its own role as infrastructureRole.',
      });
    }
  }
}

/**
 * The service's task: a stand-in web server labelled with the version the release pins, so that a
 * new version is a new task definition revision, which is what starts the service's deployment.
 */
function taskDefinition(scope: Construct, name: string, version: string): ecs.FargateTaskDefinition {
  const task = new ecs.FargateTaskDefinition(scope, `${constructId(name)}Task`, { cpu: 256, memoryLimitMiB: 512 });
  task.addContainer('web', {
    image: ecs.ContainerImage.fromRegistry('public.ecr.aws/nginx/nginx:stable'),
    portMappings: [{ containerPort: 80 }],
    dockerLabels: { 'org.opencontainers.image.version': version },
    logging: ecs.LogDrivers.awsLogs({
      streamPrefix: name,
      logGroup: new logs.LogGroup(scope, `${constructId(name)}Logs`, { retention: logs.RetentionDays.ONE_MONTH, removalPolicy: RemovalPolicy.DESTROY }),
    }),
  });
  return task;
}

/** A service's construct id: its name in the release, capitalized (`orders` -> `Orders`). */
function constructId(name: string): string {
  return name.charAt(0).toUpperCase() + name.slice(1);
}

/** An SSL-only bucket for the load balancer's access logs, itself logged to a second bucket. */
function accessLogBucket(scope: Construct): s3.Bucket {
  const secure = { encryption: s3.BucketEncryption.S3_MANAGED, enforceSSL: true, blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL };
  const serverAccessLogs = new s3.Bucket(scope, 'ServerAccessLogs', secure);
  return new s3.Bucket(scope, 'AccessLogs', { ...secure, serverAccessLogsBucket: serverAccessLogs, serverAccessLogsPrefix: 'access-logs/' });
}

// Server access logs are granted by bucket policy rather than by the deprecated bucket ACL.
const app = new App({ context: { '@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy': true } });
// ALB access logging needs the region, to grant that region's log delivery; no account or lookup is needed.
new EcsReleaseStack(app, 'EcsRelease', { env: { region: 'us-east-1' } });
Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
guardrails.Guardrails.apply(app, guardrails.GuardrailPack.recommended());
app.synth();
