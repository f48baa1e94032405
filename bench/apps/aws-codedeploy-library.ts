// N blue-green services released by CodeDeploy, built with the library.
import { BAKE_TIME, declareServices, productionListener, testPort } from './aws-shared';
import { aws, Strategy } from '../../src';
import { measureCdk } from '../harness/cdk';

// The package's aws namespace loads on first use (lazy index). Resolve it here, at import, as the
// hand-written app's imports are, so that the measured window holds the same work on both sides; the
// whole-process time counts the loading either way.
const { EcsRolloutService, EcsController } = aws;

// CodeDeploy tests through a second listener (testPort), so the strategy has no header test route.
const strategy = Strategy.blueGreen({ bakeTime: BAKE_TIME });

measureCdk((app, services) => declareServices(app, services, { loadBalancer: true }, slot => {
  new EcsRolloutService(slot.stack, `Svc${slot.index}`, {
    cluster: slot.cluster,
    taskDefinition: slot.taskDefinition,
    listener: productionListener(slot),
    strategy,
    controller: EcsController.codeDeploy({ testPort: testPort(slot) }),
  });
}));
