import { Duration, Stack, Token } from 'aws-cdk-lib';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct, IConstruct } from 'constructs';
import { FailedRequests, HealthCheck, HealthCheckKind } from '../../core/health-check';
import { formatSeconds } from '../../core/private/format';
import { fail } from '../../core/private/validation';

/*
 * Health checks (core/health-check.ts) rendered as CloudWatch alarms, shared by every AWS backend.
 *
 * How a check becomes an alarm:
 * - period = the check's window, evaluation periods = datapoints to alarm = its failing windows,
 *   comparison "greater than" (a window above the limit fails);
 * - a rate is metric math over counts (failed ÷ requests × 100), a latency a percentile statistic;
 * - the minimum request count is an IF without a false branch: `IF(requests >= 10, rate)`. CloudWatch
 *   returns no data point where the condition is false and the false branch is left out, and none
 *   where the condition's own series has no point (a window without any request); in arithmetic a
 *   missing point of one series counts as 0 (a window with requests and no 5xx is 0%) and a division
 *   by zero drops the point. So a quiet window yields no data point at all, which is what the core
 *   means by "no verdict".
 *   https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/using-metric-math.html
 *   ("Basic arithmetic functions", "Using IF expressions")
 * - TreatMissingData MISSING, so that a quiet window neither fires nor clears: CloudWatch evaluates
 *   the most recent windows that have data, skipping quiet ones ("failing windows in a row" are
 *   windows with a verdict), and an evaluation range with no data at all puts the alarm in
 *   INSUFFICIENT_DATA, neither ALARM nor OK. NOT_BREACHING would count a quiet window as healthy
 *   (clears), BREACHING as failing (fires); IGNORE would keep the last state through quiet windows,
 *   so an alarm left in ALARM by a bad release would stay there until its side got traffic again,
 *   and judge the next release by the last one's verdict.
 *   https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/AlarmThatSendsEmail.html
 *   ("How alarm state is evaluated when data is missing")
 *
 * What the engines do meanwhile: ECS deployments and CodeDeploy act on an alarm only in ALARM, so
 * while the new version is too quiet to judge, their bake times run on and they promote it when the
 * bake ends, as they would without the check; they cannot wait for data. The Step Functions driver
 * reads the alarms between its waits and decides for itself.
 *
 * How a construct uses it:
 *
 *   const checks = rolloutChecks(`${where}: healthChecks`, props.healthChecks, props.strategy.healthChecks, loadBalancedDefaultChecks());
 *   const rendered = new HealthCheckAlarms({
 *     backend: 'Route 53', where, scope: this, purpose: 'rolls the release back',
 *     // one entry per place measured: an ALB target group, a whole ALB, a Lambda alias, a CloudFront distribution
 *     sources: [{ scope: this, metrics: () => loadBalancerMetrics(candidateAlb) }],
 *     withoutSources: 'Pass aws.CloudWatchHealthCheck.alarm(alarm) ...', // when sources is empty (a target with no metrics)
 *   }, checks);
 *   rendered.alarms;                               // what the engine watches; rendered.names for the guardrails (CDS-R8)
 *   rendered.add(check, `${where}: addHealthCheck`); // checks added after construction
 *
 * Alarms of error-rate and latency checks take the check's name as construct id in their source's
 * scope; alarms of `CloudWatchHealthCheck.metric()` checks in `scope`; `CloudWatchHealthCheck.alarm()`
 * checks are the user's alarm itself. A Network Load Balancer, an IP address or a domain name has no
 * request metrics: pass no source, and say in `withoutSources` what to do instead.
 */

/** CloudWatch's periods and evaluation ranges, from `PutMetricAlarm` (`Period`, `EvaluationPeriods`). */
// https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricAlarm.html
const HIGH_RESOLUTION_PERIODS = [10, 20, 30];
/** Period × evaluation periods for periods under an hour: one day. */
const MAX_RANGE_SHORT_PERIODS = 86_400;
/** Period × evaluation periods otherwise: seven days. */
const MAX_RANGE = 604_800;
/** CloudFront publishes every distribution's metrics in us-east-1, with the dimension Region=Global. */
// https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/programming-cloudwatch-metrics.html
const CLOUDFRONT_METRICS_REGION = 'us-east-1';

