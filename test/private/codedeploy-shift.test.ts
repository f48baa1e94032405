import { Duration } from 'aws-cdk-lib';
import { CapacityMode, StepGate, Strategy } from '../../src';
import { codeDeployShift } from '../../src/private/codedeploy-shift';
import { expectValidationError } from '../support/validation-error';

const shift = (strategy: Strategy) => codeDeployShift(strategy.plan({ capacity: CapacityMode.FULL_COPY }), 'Thing: strategy', 'CodeDeploy for ECS');

describe('codeDeployShift', () => {
  test('all at once and blue-green shift everything in one go', () => {
    expect(shift(Strategy.ALL_AT_ONCE)).toEqual({ kind: 'ALL_AT_ONCE' });
    expect(shift(Strategy.BLUE_GREEN)).toEqual({ kind: 'ALL_AT_ONCE' });
  });

  test('a one-step canary becomes its percentage and interval in minutes', () => {
    expect(shift(Strategy.canary({ steps: [{ weight: 15, gate: StepGate.bake(Duration.hours(2)) }] })))
      .toEqual({ kind: 'CANARY', percentage: 15, intervalMinutes: 120 });
  });

  test('a linear strategy becomes its step and interval in minutes', () => {
    expect(shift(Strategy.linear({ stepPercent: 20, interval: Duration.minutes(3) })))
      .toEqual({ kind: 'LINEAR', percentage: 20, intervalMinutes: 3 });
  });

  test('names the controller it was asked for', () => {
    expectValidationError(() => shift(Strategy.linear({ stepPercent: 12.5, interval: Duration.minutes(3) })),
      'Thing: strategy is "linear 12.5% every 3m": CodeDeploy for ECS shifts whole percents of traffic, and 12.5% is not. Round the weight to a whole percent.');
  });

  test('a linear interval that is not whole minutes is refused', () => {
    expectValidationError(() => shift(Strategy.linear({ stepPercent: 10, interval: Duration.seconds(45) })),
      'Thing: strategy is "linear 10% every 45s": CodeDeploy for ECS counts the time between shifts in whole minutes, and bake 45s is not. Round the bake time to whole minutes.');
  });
});
