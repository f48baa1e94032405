import { Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as fc from 'fast-check';
import { aws, HealthCheckKind, Strategy } from '../../src';
import { HealthCheckAlarms } from '../../src/aws/private/health-check-alarms';
import { oddValueArb } from '../support/arbitraries';
import { testApp, validatedTemplate } from '../support/cfn';
import { expectBuildsOrRefuses, expectCleanAssembly } from '../support/properties';
import { expectValidationError } from '../support/validation-error';

function stack() {
  return new Stack(testApp(), 'Stack', { env: { region: 'us-east-1' } });
}

const backlog = (_s?: Stack) => new cloudwatch.Metric({ namespace: 'Shop', metricName: 'Backlog', period: Duration.minutes(1), statistic: 'Maximum' });

describe('CloudWatchHealthCheck.alarm', () => {
  test('an alarm of the app: named after its construct id, described and windowed by what the alarm says', () => {
    const s = stack();
    const alarm = new cloudwatch.Alarm(s, 'SlowResponses', {
      metric: new cloudwatch.Metric({ namespace: 'AWS/ApplicationELB', metricName: 'TargetResponseTime', period: Duration.minutes(5) }),
      threshold: 1,
      evaluationPeriods: 3,
      datapointsToAlarm: 2,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    });
    const check = aws.CloudWatchHealthCheck.alarm(alarm);
    expect(check).toMatchObject({ kind: HealthCheckKind.CLOUDWATCH, name: 'slow-responses', failingWindows: 2, minimumRequests: 0 });
    expect(check.window.toMinutes()).toBe(5);
    expect(check.describe()).toBe('slow-responses: alarm Stack/SlowResponses (TargetResponseTime >= 1) for 2 windows of 5m');
    expect(aws.CloudWatchHealthCheck.alarm(alarm, { name: 'slow' }).name).toBe('slow');
  });

  test('an alarm on metric math, and an imported alarm, whose condition the plan cannot read', () => {
    const s = stack();
    const math = new cloudwatch.Alarm(s, 'ErrorBudget', {
      metric: new cloudwatch.MathExpression({ expression: 'm1 / 2', usingMetrics: { m1: backlog(s) }, period: Duration.minutes(2) }),
      threshold: 1,
      evaluationPeriods: 4,
    });
    expect(aws.CloudWatchHealthCheck.alarm(math).describe()).toBe('error-budget: alarm Stack/ErrorBudget (its condition) for 4 windows of 2m');
    const imported = cloudwatch.Alarm.fromAlarmArn(s, 'Payments5xx', 'arn:aws:cloudwatch:us-east-1:123456789012:alarm:payments-5xx');
    expect(aws.CloudWatchHealthCheck.alarm(imported).describe()).toBe('payments5xx: alarm Stack/Payments5xx in ALARM for 1 window of 1m');
  });

  test('renders as the alarm itself, which a strategy carries like any check', () => {
    const s = stack();
    const alarm = cloudwatch.Alarm.fromAlarmArn(s, 'Mine', 'arn:aws:cloudwatch:us-east-1:123456789012:alarm:mine');
    const check = aws.CloudWatchHealthCheck.alarm(alarm);
    expect(Strategy.CANARY_10PERCENT_5MINUTES.withHealthChecks([check]).healthChecks).toEqual([check]);
    const set = new HealthCheckAlarms({ backend: 'b', where: 'w', sources: [], scope: s, purpose: 'p' }, [check]);
    expect(set.alarms).toEqual([alarm]);
  });

  test.each([
    [() => 'alarm', 'CloudWatchHealthCheck.alarm: alarm is "alarm": it must be a CloudWatch alarm. Pass a cloudwatch.Alarm, or one imported with Alarm.fromAlarmArn().'],
    [() => undefined, 'CloudWatchHealthCheck.alarm: alarm is undefined: it must be a CloudWatch alarm. Pass a cloudwatch.Alarm, or one imported with Alarm.fromAlarmArn().'],
  ])('refuses what is not an alarm (%#)', (value, message) => {
    expectValidationError(() => aws.CloudWatchHealthCheck.alarm(value() as any), message);
  });

  test('refuses a name that is not a DNS label, and an id that makes none', () => {
    const s = stack();
    const alarm = cloudwatch.Alarm.fromAlarmArn(s, '___', 'arn:aws:cloudwatch:us-east-1:123456789012:alarm:x');
    expectValidationError(() => aws.CloudWatchHealthCheck.alarm(alarm),
      'CloudWatchHealthCheck.alarm: name is undefined: the alarm\'s construct id ("___") does not make a DNS label to name the check by. Pass a name, such as { name: "slow-responses" }.');
    expectValidationError(() => aws.CloudWatchHealthCheck.alarm(alarm, { name: 'Slow' }),
      'CloudWatchHealthCheck.alarm: name is "Slow": a name must be a DNS label: 1-63 lowercase letters, digits or "-", starting and ending with a letter or digit. Use a name such as "slow-responses".');
    expectValidationError(() => aws.CloudWatchHealthCheck.alarm(alarm, 'slow' as any),
      'CloudWatchHealthCheck.alarm: options is "slow": it must be an object. Pass an object such as { name: "slow-responses" }.');
  });
});

describe('CloudWatchHealthCheck.metric', () => {
  test('defaults: above the threshold fails, 2 windows of the metric\'s period, a window without data gives no verdict', () => {
    const s = stack();
    const check = aws.CloudWatchHealthCheck.metric({ name: 'backlog', metric: backlog(s), threshold: 1000 });
    expect(check.describe()).toBe('backlog: Backlog Maximum > 1000 for 2 windows of 1m');
    new HealthCheckAlarms({ backend: 'b', where: 'w', sources: [], scope: s, purpose: 'rolls the deployment back' }, [check]);
    validatedTemplate(s).hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'Shop',
      MetricName: 'Backlog',
      Statistic: 'Maximum',
      Period: 60,
      Threshold: 1000,
      ComparisonOperator: 'GreaterThanThreshold',
      EvaluationPeriods: 2,
      DatapointsToAlarm: 2,
      TreatMissingData: 'missing',
    });
  });

  test('takes every option: a labelled high-resolution metric, a comparison, failing windows, missing data', () => {
    const s = stack();
    const metric = new cloudwatch.Metric({ namespace: 'Shop', metricName: 'Orders', period: Duration.seconds(10), statistic: 'Sum', label: 'orders placed' });
    const check = aws.CloudWatchHealthCheck.metric({
      name: 'orders',
      metric,
      threshold: 5,
      comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
      failingWindows: 6,
      treatMissingData: cloudwatch.TreatMissingData.BREACHING,
    });
    expect(check.describe()).toBe('orders: orders placed < 5 for 6 windows of 10s');
    new HealthCheckAlarms({ backend: 'b', where: 'w', sources: [], scope: s, purpose: 'p' }, [check]);
    validatedTemplate(s).hasResourceProperties('AWS::CloudWatch::Alarm', {
      Metrics: [{ MetricStat: { Period: 10, Stat: 'Sum' }, Label: 'orders placed' }],
      Threshold: 5,
      ComparisonOperator: 'LessThanThreshold',
      EvaluationPeriods: 6,
      DatapointsToAlarm: 6,
      TreatMissingData: 'breaching',
    });
  });

  test('a metric math expression: its period is the window', () => {
    const s = stack();
    const ratio = new cloudwatch.MathExpression({ expression: '100 * m1 / m2', usingMetrics: { m1: backlog(s), m2: backlog(s) }, period: Duration.minutes(5) });
    const check = aws.CloudWatchHealthCheck.metric({ name: 'ratio', metric: ratio, threshold: 50 });
    expect(check.describe()).toBe('ratio: 100 * m1 / m2 > 50 for 2 windows of 5m');
  });

  test('a metric of another region cannot be watched by the rollout\'s alarms', () => {
    const s = stack();
    const far = new cloudwatch.Metric({ namespace: 'Shop', metricName: 'Backlog', period: Duration.minutes(1), region: 'eu-west-1' });
    const check = aws.CloudWatchHealthCheck.metric({ name: 'far', metric: far, threshold: 1 });
    expectValidationError(() => new HealthCheckAlarms({ backend: 'b', where: 'LambdaRollout Stack/Rollout', sources: [], scope: s, purpose: 'p' }, [check]),
      'LambdaRollout Stack/Rollout: health check "far": region of stack Stack is "us-east-1": the metric is in eu-west-1, and a CloudWatch alarm watches metrics of its own region only. Deploy the stack in eu-west-1, or use a metric of the stack\'s region.');
  });

  test.each<[string, (s: Stack) => any, string]>([
    ['a name that is no DNS label', s => ({ name: 'Backlog', metric: backlog(s), threshold: 1 }),
      'CloudWatchHealthCheck.metric: name is "Backlog": a name must be a DNS label: 1-63 lowercase letters, digits or "-", starting and ending with a letter or digit. Use a name such as "backlog".'],
    ['no metric', () => ({ name: 'backlog', threshold: 1 }),
      'CloudWatchHealthCheck.metric: metric is undefined: it must be a CloudWatch metric. Pass a cloudwatch.Metric or cloudwatch.MathExpression, such as queue.metricApproximateNumberOfMessagesVisible().'],
    ['a search', () => ({ name: 'all', metric: new cloudwatch.MathExpression({ expression: 'SEARCH(\'{Shop} Backlog\', \'Sum\', 60)', usingMetrics: {}, period: Duration.minutes(1) }), threshold: 1 }),
      'CloudWatchHealthCheck.metric: metric is "SEARCH(\'{Shop} Backlog\', \'Sum\', 60)": a CloudWatch alarm watches one time series, and a search expression returns any number of them. Name the metrics in the expression (usingMetrics) instead of searching for them.'],
    ['a threshold that is not a number', s => ({ name: 'backlog', metric: backlog(s), threshold: NaN }),
      'CloudWatchHealthCheck.metric: threshold is NaN: a threshold is a finite number. Pass the value that separates a good window from a bad one, such as 1000.'],
    ['an anomaly detection comparison', s => ({ name: 'backlog', metric: backlog(s), threshold: 1, comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_UPPER_THRESHOLD }),
      'CloudWatchHealthCheck.metric: comparisonOperator is "GreaterThanUpperThreshold": a check compares the metric with its threshold; the anomaly detection operators compare it with a band. Use GREATER_THAN_THRESHOLD, GREATER_THAN_OR_EQUAL_TO_THRESHOLD, LESS_THAN_THRESHOLD or LESS_THAN_OR_EQUAL_TO_THRESHOLD.'],
    ['no failing window', s => ({ name: 'backlog', metric: backlog(s), threshold: 1, failingWindows: 0 }),
      'CloudWatchHealthCheck.metric: failingWindows is 0: it is a whole number from 1 to 1,000,000. Use 1 to roll back on the first failing window, or more to ride out a single bad one.'],
    ['an unknown treatment of missing data', s => ({ name: 'backlog', metric: backlog(s), threshold: 1, treatMissingData: 'skip' }),
      'CloudWatchHealthCheck.metric: treatMissingData is "skip": it must be one of breaching, notBreaching, ignore, missing. Use cloudwatch.TreatMissingData.MISSING, or leave it out.'],
    ['a period an alarm does not take', () => ({ name: 'backlog', metric: new cloudwatch.Metric({ namespace: 'Shop', metricName: 'Backlog', period: Duration.seconds(5) }), threshold: 1 }),
      'CloudWatchHealthCheck.metric: "backlog" window is 5 seconds: CloudWatch alarms take a period of 10, 20 or 30 seconds (high-resolution metrics only) or a multiple of 60 seconds. Use a period such as Duration.seconds(30) or Duration.minutes(1).'],
    ['more windows than a day holds', s => ({ name: 'backlog', metric: backlog(s), threshold: 1, failingWindows: 1441 }),
      'CloudWatchHealthCheck.metric: "backlog" failingWindows is 1441: CloudWatch evaluates an alarm over at most 1 day when its period is under an hour, and 1441 windows of 1m last 1d 1m. Use at most 1440 failing windows of 1m, or fewer, longer windows.'],
    ['no props', () => 7,
      'CloudWatchHealthCheck.metric: props is 7: it must be an object. Pass an object such as { name: "backlog", metric, threshold: 1000 }.'],
  ])('refuses %s', (_what, props, message) => {
    const s = stack();
    expectValidationError(() => aws.CloudWatchHealthCheck.metric(props(s)), message);
  });

  describe('random props', () => {
    // The periods a cloudwatch.Metric takes (1, 5, 10, 30 or whole minutes); alarms take fewer.
    const periodArb = fc.oneof(
      { weight: 4, arbitrary: fc.constantFrom(10, 30, 60, 300, 3600) },
      { weight: 1, arbitrary: fc.oneof(fc.constantFrom(1, 5), fc.integer({ min: 1, max: 1500 }).map(m => m * 60)) },
    );
    const propsArb = fc.record({
      name: fc.oneof({ weight: 5, arbitrary: fc.constantFrom('backlog', 'orders-1') }, { weight: 1, arbitrary: oddValueArb }),
      period: periodArb,
      threshold: fc.oneof({ weight: 5, arbitrary: fc.double({ min: -1e6, max: 1e6, noNaN: true }) }, { weight: 1, arbitrary: oddValueArb }),
      comparisonOperator: fc.option(fc.constantFrom(...Object.values(cloudwatch.ComparisonOperator)), { nil: undefined }),
      failingWindows: fc.option(fc.oneof({ weight: 5, arbitrary: fc.integer({ min: 1, max: 50 }) }, { weight: 1, arbitrary: oddValueArb }),
        { nil: undefined }),
      treatMissingData: fc.option(fc.constantFrom(...Object.values(cloudwatch.TreatMissingData)), { nil: undefined }),
    });

    test('metric checks build valid alarms or are refused with the library\'s error', () => {
      expectBuildsOrRefuses(propsArb, p => {
        const s = stack();
        const check = aws.CloudWatchHealthCheck.metric({
          name: p.name as string,
          metric: new cloudwatch.Metric({ namespace: 'Shop', metricName: 'Backlog', period: Duration.seconds(p.period) }),
          threshold: p.threshold as number,
          comparisonOperator: p.comparisonOperator,
          failingWindows: p.failingWindows as number | undefined,
          treatMissingData: p.treatMissingData,
        });
        new HealthCheckAlarms({ backend: 'b', where: 'w', sources: [], scope: s, purpose: 'p' }, [check]);
        validatedTemplate(s).resourceCountIs('AWS::CloudWatch::Alarm', 1);
        expectCleanAssembly(s.node.root as any);
      }, { quickRuns: 15 });
    });
  });
});
