import { Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import * as fc from 'fast-check';
import { aws, FailedRequests, HealthCheck, HealthCheckKind, Strategy } from '../../../src';
import {
  checkAlarmWindow, checkMeasurable, cloudFrontAdditionalMetrics, cloudFrontMetrics, HealthCheckAlarms, HealthCheckTarget,
  lambdaDefaultChecks, lambdaMetrics, loadBalancedDefaultChecks, loadBalancerMetrics, RequestMetricSource, rolloutChecks, targetGroupMetrics,
} from '../../../src/aws/private/health-check-alarms';
import { healthChecksArb } from '../../support/arbitraries';
import { testApp, validatedTemplate } from '../../support/cfn';
import { expectBuildsOrRefuses, expectCleanAssembly } from '../../support/properties';
import { expectValidationError } from '../../support/validation-error';

const WHERE = 'Test Stack/Rollout';

function albSetup(region?: string) {
  const stack = new Stack(testApp(), 'Stack', region ? { env: { region } } : undefined);
  const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 0 });
  const alb = new elbv2.ApplicationLoadBalancer(stack, 'Alb', { vpc });
  const targetGroup = new elbv2.ApplicationTargetGroup(stack, 'Blue', { vpc, port: 80, targetType: elbv2.TargetType.IP });
  alb.addListener('Http', { port: 80, defaultTargetGroups: [targetGroup] });
  return { stack, vpc, alb, targetGroup };
}

type Sources = Array<{ scope?: Construct; metrics: RequestMetricSource }>;

function target(scope: Construct, sources: Sources, extra: Partial<HealthCheckTarget> = {}): HealthCheckTarget {
  return {
    backend: 'the test backend',
    where: WHERE,
    sources: sources.map(s => ({ scope: s.scope ?? scope, metrics: () => s.metrics })),
    scope,
    purpose: 'rolls the deployment back',
    ...extra,
  };
}

function lambdaSetup(region?: string) {
  const stack = new Stack(testApp(), 'Stack', region ? { env: { region } } : undefined);
  const fn = new lambda.Function(stack, 'Fn', {
    runtime: lambda.Runtime.NODEJS_24_X, handler: 'index.handler', code: lambda.Code.fromInline('exports.handler = async () => 1;'),
  });
  const alias = new lambda.Alias(stack, 'Alias', { aliasName: 'live', version: fn.currentVersion });
  return { stack, fn, alias };
}

/** The metric data queries of the only alarm in the template. */
function alarmOf(template: Template): Record<string, any> {
  const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm'));
  expect(alarms).toHaveLength(1);
  return alarms[0].Properties;
}

const errorRate = HealthCheck.errorRate({ maxErrorPercent: 1 });
const p99 = HealthCheck.latency({ percentile: 99, maxLatency: Duration.millis(800) });

