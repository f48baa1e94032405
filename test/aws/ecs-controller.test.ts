import { Stack } from 'aws-cdk-lib';
import * as codedeploy from 'aws-cdk-lib/aws-codedeploy';
import { EcsController, EcsControllerKind } from '../../src/aws/ecs-controller';
import { expectValidationError } from '../support/validation-error';

describe('EcsController', () => {
  test('NATIVE is the native controller, with no CodeDeploy options', () => {
    expect(EcsController.NATIVE.kind).toBe(EcsControllerKind.NATIVE);
    expect(EcsController.NATIVE.testPort).toBeUndefined();
  });

  test('codeDeploy() keeps its options', () => {
    const application = codedeploy.EcsApplication.fromEcsApplicationName(new Stack(), 'App', 'web');
    const controller = EcsController.codeDeploy({ testPort: 9000, application, deploymentGroupName: 'web' });
    expect(controller.kind).toBe(EcsControllerKind.CODE_DEPLOY);
    expect(controller.testPort).toBe(9000);
    expect(controller.application).toBe(application);
    expect(controller.deploymentGroupName).toBe('web');
    expect(EcsController.codeDeploy().testPort).toBeUndefined();
  });

  test.each([0, 65536, 80.5, NaN, '9000'])('refuses test port %p', port => {
    const shown = typeof port === 'string' ? `"${port}"` : String(port);
    expectValidationError(() => EcsController.codeDeploy({ testPort: port as number }),
      `EcsController.codeDeploy: testPort is ${shown}: a listener port is a whole number from 1 to 65535. Use a free port of the load balancer, such as 9000.`);
  });

  test('refuses options that are not an object', () => {
    expectValidationError(() => EcsController.codeDeploy(9000 as any),
      'EcsController.codeDeploy: options is 9000: it must be an object. Pass { testPort, application, deploymentGroupName }.');
  });
});
