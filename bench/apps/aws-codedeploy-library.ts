// N blue-green services released by CodeDeploy, built with the library.
import { BAKE_TIME, declareServices, productionListener, testPort } from './aws-shared';
import { aws, Strategy } from '../../src';
import { measureCdk } from '../harness/cdk';

// CodeDeploy tests through a second listener (testPort), so the strategy has no header test route.
const strategy = Strategy.blueGreen({ bakeTime: BAKE_TIME });

measureCdk((app, services) => declareServices(app, services, { loadBalancer: true }, slot => {
  new aws.EcsRolloutService(slot.stack, `Svc${slot.index}`, {
    cluster: slot.cluster,
    taskDefinition: slot.taskDefinition,
    listener: productionListener(slot),
    strategy,
    controller: aws.EcsController.codeDeploy({ testPort: testPort(slot) }),
  });
}));
