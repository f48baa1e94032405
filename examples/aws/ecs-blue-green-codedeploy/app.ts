// An ECS Fargate service released blue-green by CodeDeploy. During a deployment the new task set is
// reachable on the test listener (port 9000, open to 10.0.0.0/8 only) for up to an hour of checks;
// an approval (the ContinueDeployment API) then switches all production traffic at once, and the old
// task set keeps running for 5 minutes, so a rollback is one switch back. No approval within the
// hour stops the deployment and rolls it back, and so does a failing health check (more than 1% of
// 5xx, or a p99 latency above 800 ms, for 2 one-minute windows of at least 10 requests, on either
// target group).
//
// `cdk deploy` creates all of this; deployments of new task definition revisions are then started
// through CodeDeploy (a CodePipeline CodeDeployEcsDeployAction with an AppSpec, or
// `aws deploy create-deployment`), not by CloudFormation.
import { Annotations, App, Duration, Stack, StackProps, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { AwsSolutionsChecks } from 'cdk-nag';
import { Construct } from 'constructs';
import { aws, guardrails, HealthCheck, StepGate, Strategy } from 'cdk-deploy-strategies';

/** Who may reach the new task set through the test listener before the switch. */
const TESTERS = ec2.Peer.ipv4('10.0.0.0/8');
const TEST_PORT = 9000;

export class EcsBlueGreenCodeDeployStack extends Stack {
  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);

    const vpc = new ec2.Vpc(this, 'Vpc', {
      maxAzs: 2,
      natGateways: 1,
      flowLogs: { All: { trafficType: ec2.FlowLogTrafficType.ALL } },
    });
    const cluster = new ecs.Cluster(this, 'Cluster', { vpc, containerInsightsV2: ecs.ContainerInsights.ENABLED });

    const taskDefinition = new ecs.FargateTaskDefinition(this, 'Task', { cpu: 256, memoryLimitMiB: 512 });
    taskDefinition.addContainer('web', {
      image: ecs.ContainerImage.fromRegistry('public.ecr.aws/nginx/nginx:stable'),
      portMappings: [{ containerPort: 80 }],
      logging: ecs.LogDrivers.awsLogs({ streamPrefix: 'web' }),
    });

    // Load balancer access logs, in a bucket that only takes TLS and logs its own access elsewhere.
    const serverAccessLogs = new s3.Bucket(this, 'ServerAccessLogs', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    });
    const albLogs = new s3.Bucket(this, 'AlbLogs', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      serverAccessLogsBucket: serverAccessLogs,
      serverAccessLogsPrefix: 'alb-logs/',
    });

    const alb = new elbv2.ApplicationLoadBalancer(this, 'Alb', { vpc, internetFacing: true, dropInvalidHeaderFields: true });
    alb.logAccessLogs(albLogs, 'alb');
    const targetGroup = (name: string) => new elbv2.ApplicationTargetGroup(this, name, {
      vpc,
      port: 80,
      protocol: elbv2.ApplicationProtocol.HTTP,
      targetType: elbv2.TargetType.IP,
      healthCheck: { path: '/', healthyThresholdCount: 2, interval: Duration.seconds(10) },
      deregistrationDelay: Duration.seconds(30),
    });
    const blue = targetGroup('Blue');
    const green = targetGroup('Green');

    // Production traffic: the public web site.
    const listener = alb.addListener('Production', { port: 80, defaultTargetGroups: [blue] });
    // Test traffic: closed to the internet (open: false); only the testers' network may connect.
    const testListener = alb.addListener('Test', {
      port: TEST_PORT,
      protocol: elbv2.ApplicationProtocol.HTTP,
      open: false,
      defaultTargetGroups: [green],
    });
    alb.connections.allowFrom(TESTERS, ec2.Port.tcp(TEST_PORT), 'Testers reach the new task set before the switch');

    const service = new ecs.FargateService(this, 'Service', {
      cluster,
      taskDefinition,
      desiredCount: 2,
      deploymentController: { type: ecs.DeploymentControllerType.CODE_DEPLOY },
    });
    service.attachToApplicationTargetGroup(blue);
    Annotations.of(service).acknowledgeWarning('@aws-cdk/aws-ecs:minHealthyPercent',
      'With the CODE_DEPLOY controller on Fargate, ECS does not use minHealthyPercent: CodeDeploy starts a full new task set beside the old one.');

    const rollout = new aws.EcsCodeDeployRollout(this, 'Rollout', {
      service,
      blueTargetGroup: blue,
      greenTargetGroup: green,
      listener,
      testListener,
      strategy: Strategy.blueGreen({
        promotion: StepGate.manualApproval({ timeout: Duration.hours(1) }),
        healthChecks: [
          HealthCheck.errorRate({ maxErrorPercent: 1 }),
          HealthCheck.latency({ percentile: 99, maxLatency: Duration.millis(800) }),
        ],
      }),
    });

    Validations.of(alb).acknowledge({
      id: 'AwsSolutions::AwsSolutions-EC23',
      reason: 'The production listener serves a public web site on port 80 to everyone; the test port admits only 10.0.0.0/8.',
    });
    Validations.of(rollout.deploymentGroup).acknowledge({
      id: 'AwsSolutions::AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/AWSCodeDeployRoleForECS]',
      reason: 'AWSCodeDeployRoleForECS is the AWS-maintained policy CodeDeploy needs to create task sets and move listeners during ECS blue/green deployments.',
    });
  }
}

const app = new App();
// Load balancer access logging needs a concrete region (its log delivery principal differs by
// region); no account is needed, so synthesis makes no lookups. Deploy in your own region.
new EcsBlueGreenCodeDeployStack(app, 'EcsBlueGreenCodeDeploy', { env: { region: 'us-east-1' } });
Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
guardrails.Guardrails.apply(app, guardrails.GuardrailPack.recommended());
app.synth();
