import { Stack } from 'aws-cdk-lib';
import * as codedeploy from 'aws-cdk-lib/aws-codedeploy';
import * as fc from 'fast-check';
import { EcsCodeDeployControllerOptions, EcsController, EcsControllerKind } from '../../src/aws/ecs-controller';
import { mostly, oddValueArb } from '../support/arbitraries';
import { expectBuildsOrRefuses } from '../support/properties';
import { real, REAL } from '../support/rollout-arbitraries';
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

  test('refuses an application that is not a CodeDeploy application, or one for another compute platform', () => {
    expectValidationError(() => EcsController.codeDeploy({ application: 'web' as any }),
      'EcsController.codeDeploy: application is "web": it must be a CodeDeploy application. Pass a codedeploy.EcsApplication, or one imported with EcsApplication.fromEcsApplicationName(), or leave it out for a new application.');
    const lambdaApplication = new codedeploy.LambdaApplication(new Stack(), 'App');
    expectValidationError(() => EcsController.codeDeploy({ application: lambdaApplication as any }),
      'EcsController.codeDeploy: application is "Default/App": it is an application for the Lambda compute platform, and this deployment group deploys to ECS. Pass a codedeploy.EcsApplication, or one imported with EcsApplication.fromEcsApplicationName(), or leave it out for a new application.');
  });

  test.each(['web production', '', 'x'.repeat(101), 'web/prod'])('refuses deployment group name %p, which aws-cdk-lib would refuse at synth', name => {
    expectValidationError(() => EcsController.codeDeploy({ deploymentGroupName: name }),
      `EcsController.codeDeploy: deploymentGroupName is ${JSON.stringify(name)}: a CodeDeploy deployment group name is 1 to 100 letters, digits or . _ + = , @ -. Use a name such as "web-production", or leave it out for a generated one.`);
  });

  test('refuses options that are not an object', () => {
    expectValidationError(() => EcsController.codeDeploy(9000 as any),
      'EcsController.codeDeploy: options is 9000: it must be an object. Pass { testPort, application, deploymentGroupName }.');
  });
});

describe('random props', () => {
  const optionsArb = fc.record({
    testPort: fc.option(mostly<unknown>(fc.integer({ min: 1, max: 65535 }), fc.oneof(fc.integer(), fc.double(), oddValueArb)), { nil: undefined }),
    application: fc.option(mostly<unknown>(fc.constant(REAL), fc.oneof(fc.constant('lambda'), oddValueArb)), { nil: undefined }),
    deploymentGroupName: fc.option(mostly<unknown>(fc.stringMatching(/^[a-zA-Z0-9._+=,@-]{1,100}$/), fc.oneof(fc.string(), oddValueArb)), { nil: undefined }),
  }, { requiredKeys: [] });

  test('codeDeploy() either keeps its options or refuses them with the library error', () => {
    expectBuildsOrRefuses(mostly<unknown>(optionsArb), options => {
      const stack = new Stack();
      const given = typeof options === 'object' && options !== null && 'application' in options
        ? {
          ...options,
          application: options.application === 'lambda' ? new codedeploy.LambdaApplication(stack, 'LambdaApp')
            : real(options.application, () => new codedeploy.EcsApplication(stack, 'App')),
        } : options;
      const controller = EcsController.codeDeploy(given as EcsCodeDeployControllerOptions);
      expect(controller.kind).toBe(EcsControllerKind.CODE_DEPLOY);
      const kept = (given ?? {}) as EcsCodeDeployControllerOptions;
      expect([controller.testPort, controller.application, controller.deploymentGroupName])
        .toEqual([kept.testPort, kept.application, kept.deploymentGroupName]);
    }, { quickRuns: 50 });
  });
});
