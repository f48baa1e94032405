// A canary by DNS: www.example.com moves from the stable environment to the candidate in steps, with
// two weighted Route 53 records, driven by a Step Functions state machine. One `npx cdk deploy` that
// changes the candidate runs the whole plan; the state machine, started by CloudFormation's event for
// the candidate record:
//
//   sets 5% on the candidate, bakes 15 minutes   the candidate's 5xx and p99 alarms read every minute
//   sets 25%, bakes 30 minutes                   likewise
//   sets 50%, asks for an approval               on the rollout's SNS topic, with the commands to answer
//   sets 100%
//
// The weights are exact Route 53 weights (5% is 19 and 1). An alarm, a rejected approval or an
// approval timeout puts everything back on the stable environment and fails the execution naming why.
// The template declares everything on the stable record; `-c rollback=true` leaves the candidate out
// altogether. A Route 53 health check watches the candidate's load balancer; while it fails, Route 53
// answers with the stable one (failover). Each load balancer answers with a fixed page here,
// standing in for its environment's service.
import { App, Duration, Stack, StackProps, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { AwsSolutionsChecks } from 'cdk-nag';
import { Construct } from 'constructs';
import { aws, guardrails, StepGate, Strategy } from 'cdk-deploy-strategies';

export class Route53CanaryStack extends Stack {
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

    const stable = environment(this, 'Stable', vpc, accessLogs);
    const candidate = environment(this, 'Candidate', vpc, accessLogs);
    const candidateHealth = new route53.HealthCheck(this, 'CandidateHealth', {
      type: route53.HealthCheckType.HTTP,
      fqdn: candidate.loadBalancerDnsName,
      port: 80,
      resourcePath: '/',
      failureThreshold: 2,
    });

    // `-c rollback=true` arrives as a string; cdk.json could hold a boolean.
    const rollback = String(this.node.tryGetContext('rollback')) === 'true';
    const www = new aws.WeightedDnsRollout(this, 'Www', {
      zone,
      recordName: 'www',
      stable: aws.DnsTarget.loadBalancer(stable),
      candidate: rollback ? undefined : aws.DnsTarget.loadBalancer(candidate, { healthCheck: candidateHealth }),
      strategy: Strategy.canary({
        steps: [
          { weight: 5, gate: StepGate.bake(Duration.minutes(15)) },
          { weight: 25, gate: StepGate.bake(Duration.minutes(30)) },
          { weight: 50, gate: StepGate.manualApproval({ timeout: Duration.hours(8) }) },
        ],
      }),
      // One deploy runs every step; the candidate's load balancer is watched for 5xx and p99 latency.
      driver: aws.RolloutDriver.stepFunctions(),
    });
    acknowledgeDriver(www, www.stateMachineName!);
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

/** An SSL-only bucket for the load balancers' access logs, itself logged to a second bucket. */
function accessLogBucket(scope: Construct): s3.Bucket {
  const secure = { encryption: s3.BucketEncryption.S3_MANAGED, enforceSSL: true, blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL };
  const serverAccessLogs = new s3.Bucket(scope, 'ServerAccessLogs', secure);
  return new s3.Bucket(scope, 'AccessLogs', { ...secure, serverAccessLogsBucket: serverAccessLogs, serverAccessLogsPrefix: 'access-logs/' });
}

// Server access logs are granted by bucket policy rather than by the deprecated bucket ACL.
const app = new App({ context: { '@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy': true } });
// ALB access logging needs the region, to grant that region's log delivery; no account or lookup is needed.
new Route53CanaryStack(app, 'Route53Canary', { env: { region: 'us-east-1' } });
Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
guardrails.Guardrails.apply(app, guardrails.GuardrailPack.recommended());
app.synth();
