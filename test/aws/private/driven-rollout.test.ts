import { App, Stack } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { HealthCheck, Strategy } from '../../../src';
import { cloudFrontDefaultChecks, pipelineOnly, staticRolloutChecks } from '../../../src/aws/private/driven-rollout';
import { expectValidationError } from '../../support/validation-error';

describe('pipelineOnly', () => {
  test('refuses a step prop and a step context key, which a driven rollout would ignore', () => {
    const scope = new Construct(new Stack(new App({ context: { 'Stack/Web:step': '2' } }), 'Stack'), 'Web');
    expectValidationError(() => pipelineOnly(scope, 'X', 3),
      'X: step is 3: the Step Functions driver runs every step of the plan itself, from the declared start. '
      + 'Leave step out, or drive the rollout with driver: RolloutDriver.pipeline() to deploy one step at a time.');
    expectValidationError(() => pipelineOnly(scope, 'X', undefined),
      'X: context "Stack/Web:step" is "2": the Step Functions driver runs every step of the plan itself, so a step chosen per deploy would be ignored. '
      + 'Stop passing -c Stack/Web:step=..., or drive the rollout with driver: RolloutDriver.pipeline() to deploy one step at a time.');
  });

  test('passes without either', () => {
    expect(() => pipelineOnly(new Construct(new Stack(), 'Web'), 'X', undefined)).not.toThrow();
  });
});

describe('staticRolloutChecks', () => {
  const check = HealthCheck.errorRate({ maxErrorPercent: 2 });
  const strategy = Strategy.CANARY_10PERCENT_5MINUTES.withHealthChecks([check]);

  test('driven: the rollout\'s own, else the strategy\'s, else the defaults', () => {
    expect(staticRolloutChecks('X', true, [], strategy, cloudFrontDefaultChecks())).toEqual([]);
    expect(staticRolloutChecks('X', true, undefined, strategy, cloudFrontDefaultChecks())).toEqual([check]);
    expect(staticRolloutChecks('X', true, undefined, Strategy.CANARY_10PERCENT_5MINUTES, cloudFrontDefaultChecks())).toBe(cloudFrontDefaultChecks());
  });

  test('with the pipeline: none, and a healthChecks prop is refused', () => {
    expect(staticRolloutChecks('X', false, undefined, strategy, [])).toBeUndefined();
    expectValidationError(() => staticRolloutChecks('X', false, [check], strategy, []),
      'X: healthChecks is an array of 1: nothing measures them: the pipeline advances one deploy per step, and nothing rolls the rollout back. '
      + 'Drive the rollout with driver: RolloutDriver.stepFunctions(), which reads their alarms and rolls back, or leave healthChecks out.');
  });

  test('CloudFront\'s default is the 5xx error rate alone', () => {
    expect(cloudFrontDefaultChecks().map(c => c.describe())).toEqual(['error-rate: 5xx above 1% for 2 windows of 1m (10+ requests)']);
  });
});
