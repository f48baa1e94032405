// A canary between two environments behind one listener rule: two Fargate services, blue and
// green, each registered in its own target group; the rule forwards to both by weight. The release
// runs on green: one `npx cdk deploy` that names green the candidate starts a Step Functions state
// machine (through CloudFormation's event for the rule), which forwards 10% to green for 10
// minutes, then 50% for 10 minutes, then everything. Green's target group is watched for 5xx above
// 1% and p99 latency above 2 seconds, read every minute; an alarm forwards everything to blue again
// and fails the execution naming the alarm.
//
// To promote, make green `stable` and leave `candidate` out, and deploy; the next release deploys
// the new image on blue and names it the candidate. The template always declares everything on the
// stable target group, so a deploy that rewrites the rule mid-rollout sends traffic to blue, never
// somewhere undeclared, and the state machine stops when it finds the weights moved.
import { App, Duration, RemovalPolicy, Stack, StackProps, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { AwsSolutionsChecks } from 'cdk-nag';
import { Construct } from 'constructs';
import { aws, guardrails, StepGate, Strategy } from 'cdk-deploy-strategies';

export class AlbWeightedRolloutStack extends Stack {
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

    // Each environment: a service running its version, in a target group of its own.
    const blue = environment(this, 'Blue', cluster, 'public.ecr.aws/nginx/nginx:1.26');
    const green = environment(this, 'Green', cluster, 'public.ecr.aws/nginx/nginx:1.27');

    const web = new aws.AlbWeightedRollout(this, 'Web', {
      listener,
      priority: 10,
      stable: blue,
      candidate: green,
      strategy: Strategy.canary({
        steps: [
          { weight: 10, gate: StepGate.bake(Duration.minutes(10)) },
          { weight: 50, gate: StepGate.bake(Duration.minutes(10)) },
        ],
      }),
      // The default driver, spelled out: one deploy runs every step.
      driver: aws.RolloutDriver.stepFunctions(),
    });
    acknowledgeDriver(web, web.stateMachineName!);
  }
}

/** A Fargate service of two tasks running `image`, registered in a target group of its own. */
function environment(scope: Construct, name: string, cluster: ecs.ICluster, image: string): elbv2.ApplicationTargetGroup {
  const taskDefinition = new ecs.FargateTaskDefinition(scope, `${name}Task`, { cpu: 256, memoryLimitMiB: 512 });
  taskDefinition.addContainer('web', {
    image: ecs.ContainerImage.fromRegistry(image),
    portMappings: [{ containerPort: 80 }],
    logging: ecs.LogDrivers.awsLogs({
      streamPrefix: name.toLowerCase(),
      logGroup: new logs.LogGroup(scope, `${name}Logs`, { retention: logs.RetentionDays.ONE_MONTH, removalPolicy: RemovalPolicy.DESTROY }),
    }),
  });
  // A rolling update of one environment keeps every task serving until its replacement is healthy.
  const service = new ecs.FargateService(scope, `${name}Service`, {
    cluster, taskDefinition, desiredCount: 2, minHealthyPercent: 100, circuitBreaker: { rollback: true },
  });
  const group = new elbv2.ApplicationTargetGroup(scope, `${name}Targets`, {
    vpc: cluster.vpc,
    port: 80,
    protocol: elbv2.ApplicationProtocol.HTTP,
    targetType: elbv2.TargetType.IP,
    healthCheck: { path: '/' },
  });
  group.addTarget(service);
  return group;
}

/** The wildcards the driver's role needs by design, each with its reason (cdk-nag AwsSolutions-IAM5). */
function acknowledgeDriver(rollout: Construct, stateMachineName: string) {
  const reasons: Record<string, string> = {
    '*': 'Step Functions delivers execution logs through CloudWatch Logs log deliveries and sends X-Ray traces, and the driver reads its listener rule with DescribeRules; those actions support no resource-level permissions. The driver reads its alarms with cloudwatch:DescribeAlarms, which returns composite alarms only when scoped to * (it names the alarms it reads).',
    [`arn:<AWS::Partition>:states:us-east-1:<AWS::AccountId>:execution:${stateMachineName}:*`]: 'A new execution stops the older executions of its own state machine, whose names are generated when they start: the newest deploy drives the rollout.',
  };
  for (const [resource, reason] of Object.entries(reasons)) {
    Validations.of(rollout).acknowledge({ id: `AwsSolutions::AwsSolutions-IAM5[Resource::${resource}]`, reason });
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
new AlbWeightedRolloutStack(app, 'AlbWeightedRollout', { env: { region: 'us-east-1' } });
Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
guardrails.Guardrails.apply(app, guardrails.GuardrailPack.recommended());
app.synth();
