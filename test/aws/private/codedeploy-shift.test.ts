import { Duration, App, Stack } from 'aws-cdk-lib';
import { CapacityMode, Match, StepGate, Strategy } from '../../../src';
import { codeDeployShift, customTrafficRouting, limitAlarms, predefinedKey } from '../../../src/aws/private/codedeploy-shift';
import { expectValidationError } from '../../support/validation-error';

const shift = (strategy: Strategy) => codeDeployShift(strategy.plan({ capacity: CapacityMode.FULL_COPY }), 'Thing: strategy', 'CodeDeploy for ECS', 'Test some other way.');

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

  test('a canary\'s test route is refused with the fix the caller names', () => {
    expectValidationError(() => shift(Strategy.canary({ testRoute: Match.header('x-qa', '1'), steps: [{ weight: 10, gate: StepGate.bake(Duration.minutes(5)) }] })),
      'Thing: strategy is "canary test route header x-qa=1 → 10% (bake 5m) → 100%": CodeDeploy for ECS shifts traffic by weight only and cannot send the requests of a test route (header x-qa=1) to the new version first. Test some other way.');
  });

  test('a linear interval that is not whole minutes is refused', () => {
    expectValidationError(() => shift(Strategy.linear({ stepPercent: 10, interval: Duration.seconds(45) })),
      'Thing: strategy is "linear 10% every 45s": CodeDeploy for ECS counts the time between shifts in whole minutes, and bake 45s is not. Round the bake time to whole minutes.');
  });
});

describe('predefinedKey and customTrafficRouting', () => {
  test('keys name the shape CodeDeploy presets are named by', () => {
    expect(predefinedKey({ kind: 'ALL_AT_ONCE' })).toBe('ALL_AT_ONCE');
    expect(predefinedKey({ kind: 'CANARY', percentage: 10, intervalMinutes: 5 })).toBe('CANARY 10 5');
    expect(predefinedKey({ kind: 'LINEAR', percentage: 10, intervalMinutes: 1 })).toBe('LINEAR 10 1');
  });

  test('custom routing is time-based canary or linear with the shift\'s numbers', () => {
    const stack = new Stack();
    expect(stack.resolve(customTrafficRouting({ kind: 'CANARY', percentage: 20, intervalMinutes: 7 }).bind(stack)))
      .toEqual({ type: 'TimeBasedCanary', timeBasedCanary: { canaryInterval: 7, canaryPercentage: 20 } });
    expect(stack.resolve(customTrafficRouting({ kind: 'LINEAR', percentage: 25, intervalMinutes: 4 }).bind(stack)))
      .toEqual({ type: 'TimeBasedLinear', timeBasedLinear: { linearInterval: 4, linearPercentage: 25 } });
  });
});

test('limitAlarms fails synthesis past 50 alarms, and not at 50', () => {
  const app = new App({ builtinCloudFormationValidation: false });
  const stack = new Stack(app, 'Stack');
  let count = 50;
  limitAlarms(stack, 'Thing: alarms', () => count, 'each health check renders one alarm');
  expect(stack.node.validate()).toEqual([]);
  count = 51;
  expect(stack.node.validate()).toEqual([
    'Thing: alarms is 51 alarms: CodeDeploy allows at most 50 per deployment group, health checks\' alarms included (each health check renders one alarm). '
    + 'Combine alarms into a composite alarm (cloudwatch.CompositeAlarm) and pass it with aws.CloudWatchHealthCheck.alarm(), or declare fewer health checks.',
  ]);
});
