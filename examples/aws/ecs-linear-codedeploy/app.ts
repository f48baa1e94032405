// An internal web service on Fargate, created whole by EcsRolloutService and released by CodeDeploy
// instead of native ECS deployments: a team whose pipelines already drive CodeDeploy keeps doing so.
// A deployment starts the new task set at full size, points the test listener (port 9000, reachable
// from the VPC's own range only) at it, then moves production traffic 10% every 3 minutes
// (CodeDeploy's predefined ECSLinear10PercentEvery3Minutes). The strategy declares no health check, so
// the service is measured by the defaults of a load-balanced rollout, on either target group: more
// than 1% of 5xx, or a p99 latency above 2 s, for 2 one-minute windows of at least 10 requests, roll
// it back.
//
// `cdk deploy` creates all of this; deployments of new task definition revisions are then started
// through CodeDeploy (a CodePipeline CodeDeployEcsDeployAction on web.codeDeployRollout.deploymentGroup,
// or `aws deploy create-deployment` with an AppSpec), not by CloudFormation: the service refers to
// the task definition by its family, so a `cdk deploy` with a new image registers a new revision and
// leaves the running tasks alone until CodeDeploy deploys it. Other changes to the service itself
// (network configuration, load balancers) cannot be applied to a CODE_DEPLOY service in place.
import { App, RemovalPolicy, Stack, StackProps, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { AwsSolutionsChecks } from 'cdk-nag';
import { Construct } from 'constructs';
import { aws, guardrails, Strategy } from 'cdk-deploy-strategies';

export class EcsLinearCodeDeployStack extends Stack {
  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);

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

    // An internal load balancer. CodeDeploy moves a listener's default action, so this listener
    // serves the web service alone and is created without one: the construct sets it.
    const alb = new elbv2.ApplicationLoadBalancer(this, 'Alb', { vpc, internetFacing: false, dropInvalidHeaderFields: true });
    alb.logAccessLogs(accessLogBucket(this), 'alb');
    const listener = alb.addListener('Http', { port: 80, open: false });
    alb.connections.allowFrom(ec2.Peer.ipv4(cidr), ec2.Port.tcp(80), 'HTTP from inside the VPC');

    const web = new aws.EcsRolloutService(this, 'Web', {
      cluster,
      taskDefinition,
      listener,
      desiredCount: 2,
      strategy: Strategy.LINEAR_10PERCENT_EVERY_3MINUTES,
      controller: aws.EcsController.codeDeploy({ testPort: 9000 }),
      // The test listener admits only the VPC's range (the default would admit every private range).
      testRouteSources: [cidr],
    });

    Validations.of(web.codeDeployRollout!.deploymentGroup).acknowledge({
      id: 'AwsSolutions::AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/AWSCodeDeployRoleForECS]',
      reason: 'AWSCodeDeployRoleForECS is the AWS-maintained policy CodeDeploy needs to create task sets and move listeners during ECS blue/green deployments.',
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
new EcsLinearCodeDeployStack(app, 'EcsLinearCodeDeploy', { env: { region: 'us-east-1' } });
Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
guardrails.Guardrails.apply(app, guardrails.GuardrailPack.recommended());
app.synth();
