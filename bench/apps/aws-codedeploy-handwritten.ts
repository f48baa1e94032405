// N blue-green services released by CodeDeploy, written by hand with aws-cdk-lib, emitting what
// the library emits for aws-codedeploy-library.ts.
import * as codedeploy from 'aws-cdk-lib/aws-codedeploy';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { Construct } from 'constructs';
import { blueGreenTargetGroups, targetGroupAlarms } from './aws-alarms';
import { BAKE_TIME, CONTAINER_PORT, declareServices, productionListener, ServiceSlot, TEST_SOURCES, testPort } from './aws-shared';
import { measureCdk } from '../harness/cdk';

/** A Fargate service on the CODE_DEPLOY controller, with a test listener open to private addresses only. */
class CodeDeployedService extends Construct {
  constructor(scope: Construct, id: string, slot: ServiceSlot) {
    super(scope, id);
    const listener = productionListener(slot);
    const { blue, green, forward } = blueGreenTargetGroups(this, slot.vpc, CONTAINER_PORT);
    listener.addAction('Forward', { action: forward(100) });
    const testListener = new elbv2.ApplicationListener(this, 'TestListener', {
      loadBalancer: slot.loadBalancer!,
      port: testPort(slot),
      protocol: elbv2.ApplicationProtocol.HTTP,
      open: false,
      defaultAction: forward(100),
    });
    for (const cidr of TEST_SOURCES) testListener.connections.allowDefaultPortFrom(ec2.Peer.ipv4(cidr), `CodeDeploy test listener, from ${cidr}`);

    const service = new ecs.FargateService(this, 'Service', {
      cluster: slot.cluster,
      taskDefinition: slot.taskDefinition,
      deploymentController: { type: ecs.DeploymentControllerType.CODE_DEPLOY },
      minHealthyPercent: 100,
      maxHealthyPercent: 200,
    });
    service.attachToApplicationTargetGroup(blue);

    new codedeploy.EcsDeploymentGroup(this, 'DeploymentGroup', {
      service,
      deploymentConfig: codedeploy.EcsDeploymentConfig.ALL_AT_ONCE,
      blueGreenDeploymentConfig: { blueTargetGroup: blue, greenTargetGroup: green, listener, testListener, terminationWaitTime: BAKE_TIME },
      alarms: [...targetGroupAlarms(this, 'Blue', blue), ...targetGroupAlarms(this, 'Green', green)],
      autoRollback: { failedDeployment: true, stoppedDeployment: true },
    });
  }
}

measureCdk((app, services) => declareServices(app, services, { loadBalancer: true }, slot => {
  new CodeDeployedService(slot.stack, `Svc${slot.index}`, slot);
}));