/** Metrics and the metric math expressions over them: a value, and the requests it was measured on. */
export interface RequestTerms {
  /** The metrics the expressions name, by id (ids start with a lowercase letter, as metric math requires). */
  readonly metrics: Record<string, cloudwatch.IMetric>;
  /** The value: an error percentage, or a latency in the source's unit. Either an id of `metrics` or an expression. */
  readonly value: string;
  /** The requests the value was measured on, for the minimum request count. */
  readonly requests: string;
}

/**
 * Where a backend's request metrics come from: an ALB target group or load balancer, a Lambda
 * function or alias, a CloudFront distribution. All of them publish once a minute.
 */
export interface RequestMetricSource {
  /** What is measured, for descriptions and errors: `target group Stack/Web/Blue`. */
  readonly description: string;
  /** Who publishes the metrics, for errors: `Application Load Balancers`. */
  readonly publisher: string;
  /** The region the metrics live in when it is not the stack's own (CloudFront's: us-east-1). */
  readonly metricRegion?: string;
  /** Why latency cannot be measured here and what to do instead, or undefined when it can. */
  readonly latencyUnavailable?: { readonly limit: string; readonly fix: string };
  /** How many milliseconds one unit of the latency metric is (1000 for seconds). */
  readonly millisPerLatencyUnit: number;
  /** The requests of a window (`value` and `requests` are the same). */
  requestCount(period: Duration): RequestTerms;
  /** The share of failed requests of a window, in percent. */
  errorRate(failed: FailedRequests, period: Duration): RequestTerms;
  /** A latency percentile of a window, in the metric's unit. */
  latency(percentile: number, period: Duration): RequestTerms;
}

/** A sum over a window. */
const SUM = cloudwatch.Stats.SUM;

/**
 * An ALB target group's requests, target 5xx (and 4xx), and `TargetResponseTime`. The load
 * balancer's own errors (a 502, 503 or 504 it answers itself) are published per load balancer only,
 * so they are not in a target group's rate.
 *
 * @param prop what to name when the target group has no metrics (it is attached to no listener)
 */
export function targetGroupMetrics(targetGroup: elbv2.IApplicationTargetGroup, prop: string, fix: string): RequestMetricSource {
  let metrics: elbv2.IApplicationTargetGroupMetrics;
  try {
    metrics = targetGroup.metrics;
  } catch {
    fail(prop, targetGroup.node.path,
      'its metrics, which the health checks read, exist only once it is attached to a load balancer listener (an imported target group needs its loadBalancerArns)', fix);
  }
  const count = (name: string, period: Duration) => metrics.custom(name, { period, statistic: SUM });
  return {
    description: `target group ${targetGroup.node.path}`,
    publisher: 'Application Load Balancers',
    millisPerLatencyUnit: 1000,
    requestCount: period => ({ metrics: { requests: count('RequestCount', period) }, value: 'requests', requests: 'requests' }),
    errorRate: (failed, period) => {
      const metrics5xx = { requests: count('RequestCount', period), errors: count('HTTPCode_Target_5XX_Count', period) };
      return failed === FailedRequests.SERVER_ERRORS
        ? { metrics: metrics5xx, value: '100 * errors / requests', requests: 'requests' }
        : {
          metrics: { ...metrics5xx, client_errors: count('HTTPCode_Target_4XX_Count', period) },
          value: '100 * (errors + client_errors) / requests',
          requests: 'requests',
        };
    },
    latency: (percentile, period) => ({
      metrics: {
        requests: count('RequestCount', period),
        latency: metrics.targetResponseTime({ period, statistic: cloudwatch.Stats.p(percentile) }),
      },
      value: 'latency',
      requests: 'requests',
    }),
  };
}

/**
 * An Application Load Balancer as a whole (a Route 53 target that is a load balancer): its targets'
 * 5xx (and 4xx) and its own, over its requests. `RequestCount` counts only the requests for which
 * the load balancer chose a target, so the load balancer's own errors are added to the requests too:
 * a load balancer answering 503 to everyone measures 100%, not nothing (its 502 and 504, answered
 * after choosing a target, are counted twice among the requests, which lowers the rate slightly).
 * https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-cloudwatch-metrics.html
 */
