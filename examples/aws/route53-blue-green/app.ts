// Blue-green by DNS: www.example.com is two weighted Route 53 records, one per environment, each
// environment behind its own internet-facing load balancer, driven by a Step Functions state machine.
// One `npx cdk deploy` that changes the candidate starts it: every answer stays on blue while green is
// tested at its load balancer's own address (the GreenTestAddress output), and the state machine asks
// for approval on its SNS topic (subscribe to the topic to hear it). Once approved, it switches
// everything to green and watches green's 5xx and p99 alarms for 30 minutes, while blue keeps
// running: an alarm switches everything back to blue.
//
// A Route 53 health check watches each load balancer, and while one fails Route 53 answers with the
// other (failover). To promote, make green `stable` and leave the candidate out, and deploy; the next
// release deploys the new version on blue and names it `candidate`. Each load balancer answers with
// a fixed page here, standing in for its environment's service.
import { App, CfnOutput, Duration, Stack, StackProps, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { AwsSolutionsChecks } from 'cdk-nag';
import { Construct } from 'constructs';
import { aws, guardrails, StepGate, Strategy } from 'cdk-deploy-strategies';

export class Route53BlueGreenStack extends Stack {
  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);

    // The zone of the public name; delegate example.com to its name servers to serve it.
    const zone = new route53.PublicHostedZone(this, 'Zone', { zoneName: 'example.com' });

    // Public subnets only: the load balancers face the internet. Flow logs record the VPC's traffic.
    const vpc = new ec2.Vpc(this, 'Vpc', {
      maxAzs: 2,
      natGateways: 0,
      subnetConfiguration: [{ name: 'Public', subnetType: ec2.SubnetType.PUBLIC }],
    });
    vpc.addFlowLog('FlowLogs');
    const accessLogs = accessLogBucket(this);

    const blue = environment(this, 'Blue', vpc, accessLogs);
    const green = environment(this, 'Green', vpc, accessLogs);

    const www = new aws.WeightedDnsRollout(this, 'Www', {
      zone,
      recordName: 'www',
      stable: aws.DnsTarget.loadBalancer(blue, { healthCheck: healthCheck(this, 'BlueHealth', blue) }),
      candidate: aws.DnsTarget.loadBalancer(green, { healthCheck: healthCheck(this, 'GreenHealth', green) }),
      // Step 1: all on blue until the approval; step 2: all on green, blue kept for 30 minutes.
      strategy: Strategy.blueGreen({ promotion: StepGate.manualApproval({ timeout: Duration.days(1) }), bakeTime: Duration.minutes(30) }),
      driver: aws.RolloutDriver.stepFunctions(),
    });
    acknowledgeDriver(www, www.stateMachineName!);

    new CfnOutput(this, 'GreenTestAddress', {
      description: 'Test green here before approving the switch: http://<this name>/',
      value: green.loadBalancerDnsName,
    });
  }
}

/** The wildcards the driver's role needs by design, each with its reason (cdk-nag AwsSolutions-IAM5). */
function acknowledgeDriver(rollout: Construct, stateMachineName: string) {
  const reasons: Record<string, string> = {
    '*': 'Step Functions delivers execution logs through CloudWatch Logs log deliveries and sends X-Ray traces; those actions (logs:CreateLogDelivery and the others aws-cdk-lib grants, xray:PutTraceSegments...) support no resource-level permissions. The driver reads its alarms with cloudwatch:DescribeAlarms, which returns composite alarms only when scoped to * (it names the alarms it reads).',
    [`arn:<AWS::Partition>:states:us-east-1:<AWS::AccountId>:execution:${stateMachineName}:*`]: 'A new execution stops the older executions of its own state machine, whose names are generated when they start: the newest deploy drives the rollout.',
    'arn:<AWS::Partition>:route53:::change/*': 'The driver waits for its own Route 53 change to be INSYNC; a change\'s id is known only once the change is made.',
  };
  for (const [resource, reason] of Object.entries(reasons)) {
    Validations.of(rollout).acknowledge({ id: `AwsSolutions::AwsSolutions-IAM5[Resource::${resource}]`, reason });
  }
}

/** One environment: an internet-facing load balancer answering on port 80, logging its requests. */
function environment(scope: Construct, name: string, vpc: ec2.IVpc, accessLogs: s3.IBucket): elbv2.ApplicationLoadBalancer {
  const alb = new elbv2.ApplicationLoadBalancer(scope, name, { vpc, internetFacing: true, dropInvalidHeaderFields: true });
  alb.logAccessLogs(accessLogs, name.toLowerCase());
  alb.addListener('Http', {
    port: 80,
    defaultAction: elbv2.ListenerAction.fixedResponse(200, { contentType: 'text/plain', messageBody: `${name.toLowerCase()}\n` }),
  });
  Validations.of(alb).acknowledge({
    id: 'AwsSolutions::AwsSolutions-EC23',
    reason: 'The load balancer serves a public web site: its listener on port 80 is open to everyone on purpose.',
  });
  return alb;
}

/** A Route 53 health check of a load balancer's page, every 30 seconds from several regions. */
function healthCheck(scope: Construct, id: string, alb: elbv2.ILoadBalancerV2): route53.HealthCheck {
  return new route53.HealthCheck(scope, id, {
    type: route53.HealthCheckType.HTTP,
    fqdn: alb.loadBalancerDnsName,
    port: 80,
    resourcePath: '/',
  });
}

/** An SSL-only bucket for the load balancers' access logs, itself logged to a second bucket. */
function accessLogBucket(scope: Construct): s3.Bucket {
  const secure = { encryption: s3.BucketEncryption.S3_MANAGED, enforceSSL: true, blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL };
  const serverAccessLogs = new s3.Bucket(scope, 'ServerAccessLogs', secure);
  return new s3.Bucket(scope, 'AccessLogs', { ...secure, serverAccessLogsBucket: serverAccessLogs, serverAccessLogsPrefix: 'access-logs/' });
}

// Server access logs are granted by bucket policy rather than by the deprecated bucket ACL.
const app = new App({ context: { '@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy': true } });
// ALB access logging needs the region, to grant that region's log delivery; no account or lookup is needed.
new Route53BlueGreenStack(app, 'Route53BlueGreen', { env: { region: 'us-east-1' } });
Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
guardrails.Guardrails.apply(app, guardrails.GuardrailPack.recommended());
app.synth();