describe('an ALB target group', () => {
  test('error rate: 5xx over requests in percent, no verdict under 10 requests, 2 failing windows of a minute', () => {
    const { stack, targetGroup } = albSetup();
    new HealthCheckAlarms(target(stack, [{ metrics: targetGroupMetrics(targetGroup, 'tg', 'fix') }]), [errorRate]);
    const alarm = alarmOf(validatedTemplate(stack));
    expect(alarm).toMatchObject({
      Threshold: 1,
      ComparisonOperator: 'GreaterThanThreshold',
      EvaluationPeriods: 2,
      DatapointsToAlarm: 2,
      TreatMissingData: 'missing',
      AlarmDescription: 'Health check error-rate: 5xx above 1% for 2 windows of 1m (10+ requests), measured on target group Stack/Blue: rolls the deployment back.',
    });
    expect(alarm.MetricName).toBeUndefined();
    const queries = alarm.Metrics as any[];
    expect(queries.find(q => q.Expression)).toMatchObject({ Expression: 'IF(requests >= 10, 100 * errors / requests)', ReturnData: true });
    const stat = (id: string) => queries.find(q => q.Id === id);
    expect(stat('requests')).toMatchObject({ ReturnData: false, MetricStat: { Metric: { Namespace: 'AWS/ApplicationELB', MetricName: 'RequestCount' }, Stat: 'Sum', Period: 60 } });
    expect(stat('errors')).toMatchObject({ ReturnData: false, MetricStat: { Metric: { MetricName: 'HTTPCode_Target_5XX_Count' }, Stat: 'Sum', Period: 60 } });
    expect(stat('requests').MetricStat.Metric.Dimensions.map((d: any) => d.Name).sort()).toEqual(['LoadBalancer', 'TargetGroup']);
  });

  test('error rate of 4xx and 5xx, judged on every window with requests, over 5-minute windows', () => {
    const { stack, targetGroup } = albSetup();
    const check = HealthCheck.errorRate({
      name: 'any-error',
      maxErrorPercent: 2.5,
      failedRequests: FailedRequests.CLIENT_AND_SERVER_ERRORS,
      minimumRequests: 0,
      window: Duration.minutes(5),
      failingWindows: 3,
    });
    new HealthCheckAlarms(target(stack, [{ metrics: targetGroupMetrics(targetGroup, 'tg', 'fix') }]), [check]);
    const alarm = alarmOf(validatedTemplate(stack));
    expect(alarm).toMatchObject({ Threshold: 2.5, EvaluationPeriods: 3, DatapointsToAlarm: 3 });
    const queries = alarm.Metrics as any[];
    expect(queries.find(q => q.Expression)).toMatchObject({ Expression: '100 * (errors + client_errors) / requests', ReturnData: true });
    expect(queries.find(q => q.Id === 'client_errors').MetricStat).toMatchObject({ Metric: { MetricName: 'HTTPCode_Target_4XX_Count' }, Stat: 'Sum', Period: 300 });
  });

  test('latency: a TargetResponseTime percentile in seconds, no verdict under the minimum requests', () => {
    const { stack, targetGroup } = albSetup();
    new HealthCheckAlarms(target(stack, [{ metrics: targetGroupMetrics(targetGroup, 'tg', 'fix') }]), [p99]);
    const alarm = alarmOf(validatedTemplate(stack));
    expect(alarm).toMatchObject({ Threshold: 0.8, ComparisonOperator: 'GreaterThanThreshold', EvaluationPeriods: 2, TreatMissingData: 'missing' });
    const queries = alarm.Metrics as any[];
    expect(queries.find(q => q.Expression).Expression).toBe('IF(requests >= 10, latency)');
    expect(queries.find(q => q.Id === 'latency').MetricStat).toMatchObject({ Metric: { MetricName: 'TargetResponseTime' }, Stat: 'p99', Period: 60 });
  });

  test('latency judged on every window is the percentile itself, with no metric math', () => {
    const { stack, targetGroup } = albSetup();
    const check = HealthCheck.latency({ percentile: 99.9, maxLatency: Duration.seconds(2), minimumRequests: 0 });
    new HealthCheckAlarms(target(stack, [{ metrics: targetGroupMetrics(targetGroup, 'tg', 'fix') }]), [check]);
    expect(alarmOf(validatedTemplate(stack))).toMatchObject({
      MetricName: 'TargetResponseTime', ExtendedStatistic: 'p99.9', Period: 60, Threshold: 2, TreatMissingData: 'missing',
    });
  });

  test('a target group attached to no listener has no metrics, and says so', () => {
    const { stack, vpc } = albSetup();
    const loose = new elbv2.ApplicationTargetGroup(stack, 'Loose', { vpc, port: 80, targetType: elbv2.TargetType.IP });
    expectValidationError(() => targetGroupMetrics(loose, `${WHERE}: greenTargetGroup`, 'Forward a listener rule to it.'),
      'Test Stack/Rollout: greenTargetGroup is "Stack/Loose": its metrics, which the health checks read, exist only once it is attached to a load balancer listener (an imported target group needs its loadBalancerArns). Forward a listener rule to it.');
  });
});

