// N blue-green services released by native ECS deployments, written by hand with aws-cdk-lib,
// emitting what the library emits for aws-native-library.ts.
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { Construct } from 'constructs';
import { blueGreenTargetGroups, targetGroupAlarms } from './aws-alarms';
import {
  BAKE_TIME, CONTAINER_NAME, CONTAINER_PORT, declareServices, hostName, rulePriority, ServiceSlot, sharedListener, TEST_HEADER, TEST_SOURCES,
} from './aws-shared';
import { measureCdk } from '../harness/cdk';

/** A Fargate service behind a host-name rule, with a header test route open to private addresses only. */
class BlueGreenService extends Construct {
  constructor(scope: Construct, id: string, slot: ServiceSlot) {
    super(scope, id);
    const listener = sharedListener(slot);
    const { blue, green, forward } = blueGreenTargetGroups(this, slot.vpc, CONTAINER_PORT);
    const host = elbv2.ListenerCondition.hostHeaders([hostName(slot)]);
    const priority = rulePriority(slot);
    const production = new elbv2.ApplicationListenerRule(this, 'ProductionRule', {
      listener, priority, conditions: [host], action: forward(100),
    });
    const test = new elbv2.ApplicationListenerRule(this, 'TestRule', {
      listener,
      priority: priority - 1,
      conditions: [host, elbv2.ListenerCondition.httpHeader(TEST_HEADER.name, [TEST_HEADER.value]), elbv2.ListenerCondition.sourceIps(TEST_SOURCES)],
      action: forward(0),
    });
    const alarms = [...targetGroupAlarms(this, 'Blue', blue), ...targetGroupAlarms(this, 'Green', green)];

    const service = new ecs.FargateService(this, 'Service', {
      cluster: slot.cluster,
      taskDefinition: slot.taskDefinition,
      minHealthyPercent: 100,
      maxHealthyPercent: 200,
      circuitBreaker: { enable: true, rollback: true },
      deploymentStrategy: ecs.DeploymentStrategy.BLUE_GREEN,
      bakeTime: BAKE_TIME,
      deploymentAlarms: { alarmNames: alarms.map(a => a.alarmName), behavior: ecs.AlarmBehavior.ROLLBACK_ON_ALARM },
    });
    service.loadBalancerTarget({
      containerName: CONTAINER_NAME,
      containerPort: CONTAINER_PORT,
      alternateTarget: new ecs.AlternateTarget('AlternateTarget', {
        alternateTargetGroup: green,
        productionListener: ecs.ListenerRuleConfiguration.applicationListenerRule(production),
        testListener: ecs.ListenerRuleConfiguration.applicationListenerRule(test),
      }),
    }).attachToApplicationTargetGroup(blue);
  }
}

measureCdk((app, services) => declareServices(app, services, { loadBalancer: true }, slot => {
  new BlueGreenService(slot.stack, `Svc${slot.index}`, slot);
}));
