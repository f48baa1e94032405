// N blue-green services released by native ECS deployments, built with the library.
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { BAKE_TIME, declareServices, hostName, rulePriority, sharedListener, TEST_HEADER } from './aws-shared';
import { aws, Match, Strategy } from '../../src';
import { measureCdk } from '../harness/cdk';

// The package's aws namespace loads on first use (lazy index). Resolve it here, at import, as the
// hand-written app's imports are, so that the measured window holds the same work on both sides; the
// whole-process time counts the loading either way.
const { EcsRolloutService } = aws;

// Declared once, as a platform team does, and used by every service.
const strategy = Strategy.blueGreen({ testRoute: Match.header(TEST_HEADER.name, TEST_HEADER.value), bakeTime: BAKE_TIME });

measureCdk((app, services) => declareServices(app, services, { loadBalancer: true }, slot => {
  new EcsRolloutService(slot.stack, `Svc${slot.index}`, {
    cluster: slot.cluster,
    taskDefinition: slot.taskDefinition,
    listener: sharedListener(slot),
    priority: rulePriority(slot),
    conditions: [elbv2.ListenerCondition.hostHeaders([hostName(slot)])],
    strategy,
  });
}));