export function loadBalancerMetrics(loadBalancer: elbv2.IApplicationLoadBalancer): RequestMetricSource {
  const metrics = loadBalancer.metrics;
  const count = (name: string, period: Duration) => metrics.custom(name, { period, statistic: SUM });
  return {
    description: `load balancer ${loadBalancer.node.path}`,
    publisher: 'Application Load Balancers',
    millisPerLatencyUnit: 1000,
    requestCount: period => ({
      metrics: { requests: count('RequestCount', period), elb_errors: count('HTTPCode_ELB_5XX_Count', period) },
      value: 'requests + elb_errors',
      requests: 'requests + elb_errors',
    }),
    errorRate: (failed, period) => {
      const metrics5xx = {
        requests: count('RequestCount', period),
        errors: count('HTTPCode_Target_5XX_Count', period),
        elb_errors: count('HTTPCode_ELB_5XX_Count', period),
      };
      return failed === FailedRequests.SERVER_ERRORS
        ? { metrics: metrics5xx, value: '100 * (errors + elb_errors) / (requests + elb_errors)', requests: 'requests + elb_errors' }
        : {
          metrics: {
            ...metrics5xx,
            client_errors: count('HTTPCode_Target_4XX_Count', period),
            elb_client_errors: count('HTTPCode_ELB_4XX_Count', period),
          },
          value: '100 * (errors + elb_errors + client_errors + elb_client_errors) / (requests + elb_errors + elb_client_errors)',
          requests: 'requests + elb_errors + elb_client_errors',
        };
    },
    latency: (percentile, period) => ({
      metrics: {
        requests: count('RequestCount', period),
        latency: metrics.targetResponseTime({ period, statistic: cloudwatch.Stats.p(percentile) }),
      },
      value: 'latency',
      requests: 'requests',
    }),
  };
}

/**
 * A Lambda function's (or alias') invocations, errors and `Duration`: a function error fails a
 * request whichever `FailedRequests` the check names (Lambda has no status codes of its own).
 */
export function lambdaMetrics(fn: lambda.IFunction, description: string): RequestMetricSource {
  return {
    description,
    publisher: 'Lambda',
    millisPerLatencyUnit: 1,
    requestCount: period => ({ metrics: { requests: fn.metricInvocations({ period, statistic: SUM }) }, value: 'requests', requests: 'requests' }),
    errorRate: (_failed, period) => ({
      metrics: { requests: fn.metricInvocations({ period, statistic: SUM }), errors: fn.metricErrors({ period, statistic: SUM }) },
      value: '100 * errors / requests',
      requests: 'requests',
    }),
    latency: (percentile, period) => ({
      metrics: {
        requests: fn.metricInvocations({ period, statistic: SUM }),
        latency: fn.metricDuration({ period, statistic: cloudwatch.Stats.p(percentile) }),
      },
      value: 'latency',
      requests: 'requests',
    }),
  };
}

/** Options of `cloudFrontMetrics`. */
export interface CloudFrontMetricsOptions {
  /** What is measured: `staging distribution Stack/Site/Staging`. */
  readonly description: string;
  /**
   * Whether the distribution publishes CloudFront's additional metrics (a monitoring subscription,
   * see `cloudFrontAdditionalMetrics`): `OriginLatency` is one of them.
   */
  readonly additionalMetrics: boolean;
}

/**
 * A CloudFront distribution's metrics, a staging distribution's included (it has its own
 * distribution id and metrics): viewer requests, the 5xx (or 4xx and 5xx) error rate CloudFront
 * publishes in percent, and `OriginLatency`, which CloudFront publishes only with additional
 * metrics turned on. They live in us-east-1 whatever the stack's region.
 * https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/programming-cloudwatch-metrics.html
 * https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/continuous-deployment.html (monitoring a staging distribution)
 */