describe('an Application Load Balancer as a whole', () => {
  test('error rate counts the load balancer\'s own 5xx among failures and requests', () => {
    const { stack, alb } = albSetup();
    new HealthCheckAlarms(target(stack, [{ metrics: loadBalancerMetrics(alb) }]), [errorRate]);
    const queries = alarmOf(validatedTemplate(stack)).Metrics as any[];
    expect(queries.find(q => q.Expression).Expression).toBe('IF(requests + elb_errors >= 10, 100 * (errors + elb_errors) / (requests + elb_errors))');
    expect(queries.find(q => q.Id === 'elb_errors').MetricStat).toMatchObject({ Metric: { MetricName: 'HTTPCode_ELB_5XX_Count' }, Stat: 'Sum' });
    expect(queries.find(q => q.Id === 'requests').MetricStat.Metric.Dimensions.map((d: any) => d.Name)).toEqual(['LoadBalancer']);
  });

  test('4xx and 5xx: the targets\' and the load balancer\'s; latency guarded by the requests that reached a target', () => {
    const { stack, alb } = albSetup();
    const all = HealthCheck.errorRate({ maxErrorPercent: 5, failedRequests: FailedRequests.CLIENT_AND_SERVER_ERRORS });
    new HealthCheckAlarms(target(stack, [{ metrics: loadBalancerMetrics(alb) }]), [all, p99]);
    const alarms = Object.values(validatedTemplate(stack).findResources('AWS::CloudWatch::Alarm')).map(a => a.Properties);
    expect(alarms.map(a => (a.Metrics as any[]).find(q => q.Expression).Expression)).toEqual([
      'IF(requests + elb_errors + elb_client_errors >= 10, 100 * (errors + elb_errors + client_errors + elb_client_errors) / (requests + elb_errors + elb_client_errors))',
      'IF(requests >= 10, latency)',
    ]);
  });
});

describe('a Lambda alias', () => {
  test('error rate: Errors over Invocations of the alias; latency: a Duration percentile in milliseconds', () => {
    const { stack, alias } = lambdaSetup();
    new HealthCheckAlarms(target(stack, [{ metrics: lambdaMetrics(alias, 'alias Stack/Alias') }]), [errorRate, p99]);
    const alarms = Object.values(validatedTemplate(stack).findResources('AWS::CloudWatch::Alarm')).map(a => a.Properties);
    const [rate, latency] = alarms.map(a => a.Metrics as any[]);
    expect(rate.find(q => q.Expression).Expression).toBe('IF(requests >= 10, 100 * errors / requests)');
    expect(rate.find(q => q.Id === 'requests').MetricStat).toMatchObject({ Metric: { Namespace: 'AWS/Lambda', MetricName: 'Invocations' }, Stat: 'Sum' });
    expect(rate.find(q => q.Id === 'errors').MetricStat).toMatchObject({ Metric: { MetricName: 'Errors' }, Stat: 'Sum' });
    expect(rate.find(q => q.Id === 'errors').MetricStat.Metric.Dimensions.map((d: any) => d.Name).sort()).toEqual(['FunctionName', 'Resource']);
    expect(latency.find(q => q.Id === 'latency').MetricStat).toMatchObject({ Metric: { MetricName: 'Duration' }, Stat: 'p99' });
    expect(alarms[1].Threshold).toBe(800);
    expect(alarms[0].AlarmDescription).toBe('Health check error-rate: 5xx above 1% for 2 windows of 1m (10+ requests), measured on alias Stack/Alias: rolls the deployment back.');
  });

  test('a 4xx-and-5xx rate counts function errors too: Lambda has no status codes of its own', () => {
    const { stack, fn } = lambdaSetup();
    const all = HealthCheck.errorRate({ maxErrorPercent: 1, failedRequests: FailedRequests.CLIENT_AND_SERVER_ERRORS });
    new HealthCheckAlarms(target(stack, [{ metrics: lambdaMetrics(fn, 'function Stack/Fn') }]), [all]);
    expect((alarmOf(validatedTemplate(stack)).Metrics as any[]).find(q => q.Expression).Expression).toBe('IF(requests >= 10, 100 * errors / requests)');
  });
});

