// A web service on Fargate released blue-green by native ECS deployments: each new task definition
// revision starts on the idle target group, reachable only by requests carrying `x-env: green`;
// then all traffic switches, and the old revision keeps running 10 minutes so that a rollback is
// one switch back. A failing task (circuit breaker) or a failing health check rolls it back: more than
// 1% of 5xx, or a p99 latency above 800 ms, for 2 one-minute windows of at least 10 requests, measured
// on both target groups by CloudWatch alarms that ECS watches as deployment alarms.
import { App, Duration, RemovalPolicy, Stack, StackProps, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { AwsSolutionsChecks } from 'cdk-nag';
import { Construct } from 'constructs';
import { aws, guardrails, HealthCheck, Match, Strategy } from 'cdk-deploy-strategies';

export class EcsBlueGreenStack extends Stack {
  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);

    // One NAT gateway lets the tasks pull their public image; flow logs record the VPC's traffic.
    const cidr = '10.0.0.0/16';
    const vpc = new ec2.Vpc(this, 'Vpc', { ipAddresses: ec2.IpAddresses.cidr(cidr), maxAzs: 2, natGateways: 1 });
    vpc.addFlowLog('FlowLogs');

    const cluster = new ecs.Cluster(this, 'Cluster', { vpc, containerInsightsV2: ecs.ContainerInsights.ENHANCED });

    const taskDefinition = new ecs.FargateTaskDefinition(this, 'Task', { cpu: 256, memoryLimitMiB: 512 });
    taskDefinition.addContainer('web', {
      image: ecs.ContainerImage.fromRegistry('public.ecr.aws/nginx/nginx:stable'),
      portMappings: [{ containerPort: 80 }],
      logging: ecs.LogDrivers.awsLogs({
        streamPrefix: 'web',
        logGroup: new logs.LogGroup(this, 'WebLogs', { retention: logs.RetentionDays.ONE_MONTH, removalPolicy: RemovalPolicy.DESTROY }),
      }),
    });

    // An internal load balancer, reachable from inside the VPC only, logging its requests.
    const alb = new elbv2.ApplicationLoadBalancer(this, 'Alb', { vpc, internetFacing: false, dropInvalidHeaderFields: true });
    alb.logAccessLogs(accessLogBucket(this), 'alb');
    const listener = alb.addListener('Http', {
      port: 80,
      open: false,
      defaultAction: elbv2.ListenerAction.fixedResponse(404, { contentType: 'text/plain', messageBody: 'not found' }),
    });
    alb.connections.allowFrom(ec2.Peer.ipv4(cidr), ec2.Port.tcp(80), 'HTTP from inside the VPC');

    const web = new aws.EcsRolloutService(this, 'Web', {
      cluster,
      taskDefinition,
      listener,
      desiredCount: 2,
      strategy: Strategy.blueGreen({
        testRoute: Match.header('x-env', 'green'),
        bakeTime: Duration.minutes(10),
        healthChecks: [
          HealthCheck.errorRate({ maxErrorPercent: 1 }),
          HealthCheck.latency({ percentile: 99, maxLatency: Duration.millis(800) }),
        ],
      }),
    });

    Validations.of(web.service).acknowledge({
      id: 'AwsSolutions::AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/AmazonECSInfrastructureRolePolicyForLoadBalancers]',
      reason: 'ECS assumes this role to move traffic between the blue and green target groups during a deployment. AmazonECSInfrastructureRolePolicyForLoadBalancers is the AWS-maintained policy the ECS documentation prescribes for it; it is not scoped to this load balancer, so a team that needs that can pass its own role as infrastructureRole.',
    });
  }
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
new EcsBlueGreenStack(app, 'EcsBlueGreen', { env: { region: 'us-east-1' } });
Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
guardrails.Guardrails.apply(app, guardrails.GuardrailPack.recommended());
app.synth();