export function cloudFrontMetrics(distributionId: string, options: CloudFrontMetricsOptions): RequestMetricSource {
  const metric = (metricName: string, statistic: string, period: Duration) => new cloudwatch.Metric({
    namespace: 'AWS/CloudFront',
    metricName,
    dimensionsMap: { DistributionId: distributionId, Region: 'Global' },
    region: CLOUDFRONT_METRICS_REGION,
    statistic,
    period,
  });
  return {
    description: options.description,
    publisher: 'CloudFront',
    metricRegion: CLOUDFRONT_METRICS_REGION,
    millisPerLatencyUnit: 1,
    latencyUnavailable: options.additionalMetrics ? undefined : {
      limit: 'CloudFront publishes OriginLatency only for a distribution with additional metrics turned on (a monitoring subscription, charged per distribution)',
      fix: 'Turn on the distribution\'s additional metrics (additionalMetrics: true), or measure it by its error rate only',
    },
    requestCount: period => ({ metrics: { requests: metric('Requests', SUM, period) }, value: 'requests', requests: 'requests' }),
    errorRate: (failed, period) => ({
      metrics: {
        requests: metric('Requests', SUM, period),
        rate: metric(failed === FailedRequests.SERVER_ERRORS ? '5xxErrorRate' : 'TotalErrorRate', cloudwatch.Stats.AVERAGE, period),
      },
      value: 'rate',
      requests: 'requests',
    }),
    latency: (percentile, period) => ({
      metrics: { requests: metric('Requests', SUM, period), latency: metric('OriginLatency', cloudwatch.Stats.p(percentile), period) },
      value: 'latency',
      requests: 'requests',
    }),
  };
}

/**
 * Turns on CloudFront's additional metrics for a distribution (`OriginLatency` among them), which
 * CloudFront charges per distribution. A distribution takes one monitoring subscription: create it
 * once, in the construct that owns the distribution.
 */
export function cloudFrontAdditionalMetrics(scope: Construct, id: string, distributionId: string): cloudfront.CfnMonitoringSubscription {
  return new cloudfront.CfnMonitoringSubscription(scope, id, {
    distributionId,
    monitoringSubscription: { realtimeMetricsSubscriptionConfig: { realtimeMetricsSubscriptionStatus: 'Enabled' } },
  });
}

/** What `aws.CloudWatchHealthCheck` carries in a `HealthCheckKind.CLOUDWATCH` check. */
export type CloudWatchCheckPayload =
  | { readonly type: 'alarm'; readonly alarm: cloudwatch.IAlarm }
  | {
    readonly type: 'metric';
    readonly metric: cloudwatch.IMetric;
    readonly threshold: number;
    readonly comparisonOperator: cloudwatch.ComparisonOperator;
    readonly treatMissingData: cloudwatch.TreatMissingData;
    readonly region?: string;
  };

/** Marks the payloads made by `aws.CloudWatchHealthCheck`, so another platform's payload is never read as one. */
const CLOUDWATCH_PAYLOAD = Symbol.for('cdk-deploy-strategies.CloudWatchCheckPayload');

/** Wraps a payload for `HealthCheck._platform`. */
export function cloudWatchPayload(payload: CloudWatchCheckPayload): CloudWatchCheckPayload {
  return Object.freeze(Object.defineProperty({ ...payload }, CLOUDWATCH_PAYLOAD, { value: true })) as CloudWatchCheckPayload;
}

function payloadOf(check: HealthCheck): CloudWatchCheckPayload | undefined {
  const payload = check._payload as Record<symbol, unknown> | undefined;
  return typeof payload === 'object' && payload !== null && payload[CLOUDWATCH_PAYLOAD] === true ? payload as unknown as CloudWatchCheckPayload : undefined;
}

/**
 * Checks a window against CloudWatch's limits: the period (10, 20 or 30 seconds for high-resolution
 * metrics, else a multiple of 60; only multiples of 60 for AWS service metrics, published once a
 * minute) and the evaluation range (period × failing windows: at most a day for periods under an
 * hour, seven days otherwise).
 *
 * @param prop the check, such as `LambdaRollout Stack/Fn: health check "error-rate"`
 * @param publisher who publishes the metrics once a minute, or undefined for a metric that may be high-resolution
 */