describe('a CloudFront distribution', () => {
  const staging = (additionalMetrics: boolean) => cloudFrontMetrics('E2STAGING', { description: 'staging distribution Stack/Staging', additionalMetrics });

  test('error rate: CloudFront\'s own 5xx rate, in us-east-1 with Region=Global, no verdict under 10 requests', () => {
    const stack = new Stack(testApp(), 'Stack', { env: { region: 'us-east-1' } });
    new HealthCheckAlarms(target(stack, [{ metrics: staging(false) }]), [errorRate]);
    const alarm = alarmOf(validatedTemplate(stack));
    const queries = alarm.Metrics as any[];
    expect(queries.find(q => q.Expression).Expression).toBe('IF(requests >= 10, rate)');
    expect(queries.find(q => q.Id === 'rate').MetricStat).toMatchObject({
      Metric: { Namespace: 'AWS/CloudFront', MetricName: '5xxErrorRate', Dimensions: [{ Name: 'DistributionId', Value: 'E2STAGING' }, { Name: 'Region', Value: 'Global' }] },
      Stat: 'Average',
    });
    expect(queries.find(q => q.Id === 'requests').MetricStat).toMatchObject({ Metric: { MetricName: 'Requests' }, Stat: 'Sum' });
    expect(alarm.Threshold).toBe(1);
  });

  test('4xx and 5xx: TotalErrorRate, as a plain metric when every window is judged', () => {
    const stack = new Stack(testApp(), 'Stack', { env: { region: 'us-east-1' } });
    const all = HealthCheck.errorRate({ maxErrorPercent: 3, failedRequests: FailedRequests.CLIENT_AND_SERVER_ERRORS, minimumRequests: 0 });
    new HealthCheckAlarms(target(stack, [{ metrics: staging(false) }]), [all]);
    expect(alarmOf(validatedTemplate(stack))).toMatchObject({ Namespace: 'AWS/CloudFront', MetricName: 'TotalErrorRate', Statistic: 'Average', Threshold: 3 });
  });

  test('latency is OriginLatency in milliseconds, which needs the additional metrics', () => {
    const stack = new Stack(testApp(), 'Stack', { env: { region: 'us-east-1' } });
    cloudFrontAdditionalMetrics(stack, 'Monitoring', 'E2STAGING');
    new HealthCheckAlarms(target(stack, [{ metrics: staging(true) }]), [p99]);
    const template = validatedTemplate(stack);
    const queries = alarmOf(template).Metrics as any[];
    expect(queries.find(q => q.Id === 'latency').MetricStat).toMatchObject({ Metric: { MetricName: 'OriginLatency' }, Stat: 'p99' });
    expect(alarmOf(template).Threshold).toBe(800);
    template.hasResourceProperties('AWS::CloudFront::MonitoringSubscription', {
      DistributionId: 'E2STAGING', MonitoringSubscription: { RealtimeMetricsSubscriptionConfig: { RealtimeMetricsSubscriptionStatus: 'Enabled' } },
    });
  });

  test('refuses a latency check without the additional metrics', () => {
    const stack = new Stack(testApp(), 'Stack', { env: { region: 'us-east-1' } });
    expectValidationError(() => new HealthCheckAlarms(target(stack, [{ metrics: staging(false) }]), [p99]),
      'Test Stack/Rollout: health check "latency-p99" is "p99 above 800ms": CloudFront publishes OriginLatency only for a distribution with additional metrics turned on (a monitoring subscription, charged per distribution), '
      + 'and staging distribution Stack/Staging is measured without them. Turn on the distribution\'s additional metrics (additionalMetrics: true), or measure it by its error rate only.');
  });

  test('refuses a stack in another region, or in a region unknown at synth: an alarm watches its own region only', () => {
    const elsewhere = new Stack(testApp(), 'Stack', { env: { region: 'eu-west-1' } });
    expectValidationError(() => new HealthCheckAlarms(target(elsewhere, [{ metrics: staging(false) }]), [errorRate]),
      'Test Stack/Rollout: health check "error-rate": region of stack Stack is "eu-west-1": CloudFront publishes the metrics of staging distribution Stack/Staging in us-east-1 only, '
      + 'and a CloudWatch alarm watches metrics of its own region only. Deploy the stack in us-east-1 (env: { region: \'us-east-1\' }); CloudFront is global, so nothing it serves moves.');
    const agnostic = new Stack(testApp(), 'Stack');
    expectValidationError(() => new HealthCheckAlarms(target(agnostic, [{ metrics: staging(false) }]), [errorRate]),
      'Test Stack/Rollout: health check "error-rate": region of stack Stack is "an environment-agnostic stack": CloudFront publishes the metrics of staging distribution Stack/Staging in us-east-1 only, '
      + 'and a CloudWatch alarm watches metrics of its own region only: the stack\'s region must be known at synth to be us-east-1. Give the stack env: { region: \'us-east-1\' }.');
  });
});

