import { App, Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as fc from 'fast-check';
import { aws, FailedRequests, HealthCheck } from '../../src';
import { healthChecksArb } from '../support/arbitraries';
import { testApp, validatedTemplate } from '../support/cfn';
import { expectBuildsOrRefuses, expectCleanAssembly } from '../support/properties';
import { expectValidationError } from '../support/validation-error';

function setup() {
  const stack = new Stack(testApp(), 'Stack');
  const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 0 });
  const alb = new elbv2.ApplicationLoadBalancer(stack, 'Alb', { vpc });
  const targetGroup = new elbv2.ApplicationTargetGroup(stack, 'Blue', { vpc, port: 80, targetType: elbv2.TargetType.IP });
  alb.addListener('Http', { port: 80, defaultTargetGroups: [targetGroup] });
  return { stack, vpc, targetGroup };
}

const expressionOf = (alarm: any) => (alarm.Properties.Metrics as any[]).find(q => q.Expression).Expression;

test('defaults: an error rate above 1% and a p99 above 2 s, each for 2 one-minute windows of at least 10 requests', () => {
  const { stack, targetGroup } = setup();
  const alarms = new aws.TargetGroupAlarms(stack, 'Alarms', { targetGroup });
  const template = validatedTemplate(stack);
  const [rate, latency] = Object.values(template.findResources('AWS::CloudWatch::Alarm'));
  expect(rate.Properties).toMatchObject({
    Threshold: 1, EvaluationPeriods: 2, DatapointsToAlarm: 2, ComparisonOperator: 'GreaterThanThreshold', TreatMissingData: 'missing',
  });
  expect(expressionOf(rate)).toBe('IF(requests >= 10, 100 * errors / requests)');
  expect(latency.Properties).toMatchObject({ Threshold: 2, EvaluationPeriods: 2 });
  expect(expressionOf(latency)).toBe('IF(requests >= 10, latency)');
  expect(alarms.alarms.map(a => a.node.id)).toEqual(['error-rate', 'latency-p99']);
  expect(alarms.alarmFor('latency-p99')).toBe(alarms.alarms[1]);
  expect(alarms.alarmFor('nope')).toBeUndefined();
  expect(alarms.targetGroup).toBe(targetGroup);
});

test('the checks given, and one added later', () => {
  const { stack, targetGroup } = setup();
  const alarms = new aws.TargetGroupAlarms(stack, 'Alarms', {
    targetGroup,
    healthChecks: [HealthCheck.errorRate({
      maxErrorPercent: 5, failedRequests: FailedRequests.CLIENT_AND_SERVER_ERRORS, window: Duration.minutes(5), failingWindows: 1,
    })],
  });
  const added = alarms.addHealthCheck(HealthCheck.latency({ percentile: 50, maxLatency: Duration.millis(750), minimumRequests: 0 }));
  expect(alarms.alarms).toEqual([alarms.alarmFor('error-rate'), added]);
  const template = validatedTemplate(stack);
  template.hasResourceProperties('AWS::CloudWatch::Alarm', { Threshold: 5, EvaluationPeriods: 1 });
  template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'TargetResponseTime', ExtendedStatistic: 'p50', Threshold: 0.75, Period: 60 });
  expect(expressionOf(Object.values(template.findResources('AWS::CloudWatch::Alarm'))[0])).toBe('IF(requests >= 10, 100 * (errors + client_errors) / requests)');
});

test('no checks, no alarms', () => {
  const { stack, targetGroup } = setup();
  expect(new aws.TargetGroupAlarms(stack, 'Alarms', { targetGroup, healthChecks: [] }).alarms).toEqual([]);
  validatedTemplate(stack).resourceCountIs('AWS::CloudWatch::Alarm', 0);
});

