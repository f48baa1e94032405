// An A/B test of a new checkout on an Application Load Balancer that the app already has: staff who
// send the header `x-beta: true` see the beta checkout, 10% of everyone else see the one-click
// checkout and keep it for a day (the ALB's target group stickiness), and the rest the current
// checkout (the control). Each version has its own IP target group, ready for the services that
// will register in it. The experiment adds two listener rules, from priority 100; after its end
// date, or with `enabled: false`, the next deploy sends everyone to the control. Each version is
// measured apart by the experiment's health checks (an error-rate and a p99 latency alarm on its
// target group), and one CloudWatch dashboard shows the requests, error rate and latency of the
// three side by side.
//
// The allocations rendered are those of the moment of synthesis; set AT (an ISO date) to render
// those of another moment: `AT=2028-01-01T00:00:00Z npx cdk synth` shows the experiment ended.
import { App, Duration, Stack, StackProps, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { AwsSolutionsChecks } from 'cdk-nag';
import { Construct } from 'constructs';
import { aws, guardrails, Experiment, HealthCheck, Match } from 'cdk-deploy-strategies';

export class AlbAbTestStack extends Stack {
  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);

    // A VPC without internet access: the load balancer serves the VPC only. Flow logs record its traffic.
    const cidr = '10.0.0.0/16';
    const vpc = new ec2.Vpc(this, 'Vpc', {
      ipAddresses: ec2.IpAddresses.cidr(cidr),
      maxAzs: 2,
      natGateways: 0,
      subnetConfiguration: [{ name: 'Private', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }],
    });
    vpc.addFlowLog('FlowLogs');

    // An internal load balancer, reachable from inside the VPC only, logging its requests.
    const alb = new elbv2.ApplicationLoadBalancer(this, 'Alb', { vpc, internetFacing: false, dropInvalidHeaderFields: true });
    alb.logAccessLogs(accessLogBucket(this), 'alb');
    const listener = alb.addListener('Http', {
      port: 80,
      open: false,
      defaultAction: elbv2.ListenerAction.fixedResponse(404, { contentType: 'text/plain', messageBody: 'not found' }),
    });
    alb.connections.allowFrom(ec2.Peer.ipv4(cidr), ec2.Port.tcp(80), 'HTTP from inside the VPC');

    // One target group per version; the services (ECS tasks, or any IP in the VPC) register in them.
    const version = (name: string) => new elbv2.ApplicationTargetGroup(this, name, {
      vpc,
      port: 80,
      targetType: elbv2.TargetType.IP,
      healthCheck: { path: '/health' },
    });

    new aws.AlbExperiment(this, 'Checkout', {
      listener,
      experiment: new Experiment({
        name: 'new-checkout',
        variants: [
          { name: 'beta', match: Match.header('x-beta', 'true') },
          { name: 'one-click', weight: 10 },
        ],
        stickiness: Duration.days(1),
        endDate: new Date('2027-12-31T00:00:00Z'),
        healthChecks: [
          HealthCheck.errorRate({ maxErrorPercent: 1 }),
          HealthCheck.latency({ percentile: 99, maxLatency: Duration.millis(800) }),
        ],
      }),
      targetGroups: {
        'control': version('Current'),
        'beta': version('Beta'),
        'one-click': version('OneClick'),
      },
      at: process.env.AT ? new Date(process.env.AT) : undefined,
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
new AlbAbTestStack(app, 'AlbAbTest', { env: { region: 'us-east-1' } });
Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
guardrails.Guardrails.apply(app, guardrails.GuardrailPack.recommended({ at: process.env.AT ? new Date(process.env.AT) : undefined }));
app.synth();