describe('CloudWatch\'s limits on windows', () => {
  test.each([
    [30, 2, 'Test Stack/Rollout: health check "error-rate" window is 30 seconds: Application Load Balancers publish metrics once a minute, so CloudWatch judges them in windows of whole minutes. Use a window of whole minutes, such as Duration.minutes(1).'],
    [90, 2, 'Test Stack/Rollout: health check "error-rate" window is 1 minute 30 seconds: Application Load Balancers publish metrics once a minute, so CloudWatch judges them in windows of whole minutes. Use a window of whole minutes, such as Duration.minutes(2).'],
    [60, 1441, 'Test Stack/Rollout: health check "error-rate" failingWindows is 1441: CloudWatch evaluates an alarm over at most 1 day when its period is under an hour, and 1441 windows of 1m last 1d 1m. Use at most 1440 failing windows of 1m, or fewer, longer windows.'],
    [3600, 169, 'Test Stack/Rollout: health check "error-rate" failingWindows is 169: CloudWatch evaluates an alarm over at most 7 days, and 169 windows of 1h last 7d 1h. Use at most 168 failing windows of 1h, or fewer, longer windows.'],
  ])('a window of %p s failing %p times is refused on load balancer metrics', (window, failingWindows, message) => {
    const { stack, targetGroup } = albSetup();
    const check = HealthCheck.errorRate({ maxErrorPercent: 1, window: Duration.seconds(window), failingWindows });
    expectValidationError(() => new HealthCheckAlarms(target(stack, [{ metrics: targetGroupMetrics(targetGroup, 'tg', 'fix') }]), [check]), message);
  });

  test('the longest evaluation ranges are accepted: a day of minutes, a week of hours', () => {
    const { stack, targetGroup } = albSetup();
    const checks = [
      HealthCheck.errorRate({ name: 'day', maxErrorPercent: 1, failingWindows: 1440 }),
      HealthCheck.errorRate({ name: 'week', maxErrorPercent: 1, window: Duration.hours(1), failingWindows: 168 }),
    ];
    new HealthCheckAlarms(target(stack, [{ metrics: targetGroupMetrics(targetGroup, 'tg', 'fix') }]), checks);
    expect(Object.keys(validatedTemplate(stack).findResources('AWS::CloudWatch::Alarm'))).toHaveLength(2);
  });

  test('a metric that may be high-resolution takes 10, 20 and 30 seconds, or whole minutes', () => {
    for (const seconds of [10, 20, 30, 60, 120]) expect(() => checkAlarmWindow('m', seconds, 1, undefined)).not.toThrow();
    expectValidationError(() => checkAlarmWindow('CloudWatchHealthCheck.metric: "backlog"', 45, 1, undefined),
      'CloudWatchHealthCheck.metric: "backlog" window is 45 seconds: CloudWatch alarms take a period of 10, 20 or 30 seconds (high-resolution metrics only) or a multiple of 60 seconds. Use a period such as Duration.seconds(30) or Duration.minutes(1).');
    expectValidationError(() => checkAlarmWindow('m', 10, 8641, undefined),
      'm failingWindows is 8641: CloudWatch evaluates an alarm over at most 1 day when its period is under an hour, and 8641 windows of 10s last 1d 10s. Use at most 8640 failing windows of 10s, or fewer, longer windows.');
  });
});