export function checkAlarmWindow(prop: string, windowSeconds: number, failingWindows: number, publisher: string | undefined): void {
  const shown = Duration.seconds(windowSeconds);
  if (publisher !== undefined && windowSeconds % 60 !== 0) {
    fail(`${prop} window`, shown, `${publisher} publish${publisher.endsWith('s') ? '' : 'es'} metrics once a minute, so CloudWatch judges them in windows of whole minutes`,
      `Use a window of whole minutes, such as Duration.minutes(${Math.max(1, Math.round(windowSeconds / 60))}).`);
  }
  if (publisher === undefined && windowSeconds % 60 !== 0 && !HIGH_RESOLUTION_PERIODS.includes(windowSeconds)) {
    fail(`${prop} window`, shown, 'CloudWatch alarms take a period of 10, 20 or 30 seconds (high-resolution metrics only) or a multiple of 60 seconds',
      'Use a period such as Duration.seconds(30) or Duration.minutes(1).');
  }
  const maxRange = windowSeconds < 3600 ? MAX_RANGE_SHORT_PERIODS : MAX_RANGE;
  if (windowSeconds > maxRange) {
    fail(`${prop} window`, shown, 'CloudWatch evaluates an alarm over at most 7 days', 'Use a window of at most Duration.days(7); a shorter one rolls back sooner.');
  }
  if (windowSeconds * failingWindows > maxRange) {
    const most = Math.floor(maxRange / windowSeconds);
    fail(`${prop} failingWindows`, failingWindows,
      `CloudWatch evaluates an alarm over at most ${windowSeconds < 3600 ? '1 day when its period is under an hour' : '7 days'}, and ${failingWindows} windows of ${formatSeconds(windowSeconds)} last ${formatSeconds(windowSeconds * failingWindows)}`,
      `Use at most ${most} failing window${most === 1 ? '' : 's'} of ${formatSeconds(windowSeconds)}, or fewer, longer windows.`);
  }
}

/** Where a backend measures health checks, and what acts on them. */
export interface HealthCheckTarget {
  /** The backend, as errors name it: `native ECS deployment`. */
  readonly backend: string;
  /** The construct, as errors name it: `EcsNativeRollout Stack/Web/Rollout`. */
  readonly where: string;
  /**
   * Where error-rate and latency checks are measured: one alarm per source and check, created in the
   * source's scope with the check's name as id. Empty when the backend has no request metrics.
   */
  readonly sources: HealthCheckSource[];
  /** The scope of the alarms of `CloudWatchHealthCheck.metric()` checks, measured once for the whole target. */
  readonly scope: Construct;
  /** What the alarms are for, ending their descriptions: `rolls the deployment back`. */
  readonly purpose: string;
  /** What to do instead of an error-rate or latency check when there are no sources. */
  readonly withoutSources?: string;
  /**
   * Set when each source is one variant of an A/B experiment: a check of the user's own (a CloudWatch
   * alarm or metric) measures the whole application, not one variant, so it is refused.
   */
  readonly perVariant?: boolean;
}

/** One place where request checks are measured. */
export interface HealthCheckSource {
  /** The scope the source's alarms are created in. */
  readonly scope: Construct;
  /** The metrics, read only when a request check needs them (a target group without a listener has none). */
  readonly metrics: () => RequestMetricSource;
}

/** The check as errors name it: `EcsNativeRollout Stack/Web/Rollout: health check "error-rate"`. */
export function checkProp(target: { readonly where: string }, check: HealthCheck): string {
  return `${target.where}: health check "${check.name}"`;
}

/**
 * Checks that the target can measure a check, or fails naming the backend, the check and what
 * works instead. Creates nothing, so a construct checks every check before rendering any.
 */
export function checkMeasurable(check: HealthCheck, target: HealthCheckTarget): void {
  const prop = checkProp(target, check);
  switch (check.kind) {
    case HealthCheckKind.PROMETHEUS:
      fail(prop, check.condition(),
        `${target.backend} measures health checks with CloudWatch alarms, and a PromQL query is measured only by Kubernetes backends with a Prometheus metrics source`,
        'Give this rollout its own healthChecks without it, or measure the same signal in CloudWatch with aws.CloudWatchHealthCheck.metric().');
    case HealthCheckKind.CLOUDWATCH: {
      const payload = payloadOf(check);
      if (payload === undefined) {
        fail(prop, check.condition(), `${target.backend} renders only the CloudWatch checks made with aws.CloudWatchHealthCheck`,
          'Make the check with aws.CloudWatchHealthCheck.alarm() or aws.CloudWatchHealthCheck.metric().');
      }
      if (target.perVariant) {
        fail(prop, check.condition(), `${target.backend} measures every variant of the experiment apart, and an alarm or metric of your own measures the application as a whole, not one variant`,
          'Declare the experiment\'s checks with HealthCheck.errorRate() or HealthCheck.latency(), which are measured per variant; watch your own alarm beside the experiment.');
      }
      if (payload.type === 'metric') checkMetricRegion(prop, payload.region, target.scope);
      return;
    }
    case HealthCheckKind.ERROR_RATE:
    case HealthCheckKind.LATENCY: {
      if (target.sources.length === 0) {
        fail(prop, check.condition(), `${target.backend} has no request metrics of its own to measure ${check.kind === HealthCheckKind.ERROR_RATE ? 'an error rate' : 'a latency'} on`,
          target.withoutSources ?? 'Measure the rollout with an alarm of your own: aws.CloudWatchHealthCheck.alarm(alarm).');
      }
      for (const source of target.sources) {
        const metrics = source.metrics();
        checkAlarmWindow(prop, check.window.toSeconds(), check.failingWindows, metrics.publisher);
        if (check.kind === HealthCheckKind.LATENCY && metrics.latencyUnavailable !== undefined) {
          fail(prop, check.condition(), `${metrics.latencyUnavailable.limit}, and ${metrics.description} is measured without them`,
            `${metrics.latencyUnavailable.fix}.`);
        }
        checkMetricRegion(prop, metrics.metricRegion, source.scope, metrics);
      }
      return;
    }
  }
}

