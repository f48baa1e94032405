import { Stack, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { HealthCheck, HealthCheckKind } from '../core/health-check';
import { checkAlarmWindow, cloudWatchPayload } from './private/health-check-alarms';
import { dnsLabel, fail, isDnsLabel, struct } from '../core/private/validation';

/** Options for `CloudWatchHealthCheck.alarm()`. */
export interface CloudWatchAlarmCheckOptions {
  /**
   * The check's name, a DNS label, unique among the checks of a rollout: the plan lists the check by it.
   *
   * @default - the alarm's construct id in kebab case (`SlowResponses` becomes `slow-responses`)
   */
  readonly name?: string;
}

/** Props for `CloudWatchHealthCheck.metric()`. */
export interface CloudWatchMetricCheckProps {
  /** The check's name, a DNS label, unique among the checks of a rollout: it names the alarm, and the plan lists the check by it. */
  readonly name: string;

  /**
   * The metric (or metric math expression) to watch, in the rollout's region. Its period is the
   * check's window: 10, 20 or 30 seconds for a high-resolution metric, or whole minutes.
   */
  readonly metric: cloudwatch.IMetric;

  /** The value the metric is compared with. */
  readonly threshold: number;

  /**
   * How the metric is compared with the threshold; a window that compares true fails.
   *
   * @default cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD
   */
  readonly comparisonOperator?: cloudwatch.ComparisonOperator;

  /**
   * How many failing windows in a row roll the release back.
   *
   * @default 2
   */
  readonly failingWindows?: number;

  /**
   * How a window without data counts.
   *
   * @default cloudwatch.TreatMissingData.MISSING: a window without data gives no verdict, as a quiet
   * window of the library's own checks does
   */
  readonly treatMissingData?: cloudwatch.TreatMissingData;
}

/** The comparisons of a static threshold (the anomaly detection ones need a band, not a number). */
const STATIC_OPERATORS: string[] = [
  cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
  cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
  cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
  cloudwatch.ComparisonOperator.LESS_THAN_OR_EQUAL_TO_THRESHOLD,
];
const OPERATOR_SYMBOLS: Record<string, string> = {
  [cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD]: '>=',
  [cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD]: '>',
  [cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD]: '<',
  [cloudwatch.ComparisonOperator.LESS_THAN_OR_EQUAL_TO_THRESHOLD]: '<=',
};
const DEFAULT_FAILING_WINDOWS = 2;
/** As the core's checks: far above any sensible count; CloudWatch's evaluation range bounds it further. */
const MAX_FAILING_WINDOWS = 1_000_000;

/**
 * Health checks on signals you already have in CloudWatch, for AWS backends: an alarm of yours, or a
 * metric the library puts an alarm on. They roll a release back like the library's own checks (ECS
 * deployment alarms, CodeDeploy alarms, the Step Functions driver), and the plan lists them by name.
 * Use them where the library has no request metrics to measure (a Route 53 target that is not a load
 * balancer) or for what requests do not show (a queue's depth, a business metric).
 *
 * They measure the whole application, so an A/B experiment, measured per variant, refuses them; and
 * Kubernetes backends refuse them (use `HealthCheck.prometheus()` there).
 *
 * @example
 * declare const queue: sqs.Queue;
 * declare const slowResponses: cloudwatch.Alarm;
 * const strategy = Strategy.canary({
 *   steps: [{ weight: 10, gate: StepGate.bake(Duration.minutes(10)) }],
 *   healthChecks: [
 *     HealthCheck.errorRate({ maxErrorPercent: 1 }),
 *     aws.CloudWatchHealthCheck.alarm(slowResponses),
 *     aws.CloudWatchHealthCheck.metric({
 *       name: 'backlog',
 *       metric: queue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1) }),
 *       threshold: 1000,
 *     }),
 *   ],
 * });
 */
export class CloudWatchHealthCheck {
  /**
   * A check that fails while your alarm is in ALARM. The alarm is used as it is: its own period,
   * evaluation periods and treatment of missing data decide; the plan shows them when the alarm is
   * defined in this app.
   */
  public static alarm(alarm: cloudwatch.IAlarm, options: CloudWatchAlarmCheckOptions = {}): HealthCheck {
    const where = 'CloudWatchHealthCheck.alarm';
    if (typeof alarm !== 'object' || alarm === null || typeof (alarm as cloudwatch.IAlarm).renderAlarmRule !== 'function'
      || !('alarmArn' in alarm) || typeof (alarm as cloudwatch.IAlarm).node?.path !== 'string') {
      fail(`${where}: alarm`, alarm, 'it must be a CloudWatch alarm', 'Pass a cloudwatch.Alarm, or one imported with Alarm.fromAlarmArn().');
    }
    struct(`${where}: options`, options, 'Pass an object such as { name: "slow-responses" }.');
    const name = options.name === undefined ? defaultName(where, alarm) : dnsLabel(`${where}: name`, options.name, 'slow-responses');
    const read = readAlarm(alarm);
    return HealthCheck._platform(HealthCheckKind.CLOUDWATCH, name, read.description,
      { windowSeconds: read.windowSeconds ?? 60, failingWindows: read.failingWindows ?? 1 },
      cloudWatchPayload({ type: 'alarm', alarm }));
  }

  /** A check that fails when a metric compares true with a threshold, for `failingWindows` windows in a row. */
  public static metric(props: CloudWatchMetricCheckProps): HealthCheck {
    const where = 'CloudWatchHealthCheck.metric';
    struct(`${where}: props`, props, 'Pass an object such as { name: "backlog", metric, threshold: 1000 }.');
    const name = dnsLabel(`${where}: name`, props.name, 'backlog');
    const metric = props.metric as cloudwatch.IMetric | undefined;
    if (typeof metric !== 'object' || metric === null || typeof metric.toMetricConfig !== 'function') {
      fail(`${where}: metric`, metric, 'it must be a CloudWatch metric', 'Pass a cloudwatch.Metric or cloudwatch.MathExpression, such as queue.metricApproximateNumberOfMessagesVisible().');
    }
    const config = metric.toMetricConfig();
    if (config.mathExpression === undefined && config.metricStat === undefined) {
      fail(`${where}: metric`, metric, 'an alarm watches a metric or a metric math expression', 'Pass a cloudwatch.Metric or cloudwatch.MathExpression.');
    }
    if (config.mathExpression !== undefined && (/\bSEARCH\s*\(/.test(config.mathExpression.expression)
      || config.mathExpression.searchAccount !== undefined || config.mathExpression.searchRegion !== undefined)) {
      fail(`${where}: metric`, config.mathExpression.expression, 'a CloudWatch alarm watches one time series, and a search expression returns any number of them',
        'Name the metrics in the expression (usingMetrics) instead of searching for them.');
    }
    const windowSeconds = config.metricStat?.period.toSeconds() ?? config.mathExpression!.period;
    const threshold = props.threshold;
    if (typeof threshold !== 'number' || !Number.isFinite(threshold)) {
      fail(`${where}: threshold`, threshold, 'a threshold is a finite number', 'Pass the value that separates a good window from a bad one, such as 1000.');
    }
    const operator = props.comparisonOperator ?? cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD;
    if (!STATIC_OPERATORS.includes(operator)) {
      fail(`${where}: comparisonOperator`, operator, 'a check compares the metric with its threshold; the anomaly detection operators compare it with a band',
        'Use GREATER_THAN_THRESHOLD, GREATER_THAN_OR_EQUAL_TO_THRESHOLD, LESS_THAN_THRESHOLD or LESS_THAN_OR_EQUAL_TO_THRESHOLD.');
    }
    const failingWindows = props.failingWindows ?? DEFAULT_FAILING_WINDOWS;
    if (typeof failingWindows !== 'number' || !Number.isInteger(failingWindows) || failingWindows < 1 || failingWindows > MAX_FAILING_WINDOWS) {
      fail(`${where}: failingWindows`, failingWindows, `it is a whole number from 1 to ${MAX_FAILING_WINDOWS.toLocaleString('en-US')}`,
        'Use 1 to roll back on the first failing window, or more to ride out a single bad one.');
    }
    const treatMissingData = props.treatMissingData ?? cloudwatch.TreatMissingData.MISSING;
    if (!Object.values(cloudwatch.TreatMissingData).includes(treatMissingData)) {
      fail(`${where}: treatMissingData`, treatMissingData, `it must be one of ${Object.values(cloudwatch.TreatMissingData).join(', ')}`,
        'Use cloudwatch.TreatMissingData.MISSING, or leave it out.');
    }
    checkAlarmWindow(`${where}: "${name}"`, windowSeconds, failingWindows, undefined);
    const region = config.metricStat?.region;
    return HealthCheck._platform(HealthCheckKind.CLOUDWATCH, name, `${metricLabel(metric, config)} ${OPERATOR_SYMBOLS[operator]} ${threshold}`,
      { windowSeconds, failingWindows },
      cloudWatchPayload({ type: 'metric', metric, threshold, comparisonOperator: operator, treatMissingData, region: Token.isUnresolved(region) ? undefined : region }));
  }

  private constructor() {}
}

/** `SlowResponses` → `slow-responses`: the alarm's construct id as a DNS label. */
function defaultName(where: string, alarm: cloudwatch.IAlarm): string {
  const id = alarm.node.id;
  const name = id.replace(/([a-z0-9])([A-Z])/g, '$1-$2').replace(/[^A-Za-z0-9]+/g, '-').toLowerCase().replace(/^-+|-+$/g, '').slice(0, 63).replace(/-+$/, '');
  if (!isDnsLabel(name)) {
    fail(`${where}: name`, undefined, `the alarm's construct id (${JSON.stringify(id)}) does not make a DNS label to name the check by`,
      'Pass a name, such as { name: "slow-responses" }.');
  }
  return name;
}

/** What the plan shows of an alarm: its metric, comparison and windows when it is defined in this app. */
function readAlarm(alarm: cloudwatch.IAlarm): { description: string; windowSeconds?: number; failingWindows?: number } {
  const cfn = alarm.node.defaultChild;
  if (!(cfn instanceof cloudwatch.CfnAlarm)) return { description: `alarm ${alarm.node.path} in ALARM` };
  const stack = Stack.of(alarm);
  const number = (value: unknown) => {
    const resolved = stack.resolve(value);
    return typeof resolved === 'number' && Number.isFinite(resolved) ? resolved : undefined;
  };
  const metrics = stack.resolve(cfn.metrics) as Array<{ metricStat?: { period?: unknown } }> | undefined;
  const windowSeconds = number(cfn.period) ?? number(Array.isArray(metrics) ? metrics.find(m => m?.metricStat)?.metricStat?.period : undefined);
  const failingWindows = number(cfn.datapointsToAlarm) ?? number(cfn.evaluationPeriods);
  const metricName = stack.resolve(cfn.metricName);
  const symbol = OPERATOR_SYMBOLS[stack.resolve(cfn.comparisonOperator)];
  const threshold = number(cfn.threshold);
  const condition = typeof metricName === 'string' && symbol !== undefined && threshold !== undefined
    ? `${metricName} ${symbol} ${threshold}` : 'its condition';
  return { description: `alarm ${alarm.node.path} (${condition})`, windowSeconds, failingWindows };
}

/** A metric as the plan shows it: its label, its name, or its expression. */
function metricLabel(metric: cloudwatch.IMetric, config: cloudwatch.MetricConfig): string {
  const label = (metric as { label?: unknown }).label;
  if (typeof label === 'string' && label !== '' && !Token.isUnresolved(label)) return label;
  if (config.metricStat !== undefined) return `${config.metricStat.metricName} ${config.metricStat.statistic}`;
  return config.mathExpression!.expression;
}
