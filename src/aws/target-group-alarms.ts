import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { Construct } from 'constructs';
import { fail, struct, wholeSeconds } from '../core/private/validation';

/** Thresholds of the rollback alarms generated for each target group of a rollout. */
export interface TargetGroupAlarmOptions {
  /**
   * 5xx responses from the targets (`HTTPCode_Target_5XX_Count`, summed per period) at or above
   * which the deployment rolls back.
   *
   * @default 5
   */
  readonly http5xxCount?: number;

  /**
   * p99 target response time (`TargetResponseTime`) at or above which the deployment rolls back.
   *
   * @default Duration.seconds(2)
   */
  readonly p99Latency?: Duration;

  /**
   * The period each alarm evaluates.
   *
   * @default Duration.minutes(1)
   */
  readonly period?: Duration;

  /**
   * How many consecutive periods must breach before the alarm fires.
   *
   * @default 2
   */
  readonly evaluationPeriods?: number;
}

/** Props for `TargetGroupAlarms`. */
export interface TargetGroupAlarmsProps extends TargetGroupAlarmOptions {
  /** The target group to watch. */
  readonly targetGroup: elbv2.IApplicationTargetGroup;
}

/**
 * Rollback alarms for one target group of a rollout: a 5xx count and a p99 latency alarm.
 * Rollout constructs create one per target group (blue and green), so a fault on whichever side
 * receives the new version stops the deployment.
 *
 * @example
 * declare const targetGroup: elbv2.ApplicationTargetGroup;
 * const alarms = new aws.TargetGroupAlarms(this, 'BlueAlarms', { targetGroup, http5xxCount: 10 });
 */
export class TargetGroupAlarms extends Construct {
  /** The 5xx count alarm. */
  public readonly http5xxAlarm: cloudwatch.Alarm;
  /** The p99 latency alarm. */
  public readonly latencyAlarm: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: TargetGroupAlarmsProps) {
    super(scope, id);
    const where = `TargetGroupAlarms ${this.node.path}`;
    struct(`${where}: props`, props, 'Pass { targetGroup }.');
    if (typeof props.targetGroup !== 'object' || props.targetGroup === null || !('metrics' in props.targetGroup)) {
      fail(`${where}: targetGroup`, props.targetGroup, 'it must be an application target group attached to a load balancer', 'Pass the elbv2.ApplicationTargetGroup to watch.');
    }
    const count = props.http5xxCount ?? 5;
    if (typeof count !== 'number' || !Number.isInteger(count) || count < 1) {
      fail(`${where}: http5xxCount`, count, 'it is a count of responses, a whole number of at least 1', 'Use 1 to roll back on the first 5xx, or a higher count.');
    }
    const latencySeconds = wholeSecondsOrMillis(`${where}: p99Latency`, props.p99Latency ?? Duration.seconds(2));
    const periodSeconds = wholeSeconds(`${where}: period`, props.period ?? Duration.minutes(1), {
      minSeconds: 60,
      fix: 'Load balancer metrics are published every minute; use at least Duration.minutes(1).',
    });
    if (periodSeconds % 60 !== 0) {
      fail(`${where}: period`, props.period, 'CloudWatch alarms on load balancer metrics take a multiple of 60 seconds', 'Use whole minutes.');
    }
    const evaluationPeriods = props.evaluationPeriods ?? 2;
    if (typeof evaluationPeriods !== 'number' || !Number.isInteger(evaluationPeriods) || evaluationPeriods < 1) {
      fail(`${where}: evaluationPeriods`, evaluationPeriods, 'it is a whole number of periods, at least 1', 'Use 1 to fire on the first breaching period.');
    }
    const period = Duration.seconds(periodSeconds);

    this.http5xxAlarm = new cloudwatch.Alarm(this, 'Http5xx', {
      alarmDescription: `5xx responses from ${props.targetGroup.node.path}: rolls the deployment back`,
      metric: props.targetGroup.metrics.httpCodeTarget(elbv2.HttpCodeTarget.TARGET_5XX_COUNT, { period, statistic: cloudwatch.Stats.SUM }),
      threshold: count,
      evaluationPeriods,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    this.latencyAlarm = new cloudwatch.Alarm(this, 'P99Latency', {
      alarmDescription: `p99 latency of ${props.targetGroup.node.path}: rolls the deployment back`,
      metric: props.targetGroup.metrics.targetResponseTime({ period, statistic: cloudwatch.Stats.p(99) }),
      threshold: latencySeconds,
      evaluationPeriods,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
  }

  /** Both alarms. */
  public get alarms(): cloudwatch.IAlarm[] {
    return [this.http5xxAlarm, this.latencyAlarm];
  }
}

/** Latency thresholds are seconds with a fraction (TargetResponseTime is in seconds). */
function wholeSecondsOrMillis(prop: string, value: unknown): number {
  if (typeof (value as Duration)?.toMilliseconds !== 'function' || (value as Duration).isUnresolved?.()) {
    fail(prop, value, 'it must be a concrete Duration', 'Pass a Duration such as Duration.millis(1500).');
  }
  const millis = (value as Duration).toMilliseconds({ integral: false });
  if (!Number.isFinite(millis) || millis <= 0) {
    fail(prop, value, 'a latency threshold is above zero', 'Pass a Duration such as Duration.seconds(2).');
  }
  return millis / 1000;
}