describe('what a backend cannot measure', () => {
  test('a Prometheus query, naming the backend', () => {
    const { stack, targetGroup } = albSetup();
    const query = HealthCheck.prometheus({ name: 'queue-depth', query: 'sum(queue_depth)', maxValue: 100 });
    expectValidationError(() => checkMeasurable(query, target(stack, [{ metrics: targetGroupMetrics(targetGroup, 'tg', 'fix') }])),
      'Test Stack/Rollout: health check "queue-depth" is "query above 100": the test backend measures health checks with CloudWatch alarms, '
      + 'and a PromQL query is measured only by Kubernetes backends with a Prometheus metrics source. Give this rollout its own healthChecks without it, or measure the same signal in CloudWatch with aws.CloudWatchHealthCheck.metric().');
  });

  test('an error rate or latency where the backend has no request metrics', () => {
    const stack = new Stack(testApp(), 'Stack');
    expectValidationError(() => checkMeasurable(errorRate, target(stack, [], { withoutSources: 'Pass aws.CloudWatchHealthCheck.alarm(alarm) with an alarm on the target\'s own metrics.' })),
      'Test Stack/Rollout: health check "error-rate" is "5xx above 1%": the test backend has no request metrics of its own to measure an error rate on. Pass aws.CloudWatchHealthCheck.alarm(alarm) with an alarm on the target\'s own metrics.');
    expectValidationError(() => checkMeasurable(p99, target(stack, [])),
      'Test Stack/Rollout: health check "latency-p99" is "p99 above 800ms": the test backend has no request metrics of its own to measure a latency on. Measure the rollout with an alarm of your own: aws.CloudWatchHealthCheck.alarm(alarm).');
  });

  test('a check of the user\'s own on an experiment measured per variant, or one another platform made', () => {
    const { stack, targetGroup } = albSetup();
    const alarm = cloudwatch.Alarm.fromAlarmArn(stack, 'Mine', 'arn:aws:cloudwatch:us-east-1:123456789012:alarm:mine');
    const perVariant = target(stack, [{ metrics: targetGroupMetrics(targetGroup, 'tg', 'fix') }], { perVariant: true, backend: 'Application Load Balancer' });
    expectValidationError(() => checkMeasurable(aws.CloudWatchHealthCheck.alarm(alarm), perVariant),
      'Test Stack/Rollout: health check "mine" is "alarm Stack/Mine in ALARM": Application Load Balancer measures every variant of the experiment apart, and an alarm or metric of your own measures the application as a whole, not one variant. '
      + 'Declare the experiment\'s checks with HealthCheck.errorRate() or HealthCheck.latency(), which are measured per variant; watch your own alarm beside the experiment.');
    const foreign = HealthCheck._platform(HealthCheckKind.CLOUDWATCH, 'foreign', 'something else', { windowSeconds: 60, failingWindows: 1 }, { alarm });
    expectValidationError(() => checkMeasurable(foreign, target(stack, [])),
      'Test Stack/Rollout: health check "foreign" is "something else": the test backend renders only the CloudWatch checks made with aws.CloudWatchHealthCheck. Make the check with aws.CloudWatchHealthCheck.alarm() or aws.CloudWatchHealthCheck.metric().');
  });
});