/** An alarm watches metrics of its own region only: a metric elsewhere (CloudFront's) needs the stack there. */
function checkMetricRegion(prop: string, metricRegion: string | undefined, scope: IConstruct, source?: RequestMetricSource): void {
  if (metricRegion === undefined) return;
  const region = Stack.of(scope).region;
  const what = source === undefined ? `the metric is in ${metricRegion}` : `${source.publisher} publishes the metrics of ${source.description} in ${metricRegion} only`;
  if (Token.isUnresolved(region)) {
    fail(`${prop}: region of stack ${Stack.of(scope).node.path}`, 'an environment-agnostic stack',
      `${what}, and a CloudWatch alarm watches metrics of its own region only: the stack's region must be known at synth to be ${metricRegion}`,
      `Give the stack env: { region: '${metricRegion}' }.`);
  }
  if (region !== metricRegion) {
    fail(`${prop}: region of stack ${Stack.of(scope).node.path}`, region,
      `${what}, and a CloudWatch alarm watches metrics of its own region only`,
      source?.publisher === 'CloudFront'
        ? `Deploy the stack in ${metricRegion} (env: { region: '${metricRegion}' }); CloudFront is global, so nothing it serves moves.`
        : `Deploy the stack in ${metricRegion}, or use a metric of the stack's region.`);
  }
}

/**
 * Renders an error-rate or latency check measured on one source: an alarm in `scope` whose id is the
 * check's name. Call `checkMeasurable` first.
 */
export function renderRequestCheck(scope: Construct, check: HealthCheck, source: RequestMetricSource, purpose: string): cloudwatch.Alarm {
  const period = check.window;
  const latency = check.kind === HealthCheckKind.LATENCY;
  const terms = latency ? source.latency(check.percentile!, period) : source.errorRate(check.failedRequests!, period);
  return new cloudwatch.Alarm(scope, check.name, {
    alarmDescription: `Health check ${check.describe()}, measured on ${source.description}: ${purpose}.`,
    metric: guardedMetric(terms, check.minimumRequests, period, check.name),
    threshold: latency ? check.maxLatency!.toMilliseconds() / source.millisPerLatencyUnit : check.maxErrorPercent!,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
    evaluationPeriods: check.failingWindows,
    datapointsToAlarm: check.failingWindows,
    treatMissingData: cloudwatch.TreatMissingData.MISSING,
  });
}

/**
 * The value of `terms`, with no data point for a window of fewer than `minimumRequests` requests: a
 * plain metric when the value is one and nothing guards it, metric math otherwise.
 */
export function guardedMetric(terms: RequestTerms, minimumRequests: number, period: Duration, label: string): cloudwatch.IMetric {
  const expression = minimumRequests > 0 ? `IF(${terms.requests} >= ${minimumRequests}, ${terms.value})` : terms.value;
  const bare = terms.metrics[expression];
  if (bare !== undefined) return bare;
  const used = Object.fromEntries(Object.entries(terms.metrics).filter(([id]) => new RegExp(`\\b${id}\\b`).test(expression)));
  return new cloudwatch.MathExpression({ expression, usingMetrics: used, period, label });
}

/**
 * Renders a check of the user's own (`aws.CloudWatchHealthCheck`): the alarm itself, or an alarm
 * on the metric in `scope` whose id is the check's name. Call `checkMeasurable` first.
 */