describe('refusals', () => {
  test('a missing target group, and one attached to no listener', () => {
    const { stack, vpc } = setup();
    expectValidationError(() => new aws.TargetGroupAlarms(stack, 'Alarms', {} as any),
      'TargetGroupAlarms Stack/Alarms: targetGroup is undefined: it must be an application target group attached to a load balancer. Pass the elbv2.ApplicationTargetGroup to watch.');
    const loose = new elbv2.ApplicationTargetGroup(stack, 'Loose', { vpc, port: 80, targetType: elbv2.TargetType.IP });
    expectValidationError(() => new aws.TargetGroupAlarms(stack, 'LooseAlarms', { targetGroup: loose }),
      'TargetGroupAlarms Stack/LooseAlarms: targetGroup is "Stack/Loose": its metrics, which the health checks read, exist only once it is attached to a load balancer listener (an imported target group needs its loadBalancerArns). Forward a listener (or a listener rule) to it before measuring it.');
  });

  test('checks a target group cannot measure, windows load balancers do not publish, and names taken', () => {
    const { stack, targetGroup } = setup();
    const own = aws.CloudWatchHealthCheck.alarm(cloudwatch.Alarm.fromAlarmArn(stack, 'Own', 'arn:aws:cloudwatch:us-east-1:123456789012:alarm:own'));
    expectValidationError(() => new aws.TargetGroupAlarms(stack, 'A', { targetGroup, healthChecks: [own] }),
      'TargetGroupAlarms Stack/A: health check "own" is "alarm Stack/Own in ALARM": a target group is measured by error rates and latencies, and this check measures something of its own. '
      + 'Pass HealthCheck.errorRate() or HealthCheck.latency() checks; give a CloudWatch alarm of your own to the rollout (addAlarm()) instead.');
    expectValidationError(() => new aws.TargetGroupAlarms(stack, 'B', { targetGroup, healthChecks: [HealthCheck.errorRate({ maxErrorPercent: 1, window: Duration.seconds(10) })] }),
      'TargetGroupAlarms Stack/B: health check "error-rate" window is 10 seconds: Application Load Balancers publish metrics once a minute, so CloudWatch judges them in windows of whole minutes. Use a window of whole minutes, such as Duration.minutes(1).');
    const alarms = new aws.TargetGroupAlarms(stack, 'C', { targetGroup });
    expectValidationError(() => alarms.addHealthCheck(HealthCheck.errorRate({ maxErrorPercent: 9 })),
      'TargetGroupAlarms Stack/C: healthCheck name is "error-rate": a health check of this name already measures the target group, and a name picks one alarm. Give the check another name with its name option, such as "latency-p99-strict".');
    expectValidationError(() => alarms.addHealthCheck('error-rate' as any),
      'TargetGroupAlarms Stack/C: healthCheck is "error-rate": a health check is made with HealthCheck.errorRate() or HealthCheck.latency(). Pass a check such as HealthCheck.errorRate({ maxErrorPercent: 1 }).');
  });
});

describe('random props', () => {
  test('random health checks build valid, clean alarms or are refused with the library\'s error', () => {
    const oddWindowArb = fc.option(fc.constantFrom(30, 90, 3600, 86_400).map(s => HealthCheck.latency({
      name: 'odd', percentile: 99, maxLatency: Duration.seconds(1), window: Duration.seconds(s), failingWindows: 2,
    })), { nil: undefined });
    expectBuildsOrRefuses(fc.tuple(fc.option(healthChecksArb, { nil: undefined }), oddWindowArb), ([checks, odd]) => {
      const { stack, targetGroup } = setup();
      const given = checks === undefined ? undefined : [...checks, ...(odd ? [odd] : [])];
      const alarms = new aws.TargetGroupAlarms(stack, 'Alarms', { targetGroup, healthChecks: given });
      validatedTemplate(stack).resourceCountIs('AWS::CloudWatch::Alarm', given?.length ?? 2);
      expect(alarms.alarms).toHaveLength(given?.length ?? 2);
      expectCleanAssembly(stack.node.root as App);
    });
  });
});
