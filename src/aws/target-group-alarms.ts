import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { Construct } from 'constructs';
import { HealthCheck, HealthCheckKind } from '../core/health-check';
import { checkMeasurable, HealthCheckTarget, loadBalancedDefaultChecks, renderRequestCheck, targetGroupMetrics } from './private/health-check-alarms';
import { fail, struct } from '../core/private/validation';

/** Props for `TargetGroupAlarms`. */
export interface TargetGroupAlarmsProps {
  /** The target group to measure. It must be attached to a load balancer listener: its metrics are per load balancer. */
  readonly targetGroup: elbv2.IApplicationTargetGroup;

  /**
   * The health checks to measure on the target group: error rates (`HealthCheck.errorRate()`) and
   * latency percentiles (`HealthCheck.latency()`), one alarm each. Windows are whole minutes (load
   * balancers publish their metrics once a minute).
   *
   * @default - the checks of every load-balanced rollout that declares none: `error-rate` (5xx above
   * 1%) and `latency-p99` (above 2 s), each failing after 2 one-minute windows of at least 10 requests
   */
  readonly healthChecks?: HealthCheck[];
}

/**
 * Health checks measured on one ALB target group, one CloudWatch alarm per check, the check's name as
 * the alarm's construct id. Rollouts create one per target group (blue and green) and render their
 * checks into it, so a fault on whichever side receives the new version stops the deployment; ALB
 * A/B experiments one per variant.
 *
 * An error rate is the target group's 5xx (with `FailedRequests.CLIENT_AND_SERVER_ERRORS`, 4xx and
 * 5xx) responses over its requests, in percent, by metric math; a latency is a percentile of
 * `TargetResponseTime`. A window with fewer requests than the check's `minimumRequests` gives no
 * data point, and the alarms treat missing data as missing: a quiet window neither fires nor
 * clears an alarm.
 *
 * @example
 * declare const targetGroup: elbv2.ApplicationTargetGroup;
 * const alarms = new aws.TargetGroupAlarms(this, 'BlueAlarms', {
 *   targetGroup,
 *   healthChecks: [HealthCheck.errorRate({ maxErrorPercent: 0.5 })],
 * });
 */
export class TargetGroupAlarms extends Construct {
  /** The target group measured. */
  public readonly targetGroup: elbv2.IApplicationTargetGroup;

  private readonly target: HealthCheckTarget;

  constructor(scope: Construct, id: string, props: TargetGroupAlarmsProps) {
    super(scope, id);
    const where = `TargetGroupAlarms ${this.node.path}`;
    struct(`${where}: props`, props, 'Pass { targetGroup }.');
    const group = props.targetGroup as Partial<elbv2.IApplicationTargetGroup> | undefined;
    if (typeof group !== 'object' || group === null || typeof group.targetGroupArn !== 'string' || !('metrics' in group)) {
      fail(`${where}: targetGroup`, props.targetGroup, 'it must be an application target group attached to a load balancer', 'Pass the elbv2.ApplicationTargetGroup to watch.');
    }
    this.targetGroup = props.targetGroup;
    let metrics: ReturnType<typeof targetGroupMetrics> | undefined;
    this.target = {
      backend: 'an ALB target group',
      where,
      sources: [{
        scope: this,
        metrics: () => metrics ??= targetGroupMetrics(props.targetGroup, `${where}: targetGroup`,
          'Forward a listener (or a listener rule) to it before measuring it.'),
      }],
      scope: this,
      purpose: 'rolls the deployment back',
    };
    const checks = props.healthChecks === undefined ? loadBalancedDefaultChecks()
      : HealthCheck._requireList(`${where}: healthChecks`, props.healthChecks);
    checks.forEach(check => this.check(check));
    checks.forEach(check => this.render(check));
  }

  /** The alarms, one per health check, in the order the checks were added. */
  public get alarms(): cloudwatch.Alarm[] {
    return this.node.children.filter((child): child is cloudwatch.Alarm => child instanceof cloudwatch.Alarm);
  }

  /** The alarm of the health check of this name, if the target group is measured by it. */
  public alarmFor(checkName: string): cloudwatch.Alarm | undefined {
    const child = this.node.tryFindChild(checkName);
    return child instanceof cloudwatch.Alarm ? child : undefined;
  }

  /** Measures one more health check on the target group, and returns its alarm. */
  public addHealthCheck(check: HealthCheck): cloudwatch.Alarm {
    const prop = `TargetGroupAlarms ${this.node.path}: healthCheck`;
    if (!HealthCheck._isHealthCheck(check)) {
      fail(prop, check, 'a health check is made with HealthCheck.errorRate() or HealthCheck.latency()',
        'Pass a check such as HealthCheck.errorRate({ maxErrorPercent: 1 }).');
    }
    if (this.node.tryFindChild(check.name) !== undefined) {
      fail(`${prop} name`, check.name, 'a health check of this name already measures the target group, and a name picks one alarm',
        'Give the check another name with its name option, such as "latency-p99-strict".');
    }
    this.check(check);
    return this.render(check);
  }

  /** Error rates and latencies only: a check of your own (CloudWatchHealthCheck) does not measure a target group. */
  private check(check: HealthCheck): void {
    if (check.kind !== HealthCheckKind.ERROR_RATE && check.kind !== HealthCheckKind.LATENCY) {
      fail(`${this.target.where}: health check "${check.name}"`, check.condition(),
        'a target group is measured by error rates and latencies, and this check measures something of its own',
        'Pass HealthCheck.errorRate() or HealthCheck.latency() checks; give a CloudWatch alarm of your own to the rollout (addAlarm()) instead.');
    }
    checkMeasurable(check, this.target);
  }

  private render(check: HealthCheck): cloudwatch.Alarm {
    return renderRequestCheck(this, check, this.target.sources[0].metrics(), this.target.purpose);
  }
}
