// One house strategy with two health checks, rendered by every backend that measures requests
// (issue 14's "done when"): each output carries alarms or an analysis equivalent to the
// declaration — the same bounds, windows and failing windows — on that backend's own metrics.
// The backends' own test files assert the details (metric math, quiet windows, refusals); this
// file asserts that one declaration means the same thing everywhere.
import { Duration, Stack } from 'aws-cdk-lib';
import { Match as CfnMatch, Template } from 'aws-cdk-lib/assertions';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as route53 from 'aws-cdk-lib/aws-route53';
import { Chart, Testing } from 'cdk8s';
import { aws, Experiment, HealthCheck, k8s, StepGate, Strategy } from '../src';
import { testApp, validatedTemplate } from './support/cfn';
import { albExperiment, codeDeployService, ecsService, lambdaRollout, revision } from './support/guardrails';
import { ofKind, validatedManifests } from './support/k8s';

// Roll back when more than 1% of requests fail, or p99 passes 800 ms, for 2 one-minute windows in a row.
const errorRate = HealthCheck.errorRate({ maxErrorPercent: 1 });
const latency = HealthCheck.latency({ percentile: 99, maxLatency: Duration.millis(800) });
const house = Strategy.canary({ steps: [{ weight: 10, gate: StepGate.bake(Duration.minutes(10)) }], healthChecks: [errorRate, latency] });

/** The alarms of a template, as `<threshold> <evaluation periods>×<period> <value metric's name and statistic>`. */
function alarmsOf(template: Template): string[] {
  return Object.values(template.findResources('AWS::CloudWatch::Alarm')).map(({ Properties: p }) => {
    const metrics = p.Metrics as any[];
    const value = metrics.find(m => m.ReturnData !== false);
    const stat = metrics.find(m => m.MetricStat && ['errors', 'rate', 'latency'].includes(m.Id))?.MetricStat;
    return `${p.Threshold} ${p.EvaluationPeriods}×${stat?.Period}s ${stat?.Metric.MetricName} ${stat?.Stat} (${value.Expression})`;
  }).sort();
}

/** The alarms of one error-rate check at 1% and one p99 check at 800 ms, per measured side. */
const expected = (sides: number, errors: string, latencyMetric: string, latencyBound: number, errorStat = 'Sum') => [
  ...Array(sides).fill(`1 2×60s ${errors} ${errorStat} (IF(requests >= 10, ${errorStat === 'Sum' ? '100 * errors / requests' : 'rate'}))`),
  ...Array(sides).fill(`${latencyBound} 2×60s ${latencyMetric} p99 (IF(requests >= 10, latency))`),
].sort();

