// N blue-green services released by CodeDeploy with @cdklabs/cdk-ecs-codedeploy's load-balanced
// pattern, on its defaults: a load balancer, test listener and access log bucket per service, and
// a custom resource (with its own provider) that starts a deployment on each deploy.
import { ApplicationLoadBalancedCodeDeployedFargateService } from '@cdklabs/cdk-ecs-codedeploy';
import { Duration } from 'aws-cdk-lib';
import * as codedeploy from 'aws-cdk-lib/aws-codedeploy';
import { BAKE_TIME, declareServices } from './aws-shared';
import { measureCdk } from '../harness/cdk';

measureCdk((app, services) => declareServices(app, services, { loadBalancer: false }, slot => {
  new ApplicationLoadBalancedCodeDeployedFargateService(slot.stack, `Svc${slot.index}`, {
    cluster: slot.cluster,
    taskDefinition: slot.taskDefinition,
    publicLoadBalancer: false,
    deploymentConfig: codedeploy.EcsDeploymentConfig.ALL_AT_ONCE,
    terminationWaitTime: BAKE_TIME,
    // Its rollback alarm (a composite health alarm over a p95 latency alarm); without it, none.
    responseTimeAlarmThreshold: Duration.seconds(2),
  });
}));