export function renderCloudWatchCheck(scope: Construct, check: HealthCheck, purpose: string): cloudwatch.IAlarm {
  const payload = payloadOf(check)!;
  if (payload.type === 'alarm') return payload.alarm;
  return new cloudwatch.Alarm(scope, check.name, {
    alarmDescription: `Health check ${check.describe()}: ${purpose}.`,
    metric: payload.metric,
    threshold: payload.threshold,
    comparisonOperator: payload.comparisonOperator,
    evaluationPeriods: check.failingWindows,
    datapointsToAlarm: check.failingWindows,
    treatMissingData: payload.treatMissingData,
  });
}

/**
 * The health checks one construct renders, and their alarms: every check is checked first, then
 * rendered on every source (error rates and latencies) or once (CloudWatch checks). Checks added
 * later (`add`) are rendered the same way; names stay unique.
 */
export class HealthCheckAlarms {
  private readonly rendered: HealthCheck[] = [];
  private readonly alarmList: cloudwatch.IAlarm[] = [];

  constructor(private readonly target: HealthCheckTarget, checks: HealthCheck[] = []) {
    checks.forEach(check => checkMeasurable(check, target));
    checks.forEach(check => this.render(check));
  }

  /** The checks rendered, in order. */
  public get checks(): HealthCheck[] {
    return [...this.rendered];
  }

  /** Their names, in order. */
  public get names(): string[] {
    return this.rendered.map(check => check.name);
  }

  /** Every alarm rendered, in order (one per source for error rates and latencies). */
  public get alarms(): cloudwatch.IAlarm[] {
    return [...this.alarmList];
  }

  /** Renders one more check, refusing a name already taken; returns its alarms. */
  public add(check: HealthCheck, prop: string): cloudwatch.IAlarm[] {
    if (!HealthCheck._isHealthCheck(check)) {
      fail(prop, check, 'a health check is made with HealthCheck.errorRate(), HealthCheck.latency() or aws.CloudWatchHealthCheck',
        'Pass a check such as HealthCheck.errorRate({ maxErrorPercent: 1 }).');
    }
    if (this.rendered.some(other => other.name === check.name)) {
      fail(`${prop} name`, check.name, 'a health check of this name already watches it, and a name picks one alarm',
        'Give the check another name with its name option, such as "latency-p99-strict".');
    }
    checkMeasurable(check, this.target);
    return this.render(check);
  }

  private render(check: HealthCheck): cloudwatch.IAlarm[] {
    const alarms = check.kind === HealthCheckKind.CLOUDWATCH
      ? [renderCloudWatchCheck(this.target.scope, check, this.target.purpose)]
      : this.target.sources.map(source => renderRequestCheck(source.scope, check, source.metrics(), this.target.purpose));
    this.rendered.push(check);
    this.alarmList.push(...alarms);
    return alarms;
  }
}

let albDefaults: HealthCheck[] | undefined;
let lambdaDefaults: HealthCheck[] | undefined;

/**
 * What a load-balanced service is measured by when neither its strategy nor its rollout declares a
 * check: `error-rate` (5xx above 1%) and `latency-p99` (above 2 s), each after 2 failing one-minute
 * windows of at least 10 requests. Made once: every service shares them.
 */
export function loadBalancedDefaultChecks(): HealthCheck[] {
  albDefaults ??= Object.freeze([
    HealthCheck.errorRate({ maxErrorPercent: 1 }),
    HealthCheck.latency({ percentile: 99, maxLatency: Duration.seconds(2) }),
  ]) as HealthCheck[];
  return albDefaults;
}

/**
 * What a Lambda function is measured by when nothing is declared: `error-rate` (function errors
 * above 1%, after 2 failing one-minute windows of at least 10 invocations). No latency: how long a
 * function may run depends on its work, and its timeout bounds it already.
 */
export function lambdaDefaultChecks(): HealthCheck[] {
  lambdaDefaults ??= Object.freeze([HealthCheck.errorRate({ maxErrorPercent: 1 })]) as HealthCheck[];
  return lambdaDefaults;
}

/**
 * The checks a rollout renders: its own `healthChecks` prop when given (replacing the strategy's;
 * `[]` for none), else the strategy's, else the backend's defaults.
 */
export function rolloutChecks(prop: string, given: unknown, strategyChecks: HealthCheck[], defaults: HealthCheck[]): HealthCheck[] {
  if (given !== undefined) return HealthCheck._requireList(prop, given);
  return strategyChecks.length > 0 ? strategyChecks : defaults;
}