describe('one house strategy, every backend that measures requests', () => {
  test('ECS native: both target groups, 5xx ÷ requests and TargetResponseTime p99 in seconds, as deployment alarms', () => {
    const { stack, service } = ecsService(house);
    const template = validatedTemplate(stack);
    expect(alarmsOf(template)).toEqual(expected(2, 'HTTPCode_Target_5XX_Count', 'TargetResponseTime', 0.8));
    expect(service.plan.steps[0].watchedBy).toEqual(['error-rate', 'latency-p99']);
    template.hasResourceProperties('AWS::ECS::Service', {
      DeploymentConfiguration: CfnMatch.objectLike({ Alarms: CfnMatch.objectLike({ Enable: true, Rollback: true }) }),
    });
  });

  test('CodeDeploy: the same alarms on both target groups, in the deployment group', () => {
    const { stack } = codeDeployService(house, ['10.0.0.0/8']);
    const template = validatedTemplate(stack);
    expect(alarmsOf(template)).toEqual(expected(2, 'HTTPCode_Target_5XX_Count', 'TargetResponseTime', 0.8));
    const [group] = Object.values(template.findResources('AWS::CodeDeploy::DeploymentGroup'));
    expect(group.Properties.AlarmConfiguration.Enabled).toBe(true);
    expect(group.Properties.AlarmConfiguration.Alarms).toHaveLength(4);
  });

  test('Lambda: the alias, Errors ÷ Invocations and Duration p99 in milliseconds', () => {
    const { stack, rollout } = lambdaRollout(house);
    expect(alarmsOf(validatedTemplate(stack))).toEqual(expected(1, 'Errors', 'Duration', 800));
    expect(rollout.plan.healthChecks.map(c => c.name)).toEqual(['error-rate', 'latency-p99']);
  });

  test('an ALB A/B experiment: each variant and the control', () => {
    const experiment = new Experiment({ name: 'checkout', variants: [{ name: 'b', weight: 10 }], endDate: new Date('2027-06-30T00:00:00Z'), healthChecks: [errorRate, latency] });
    const base = albExperiment([{ name: 'b', weight: 10 }]);
    const group = (id: string) => new elbv2.ApplicationTargetGroup(base.stack, id, { vpc: base.vpc, port: 80, targetType: elbv2.TargetType.IP });
    const listener = base.alb.addListener('Shop', { port: 8080, open: false, defaultAction: elbv2.ListenerAction.fixedResponse(404) });
    new aws.AlbExperiment(base.stack, 'Measured', {
      listener, experiment, targetGroups: { control: group('MeasuredControl'), b: group('MeasuredB') }, at: new Date('2027-01-01T00:00:00Z'),
    });
    // The helper's own experiment declares no check: only the measured one has alarms.
    expect(alarmsOf(validatedTemplate(base.stack))).toEqual(expected(2, 'HTTPCode_Target_5XX_Count', 'TargetResponseTime', 0.8));
  });

  test('Route 53, driven: the candidate load balancer\'s 5xx (its own and its targets\') ÷ requests and TargetResponseTime p99', () => {
    const stack = new Stack(testApp(), 'Stack');
    const zone = new route53.PublicHostedZone(stack, 'Zone', { zoneName: 'example.com' });
    const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 0, subnetConfiguration: [{ name: 'public', subnetType: ec2.SubnetType.PUBLIC }] });
    const alb = (id: string) => {
      const lb = new elbv2.ApplicationLoadBalancer(stack, id, { vpc, internetFacing: true });
      lb.addListener('Http', { port: 80, open: false, defaultAction: elbv2.ListenerAction.fixedResponse(200) });
      return lb;
    };
    new aws.WeightedDnsRollout(stack, 'Www', {
      zone,
      recordName: 'www',
      strategy: house,
      driver: aws.RolloutDriver.stepFunctions(),
      stable: aws.DnsTarget.loadBalancer(alb('Blue')),
      candidate: aws.DnsTarget.loadBalancer(alb('Green')),
    });
    // Measured on the load balancer, the rate counts the 5xx it answers itself (HTTPCode_ELB_5XX_Count) too.
    expect(alarmsOf(validatedTemplate(stack))).toEqual([
      '1 2×60s HTTPCode_Target_5XX_Count Sum (IF(requests + elb_errors >= 10, 100 * (errors + elb_errors) / (requests + elb_errors)))',
      '0.8 2×60s TargetResponseTime p99 (IF(requests >= 10, latency))',
    ].sort());
  });

  test('CloudFront, driven: the staging distribution\'s 5xxErrorRate and OriginLatency p99 in milliseconds', () => {
    const stack = new Stack(testApp(), 'Stack', { env: { region: 'us-east-1' } });
    const primary = new cloudfront.Distribution(stack, 'Site', { defaultBehavior: { origin: new origins.HttpOrigin('control.example.com') } });
    new aws.CloudFrontContinuousDeployment(stack, 'Deployment', {
      primary,
      stagingDistributionProps: { defaultBehavior: { origin: new origins.HttpOrigin('candidate.example.com') } },
      strategy: house,
      driver: aws.RolloutDriver.stepFunctions(),
      additionalMetrics: true,
    });
    expect(alarmsOf(validatedTemplate(stack))).toEqual(expected(1, '5xxErrorRate', 'OriginLatency', 800, 'Average'));
  });

  test('Argo Rollouts: a background analysis, one metric per check, the same bounds, windows and failing windows', () => {
    const chart = new Chart(Testing.app(), 'shop', { namespace: 'shop' });
    new k8s.ArgoRollout(chart, 'web', {
      strategy: house,
      revision: revision('web', '1.4.2'),
      replicas: 10,
      metricsSource: k8s.MetricsSource.prometheus({ address: 'http://prometheus.monitoring:9090', dialect: k8s.PrometheusDialect.istio() }),
    });
    const objects = validatedManifests(chart);
    const [template] = ofKind(objects, 'AnalysisTemplate');
    expect(template.spec.metrics.map((m: any) => [m.name, m.interval, m.failureLimit, m.failureCondition])).toEqual([
      ['error-rate', '1m', 1, 'len(result) > 0 && result[0] > 1'],
      ['latency-p99', '1m', 1, 'len(result) > 0 && result[0] > 800'],
    ]);
    const [rollout] = ofKind(objects, 'Rollout');
    expect(rollout.spec.strategy.canary.analysis.templates).toEqual([{ templateName: template.metadata.name }]);
  });
});
