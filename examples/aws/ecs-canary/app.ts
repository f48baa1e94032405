// A web service on Fargate released as a canary by native ECS deployments: each new task definition
// revision starts at full size beside the old one and takes 10% of the traffic for 10 minutes, then
// all of it. A failing task (circuit breaker) or a failing health check rolls it back: the strategy's
// error rate and p99 latency, measured on either target group, and an alarm of the app's own on the
// whole load balancer, added as a health check so that the plan lists it too.
import { App, Duration, RemovalPolicy, Stack, StackProps, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { AwsSolutionsChecks } from 'cdk-nag';
import { Construct } from 'constructs';
import { aws, guardrails, HealthCheck, Strategy } from 'cdk-deploy-strategies';

export class EcsCanaryStack extends Stack {
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
      // 10% for 10 minutes, then 100%: the same preset and checks a Lambda team would pass to LambdaRollout.
      strategy: Strategy.CANARY_10PERCENT_10MINUTES.withHealthChecks([
        HealthCheck.errorRate({ maxErrorPercent: 1 }),
        HealthCheck.latency({ percentile: 99, maxLatency: Duration.millis(800) }),
      ]),
    });

    // An alarm of the app's own: the load balancer's p90 response time of 1 s or more for 3 minutes.
    web.addHealthCheck(aws.CloudWatchHealthCheck.alarm(new cloudwatch.Alarm(this, 'SlowResponses', {
      alarmDescription: 'Load balancer p90 target response time of 1 s or more: rolls the deployment back',
      metric: alb.metrics.targetResponseTime({ statistic: cloudwatch.Stats.p(90), period: Duration.minutes(1) }),
      threshold: 1,
      evaluationPeriods: 3,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    })));

    Validations.of(web.service).acknowledge({
      id: 'AwsSolutions::AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/AmazonECSInfrastructureRolePolicyForLoadBalancers]',
      reason: 'ECS assumes this role to move traffic between the two target groups during a deployment. AmazonECSInfrastructureRolePolicyForLoadBalancers is the AWS-maintained policy the ECS documentation prescribes for it; it is not scoped to this load balancer, so a team that needs that can pass its own role as infrastructureRole.',
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
new EcsCanaryStack(app, 'EcsCanary', { env: { region: 'us-east-1' } });
Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
guardrails.Guardrails.apply(app, guardrails.GuardrailPack.recommended());
app.synth();
