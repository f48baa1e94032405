// The rollback alarms an engineer writes by hand for each target group of a blue-green service:
// 5 or more 5xx, or a p99 latency of 2 s or more, for 2 one-minute periods.
import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { Construct } from 'constructs';

export function targetGroupAlarms(scope: Construct, id: string, targetGroup: elbv2.ApplicationTargetGroup): cloudwatch.Alarm[] {
  const period = Duration.minutes(1);
  const common = {
    evaluationPeriods: 2,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
  };
  return [
    new cloudwatch.Alarm(scope, `${id}Http5xx`, {
      ...common,
      alarmDescription: `5xx responses from ${targetGroup.node.path}: rolls the deployment back`,
      metric: targetGroup.metrics.httpCodeTarget(elbv2.HttpCodeTarget.TARGET_5XX_COUNT, { period, statistic: cloudwatch.Stats.SUM }),
      threshold: 5,
    }),
    new cloudwatch.Alarm(scope, `${id}P99Latency`, {
      ...common,
      alarmDescription: `p99 latency of ${targetGroup.node.path}: rolls the deployment back`,
      metric: targetGroup.metrics.targetResponseTime({ period, statistic: cloudwatch.Stats.p(99) }),
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