describe('HealthCheckAlarms', () => {
  test('renders request checks once per source, in each source\'s scope, and checks of the user\'s own once', () => {
    const { stack, vpc, alb, targetGroup } = albSetup();
    const green = new elbv2.ApplicationTargetGroup(stack, 'Green', { vpc, port: 80, targetType: elbv2.TargetType.IP });
    alb.listeners[0].addTargetGroups('Green', { targetGroups: [green], priority: 1, conditions: [elbv2.ListenerCondition.pathPatterns(['/green'])] });
    const blueScope = new Construct(stack, 'BlueAlarms');
    const greenScope = new Construct(stack, 'GreenAlarms');
    const own = new cloudwatch.Alarm(stack, 'SlowResponses', {
      metric: alb.metrics.targetResponseTime({ statistic: cloudwatch.Stats.p(90) }), threshold: 1, evaluationPeriods: 3,
    });
    const backlog = aws.CloudWatchHealthCheck.metric({
      name: 'backlog', metric: new cloudwatch.Metric({ namespace: 'Shop', metricName: 'Backlog', period: Duration.minutes(1) }), threshold: 1000,
    });
    const set = new HealthCheckAlarms(target(stack, [
      { scope: blueScope, metrics: targetGroupMetrics(targetGroup, 'tg', 'fix') },
      { scope: greenScope, metrics: targetGroupMetrics(green, 'tg', 'fix') },
    ]), [errorRate, aws.CloudWatchHealthCheck.alarm(own), backlog]);
    expect(set.names).toEqual(['error-rate', 'slow-responses', 'backlog']);
    expect(set.alarms).toHaveLength(4);
    expect(set.alarms[2]).toBe(own);
    expect(blueScope.node.tryFindChild('error-rate')).toBe(set.alarms[0]);
    expect(greenScope.node.tryFindChild('error-rate')).toBe(set.alarms[1]);
    expect(stack.node.tryFindChild('backlog')).toBe(set.alarms[3]);

    const more = set.add(p99, `${WHERE}: addHealthCheck`);
    expect(more).toHaveLength(2);
    expect(set.checks.map(c => c.name)).toEqual(['error-rate', 'slow-responses', 'backlog', 'latency-p99']);
    const template = validatedTemplate(stack);
    template.resourceCountIs('AWS::CloudWatch::Alarm', 6);
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'Backlog',
      Namespace: 'Shop',
      Threshold: 1000,
      ComparisonOperator: 'GreaterThanThreshold',
      EvaluationPeriods: 2,
      DatapointsToAlarm: 2,
      TreatMissingData: 'missing',
      Period: 60,
      AlarmDescription: 'Health check backlog: Backlog Average > 1000 for 2 windows of 1m: rolls the deployment back.',
    });
  });

  test('refuses a second check of the same name, and what is not a check', () => {
    const { stack, targetGroup } = albSetup();
    const set = new HealthCheckAlarms(target(stack, [{ metrics: targetGroupMetrics(targetGroup, 'tg', 'fix') }]), [errorRate]);
    expectValidationError(() => set.add(HealthCheck.errorRate({ maxErrorPercent: 5 }), `${WHERE}: addHealthCheck`),
      'Test Stack/Rollout: addHealthCheck name is "error-rate": a health check of this name already watches it, and a name picks one alarm. Give the check another name with its name option, such as "latency-p99-strict".');
    expectValidationError(() => set.add({ name: 'x' } as any, `${WHERE}: addHealthCheck`),
      'Test Stack/Rollout: addHealthCheck is an object: a health check is made with HealthCheck.errorRate(), HealthCheck.latency() or aws.CloudWatchHealthCheck. Pass a check such as HealthCheck.errorRate({ maxErrorPercent: 1 }).');
  });
});

