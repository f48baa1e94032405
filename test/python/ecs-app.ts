// The app of test/python/ecs_app.py, written in TypeScript: test/python.test.ts checks that the Python app, run on
// the wheel, synthesizes the same templates as this one, resource for resource.
import { App, Duration, Stack, StackProps } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as route53 from 'aws-cdk-lib/aws-route53';
import { Construct } from 'constructs';
import { aws, guardrails, HealthCheck, Match, StepGate, Strategy } from 'cdk-deploy-strategies';

export class EcsBlueGreenStack extends Stack {
  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);

    const vpc = new ec2.Vpc(this, 'Vpc', { maxAzs: 2, natGateways: 1 });
    const cluster = new ecs.Cluster(this, 'Cluster', { vpc });
    const taskDefinition = new ecs.FargateTaskDefinition(this, 'Task', { cpu: 256, memoryLimitMiB: 512 });
    taskDefinition.addContainer('web', {
      image: ecs.ContainerImage.fromRegistry('public.ecr.aws/nginx/nginx:stable'),
      portMappings: [{ containerPort: 80 }],
    });

    const alb = new elbv2.ApplicationLoadBalancer(this, 'Alb', { vpc, internetFacing: false });
    const listener = alb.addListener('Http', {
      port: 80,
      open: false,
      defaultAction: elbv2.ListenerAction.fixedResponse(404, { contentType: 'text/plain', messageBody: 'not found' }),
    });

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
          HealthCheck.latency({ percentile: 99, maxLatency: Duration.seconds(1) }),
        ],
      }),
    });
    web.addAlarm(new cloudwatch.Alarm(this, 'ClientErrors', {
      metric: web.blueTargetGroup.metrics.httpCodeTarget(elbv2.HttpCodeTarget.TARGET_4XX_COUNT),
      threshold: 50,
      evaluationPeriods: 2,
    }));
  }
}

export class Route53CanaryStack extends Stack {
  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);

    const zone = new route53.PublicHostedZone(this, 'Zone', { zoneName: 'example.com' });
    const candidateHealth = new route53.HealthCheck(this, 'CandidateHealth', {
      type: route53.HealthCheckType.HTTP,
      ipAddress: '192.0.2.20',
      port: 80,
      resourcePath: '/',
    });
    const www = new aws.WeightedDnsRollout(this, 'Www', {
      zone,
      recordName: 'www',
      stable: aws.DnsTarget.ipAddress('192.0.2.10'),
      candidate: aws.DnsTarget.ipAddress('192.0.2.20', { healthCheck: candidateHealth }),
      strategy: Strategy.canary({
        steps: [
          { weight: 5, gate: StepGate.bake(Duration.minutes(15)) },
          { weight: 25, gate: StepGate.bake(Duration.minutes(30)) },
          { weight: 50, gate: StepGate.manualApproval() },
        ],
      }),
      step: 2,
    });
    guardrails.Guardrails.suppress(www, 'CDS-R1', 'Route 53 cannot roll back by itself: the pipeline deploys the previous step.');
    guardrails.Guardrails.suppress(www, 'CDS-R8', 'Nothing measures a pipeline-driven Route 53 canary: the pipeline checks each step itself.');
  }
}

/** The app, writing its cloud assembly to `outdir` when synthesized. */
export function ecsApp(outdir: string): App {
  const app = new App({
    outdir,
    context: { '@aws-cdk/core:validateAgainstDefaultRules': true },
    analyticsReporting: false,
  });
  new EcsBlueGreenStack(app, 'EcsBlueGreen');
  new Route53CanaryStack(app, 'Route53Canary');
  guardrails.Guardrails.apply(app, guardrails.GuardrailPack.recommended());
  return app;
}
