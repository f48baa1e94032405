import { App, Duration, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as fc from 'fast-check';
import { aws } from '../../src';
import { testApp, validatedTemplate } from '../support/cfn';
import { expectBuildsOrRefuses, expectCleanAssembly } from '../support/properties';
import { expectValidationError } from '../support/validation-error';

function setup() {
  const stack = new Stack(testApp(), 'Stack');
  const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 0 });
  const alb = new elbv2.ApplicationLoadBalancer(stack, 'Alb', { vpc });
  const targetGroup = new elbv2.ApplicationTargetGroup(stack, 'Blue', { vpc, port: 80, targetType: elbv2.TargetType.IP });
  alb.addListener('Http', { port: 80, defaultTargetGroups: [targetGroup] });
  return { stack, targetGroup };
}

test('defaults: 5 or more 5xx, or a p99 of 2 s or more, for 2 one-minute periods', () => {
  const { stack, targetGroup } = setup();
  const alarms = new aws.TargetGroupAlarms(stack, 'Alarms', { targetGroup });
  const template = validatedTemplate(stack);
  template.hasResourceProperties('AWS::CloudWatch::Alarm', {
    MetricName: 'HTTPCode_Target_5XX_Count',
    Statistic: 'Sum',
    Period: 60,
    Threshold: 5,
    EvaluationPeriods: 2,
    ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    TreatMissingData: 'notBreaching',
  });
  template.hasResourceProperties('AWS::CloudWatch::Alarm', {
    MetricName: 'TargetResponseTime', ExtendedStatistic: 'p99', Period: 60, Threshold: 2, EvaluationPeriods: 2,
  });
  expect(alarms.alarms).toEqual([alarms.http5xxAlarm, alarms.latencyAlarm]);
});

test('thresholds, period and evaluation periods can be set', () => {
  const { stack, targetGroup } = setup();
  new aws.TargetGroupAlarms(stack, 'Alarms', {
    targetGroup, http5xxCount: 1, p99Latency: Duration.millis(750), period: Duration.minutes(5), evaluationPeriods: 1,
  });
  const template = validatedTemplate(stack);
  template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'HTTPCode_Target_5XX_Count', Threshold: 1, Period: 300, EvaluationPeriods: 1 });
  template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'TargetResponseTime', Threshold: 0.75 });
});

test.each([
  [{ http5xxCount: 0 }, 'TargetGroupAlarms Stack/Alarms: http5xxCount is 0: it is a count of responses, a whole number of at least 1. Use 1 to roll back on the first 5xx, or a higher count.'],
  [{ p99Latency: Duration.seconds(0) }, 'TargetGroupAlarms Stack/Alarms: p99Latency is 0 seconds: a latency threshold is above zero. Pass a Duration such as Duration.seconds(2).'],
  [{ period: Duration.seconds(30) }, 'TargetGroupAlarms Stack/Alarms: period is 30 seconds: it must be at least 60 seconds. Load balancer metrics are published every minute; use at least Duration.minutes(1).'],
  [{ period: Duration.seconds(90) }, 'TargetGroupAlarms Stack/Alarms: period is 1 minute 30 seconds: CloudWatch alarms on load balancer metrics take a multiple of 60 seconds. Use whole minutes.'],
  [{ evaluationPeriods: 0 }, 'TargetGroupAlarms Stack/Alarms: evaluationPeriods is 0: it is a whole number of periods, at least 1. Use 1 to fire on the first breaching period.'],
])('refuses %p', (options, message) => {
  const { stack, targetGroup } = setup();
  expectValidationError(() => new aws.TargetGroupAlarms(stack, 'Alarms', { targetGroup, ...options }), message);
});

test('a missing target group is refused', () => {
  const { stack } = setup();
  expectValidationError(() => new aws.TargetGroupAlarms(stack, 'Alarms', {} as any),
    'TargetGroupAlarms Stack/Alarms: targetGroup is undefined: it must be an application target group attached to a load balancer. Pass the elbv2.ApplicationTargetGroup to watch.');
});

describe('random props', () => {
  // Mostly values a user would write, with some they could get wrong, so both outcomes are explored.
  const periodArb = fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(10, 30, 60, 300, 3600).map(s => Duration.seconds(s)) },
    { weight: 1, arbitrary: fc.integer({ min: 0, max: 90_000 }).map(s => Duration.seconds(s)) },
  );
  const latencyArb = fc.integer({ min: 0, max: 10_000 }).map(ms => Duration.millis(ms));
  const countArb = fc.oneof(
    { weight: 4, arbitrary: fc.integer({ min: 1, max: 1000 }) },
    { weight: 1, arbitrary: fc.oneof(fc.integer({ min: -2, max: 0 }), fc.double()) },
  );
  const optionsArb = fc.record({
    http5xxCount: fc.option(countArb, { nil: undefined }),
    p99Latency: fc.option(latencyArb, { nil: undefined }),
    period: fc.option(periodArb, { nil: undefined }),
    evaluationPeriods: fc.option(countArb, { nil: undefined }),
  });

  test('either synthesize valid, clean alarms or refuse with the library error', () => {
    expectBuildsOrRefuses(optionsArb, options => {
      const { stack, targetGroup } = setup();
      new aws.TargetGroupAlarms(stack, 'Alarms', { targetGroup, ...options });
      validatedTemplate(stack).resourceCountIs('AWS::CloudWatch::Alarm', 2);
      expectCleanAssembly(stack.node.root as App);
    });
  });
});