describe('defaults and the checks a rollout renders', () => {
  test('a load-balanced service: an error rate and a p99 latency; a Lambda function: an error rate', () => {
    expect(loadBalancedDefaultChecks().map(c => c.describe())).toEqual([
      'error-rate: 5xx above 1% for 2 windows of 1m (10+ requests)',
      'latency-p99: p99 above 2s for 2 windows of 1m (10+ requests)',
    ]);
    expect(lambdaDefaultChecks().map(c => c.describe())).toEqual(['error-rate: 5xx above 1% for 2 windows of 1m (10+ requests)']);
    // Made once, shared by every service.
    expect(loadBalancedDefaultChecks()).toBe(loadBalancedDefaultChecks());
  });

  test('the rollout\'s own replace the strategy\'s, which replace the defaults; [] is none', () => {
    const house = Strategy.CANARY_10PERCENT_5MINUTES.withHealthChecks([p99]);
    const defaults = loadBalancedDefaultChecks();
    expect(rolloutChecks('p', undefined, house.healthChecks, defaults)).toEqual([p99]);
    expect(rolloutChecks('p', undefined, Strategy.CANARY_10PERCENT_5MINUTES.healthChecks, defaults)).toBe(defaults);
    expect(rolloutChecks('p', [errorRate], house.healthChecks, defaults)).toEqual([errorRate]);
    expect(rolloutChecks('p', [], house.healthChecks, defaults)).toEqual([]);
    expectValidationError(() => rolloutChecks(`${WHERE}: healthChecks`, [errorRate, errorRate], [], defaults),
      'Test Stack/Rollout: healthChecks[1].name is "error-rate": healthChecks[0] has the same name, and a name picks one alarm or analysis metric. Give the checks different names with the name option, such as "latency-p99-strict".');
  });
});

describe('random props', () => {
  // Random checks on a random source: each renders alarms that pass strict validation, or is refused
  // with the library's error (windows CloudWatch cannot evaluate, latency without CloudFront's additional metrics).
  const sourceArb = fc.constantFrom('target-group', 'load-balancer', 'lambda', 'cloudfront', 'cloudfront-additional');
  const windowsArb = fc.record({ window: fc.constantFrom(30, 60, 90, 300, 3600), failing: fc.integer({ min: 1, max: 200 }) });
  const checksArb = fc.tuple(healthChecksArb, fc.option(windowsArb, { nil: undefined })).map(([checks, windows]) => windows === undefined ? checks
    : [...checks, HealthCheck.errorRate({ name: 'odd-window', maxErrorPercent: 1, window: Duration.seconds(windows.window), failingWindows: windows.failing })]);

  test('health checks render as valid alarms or are refused with the library\'s error', () => {
    expectBuildsOrRefuses(fc.record({ source: sourceArb, checks: checksArb }), ({ source, checks }) => {
      const stack = new Stack(testApp(), 'Stack', { env: { region: 'us-east-1' } });
      const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 0 });
      let metrics: RequestMetricSource;
      if (source === 'target-group' || source === 'load-balancer') {
        const alb = new elbv2.ApplicationLoadBalancer(stack, 'Alb', { vpc });
        const group = new elbv2.ApplicationTargetGroup(stack, 'Group', { vpc, port: 80, targetType: elbv2.TargetType.IP });
        alb.addListener('Http', { port: 80, defaultTargetGroups: [group] });
        metrics = source === 'target-group' ? targetGroupMetrics(group, 'tg', 'fix') : loadBalancerMetrics(alb);
      } else if (source === 'lambda') {
        const fn = new lambda.Function(stack, 'Fn', {
          runtime: lambda.Runtime.NODEJS_24_X, handler: 'index.handler', code: lambda.Code.fromInline('exports.handler = async () => 1;'),
        });
        metrics = lambdaMetrics(fn, 'function Stack/Fn');
      } else {
        metrics = cloudFrontMetrics('E2STAGING', { description: 'distribution E2STAGING', additionalMetrics: source === 'cloudfront-additional' });
      }
      new HealthCheckAlarms(target(stack, [{ metrics }]), checks);
      validatedTemplate(stack).resourceCountIs('AWS::CloudWatch::Alarm', checks.length);
      expectCleanAssembly(stack.node.root as any);
    }, { quickRuns: 12 });
  });
});
