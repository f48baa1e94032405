// The rollback alarms an engineer writes by hand for each target group of a blue-green service, the
// same as the library's default health checks render: more than 1% of 5xx, or a p99 latency above
// 2 s, for 2 one-minute windows of at least 10 requests (metric math; a quiet window gives no data).
import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { Construct } from 'constructs';

export function targetGroupAlarms(scope: Construct, id: string, targetGroup: elbv2.ApplicationTargetGroup): cloudwatch.Alarm[] {
  const period = Duration.minutes(1);
  const requests = targetGroup.metrics.requestCount({ period, statistic: cloudwatch.Stats.SUM });
  const common = {
    evaluationPeriods: 2,
    datapointsToAlarm: 2,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
    treatMissingData: cloudwatch.TreatMissingData.MISSING,
  };
  return [
    new cloudwatch.Alarm(scope, `${id}ErrorRate`, {
      ...common,
      alarmDescription: 'Health check error-rate: 5xx above 1% for 2 windows of 1m (10+ requests), '
        + `measured on target group ${targetGroup.node.path}: rolls the deployment back.`,
      metric: new cloudwatch.MathExpression({
        expression: 'IF(requests >= 10, 100 * errors / requests)',
        label: 'error-rate',
        usingMetrics: {
          requests,
          errors: targetGroup.metrics.httpCodeTarget(elbv2.HttpCodeTarget.TARGET_5XX_COUNT, { period, statistic: cloudwatch.Stats.SUM }),
        },
        period,
      }),
      threshold: 1,
    }),
    new cloudwatch.Alarm(scope, `${id}P99Latency`, {
      ...common,
      alarmDescription: 'Health check latency-p99: p99 above 2s for 2 windows of 1m (10+ requests), '
        + `measured on target group ${targetGroup.node.path}: rolls the deployment back.`,
      metric: new cloudwatch.MathExpression({
        expression: 'IF(requests >= 10, latency)',
        label: 'latency-p99',
        usingMetrics: { requests, latency: targetGroup.metrics.targetResponseTime({ period, statistic: cloudwatch.Stats.p(99) }) },
        period,
      }),
      threshold: 2,
    }),
  ];
}

/** A blue and a green target group for the service's container, tasks registered by IP (awsvpc). */
export function blueGreenTargetGroups(scope: Construct, vpc: elbv2.ApplicationTargetGroupProps['vpc'], port: number) {
  const props: elbv2.ApplicationTargetGroupProps = { vpc, port, protocol: elbv2.ApplicationProtocol.HTTP, targetType: elbv2.TargetType.IP };
  const blue = new elbv2.ApplicationTargetGroup(scope, 'Blue', props);
  const green = new elbv2.ApplicationTargetGroup(scope, 'Green', props);
  // Both groups in every forward action: the deployment controller rewrites the weights.
  const forward = (blueWeight: number) => elbv2.ListenerAction.weightedForward([
    { targetGroup: blue, weight: blueWeight },
    { targetGroup: green, weight: 100 - blueWeight },
  ]);
  return { blue, green, forward };
}
