import { Duration, Lazy, Token } from 'aws-cdk-lib';
import * as cdk8s from 'cdk8s';
import { StepGate, StepGateKind } from '../../src';
import { expectValidationError } from '../support/validation-error';

const BAKE_FIX = 'A bake time gives alarms time to catch a fault; use at least Duration.seconds(1).';
const APPROVAL_FIX = 'Use at least Duration.seconds(1), or leave the timeout out to wait indefinitely.';
const ANALYSIS_FIX = 'An analysis needs time to collect measurements; use at least Duration.seconds(1).';
const DNS_LIMIT = 'a name must be a DNS label: 1-63 lowercase letters, digits or "-", starting and ending with a letter or digit. Use a name such as "error-rate".';
const REQUIRE_LIMIT = 'a gate is made with StepGate.bake(), StepGate.manualApproval() or StepGate.analysis(). For example gate: StepGate.bake(Duration.minutes(5)).';

function tokenMinutes(): Duration {
  return Duration.minutes(Token.asNumber(Lazy.number({ produce: () => 5 })));
}

describe('StepGate.bake', () => {
  test('holds the step for exactly the bake time', () => {
    const gate = StepGate.bake(Duration.minutes(10));
    expect(gate.kind).toBe(StepGateKind.BAKE);
    expect(gate.analysisName).toBeUndefined();
    expect(gate.minimumDuration.toSeconds()).toBe(600);
    expect(gate.maximumDuration?.toSeconds()).toBe(600);
  });

  test('accepts the one-second minimum', () => {
    expect(StepGate.bake(Duration.seconds(1)).minimumDuration.toSeconds()).toBe(1);
  });

  test('accepts whole seconds given in milliseconds', () => {
    expect(StepGate.bake(Duration.millis(2000)).minimumDuration.toSeconds()).toBe(2);
  });

  test('describes itself with a compact duration', () => {
    expect(StepGate.bake(Duration.minutes(5)).describe()).toBe('bake 5m');
    expect(StepGate.bake(Duration.minutes(90)).describe()).toBe('bake 1h 30m');
    expect(StepGate.bake(Duration.hours(52)).describe()).toBe('bake 2d 4h');
  });

  test("rejects cdk8s's Duration, naming the one to import (a cdk8s app's first mistake)", () => {
    expectValidationError(() => StepGate.bake(cdk8s.Duration.minutes(5) as unknown as Duration),
      "StepGate.bake: duration is cdk8s's Duration (5 minutes): cdk-deploy-strategies takes aws-cdk-lib's Duration, in cdk8s apps too. "
      + "Import Duration from aws-cdk-lib (import { Duration } from 'aws-cdk-lib'), not from cdk8s, for every duration you give the library.");
  });

  test('rejects a zero duration', () => {
    expectValidationError(() => StepGate.bake(Duration.seconds(0)),
      `StepGate.bake: duration is 0 seconds: it must be at least 1 second. ${BAKE_FIX}`);
  });

  test('rejects a fractional number of seconds', () => {
    expectValidationError(() => StepGate.bake(Duration.millis(1500)),
      'StepGate.bake: duration is 1 second 500 millis: durations are whole seconds. Round the duration to whole seconds.');
  });

  test('rejects less than a second as fractional rather than as too short', () => {
    expectValidationError(() => StepGate.bake(Duration.millis(500)),
      'StepGate.bake: duration is 500 millis: durations are whole seconds. Round the duration to whole seconds.');
  });

  test('rejects a number of seconds from a JavaScript caller', () => {
    expectValidationError(() => StepGate.bake(300 as any),
      `StepGate.bake: duration is 300: it must be a Duration. Pass a Duration, for example Duration.minutes(5). ${BAKE_FIX}`);
  });

  test('rejects a missing duration from a JavaScript caller', () => {
    expectValidationError(() => (StepGate.bake as any)(),
      `StepGate.bake: duration is undefined: it must be a Duration. Pass a Duration, for example Duration.minutes(5). ${BAKE_FIX}`);
  });

  test('rejects a duration string from a JavaScript caller', () => {
    expectValidationError(() => StepGate.bake('5m' as any),
      `StepGate.bake: duration is "5m": it must be a Duration. Pass a Duration, for example Duration.minutes(5). ${BAKE_FIX}`);
  });

  test('rejects an unresolved token duration with the library error', () => {
    expectValidationError(() => StepGate.bake(tokenMinutes()),
      'StepGate.bake: duration is an unresolved token: the traffic plan needs a concrete duration. Pass a literal Duration, not a token.');
  });
});

describe('StepGate.manualApproval', () => {
  test('without a timeout may pass at once and has no upper bound', () => {
    const gate = StepGate.manualApproval();
    expect(gate.kind).toBe(StepGateKind.MANUAL_APPROVAL);
    expect(gate.analysisName).toBeUndefined();
    expect(gate.minimumDuration.toSeconds()).toBe(0);
    expect(gate.maximumDuration).toBeUndefined();
  });

  test('with empty props or an undefined timeout waits indefinitely', () => {
    expect(StepGate.manualApproval({}).maximumDuration).toBeUndefined();
    expect(StepGate.manualApproval({ timeout: undefined }).maximumDuration).toBeUndefined();
  });

  test('with a timeout may pass at once and is held at most until the timeout', () => {
    const gate = StepGate.manualApproval({ timeout: Duration.hours(4) });
    expect(gate.minimumDuration.toSeconds()).toBe(0);
    expect(gate.maximumDuration?.toSeconds()).toBe(4 * 3600);
  });

  test('describes itself with and without a timeout', () => {
    expect(StepGate.manualApproval().describe()).toBe('manual approval');
    expect(StepGate.manualApproval({ timeout: Duration.hours(4) }).describe()).toBe('manual approval (timeout 4h)');
  });

  test('rejects a zero timeout', () => {
    expectValidationError(() => StepGate.manualApproval({ timeout: Duration.seconds(0) }),
      `StepGate.manualApproval: timeout is 0 seconds: it must be at least 1 second. ${APPROVAL_FIX}`);
  });

  test('rejects a fractional timeout', () => {
    expectValidationError(() => StepGate.manualApproval({ timeout: Duration.millis(1500) }),
      'StepGate.manualApproval: timeout is 1 second 500 millis: durations are whole seconds. Round the duration to whole seconds.');
  });

  test('rejects a timeout string from a JavaScript caller', () => {
    expectValidationError(() => StepGate.manualApproval({ timeout: '4h' as any }),
      `StepGate.manualApproval: timeout is "4h": it must be a Duration. Pass a Duration, for example Duration.minutes(5). ${APPROVAL_FIX}`);
  });

  test('rejects props that are a string', () => {
    expectValidationError(() => StepGate.manualApproval('4h' as any),
      'StepGate.manualApproval: props is "4h": it must be an object. Pass an object such as { timeout: Duration.hours(1) }.');
  });

  test('rejects props that are null', () => {
    expectValidationError(() => StepGate.manualApproval(null as any),
      'StepGate.manualApproval: props is null: it must be an object. Pass an object such as { timeout: Duration.hours(1) }.');
  });

  test('rejects props that are an array', () => {
    expectValidationError(() => StepGate.manualApproval([Duration.hours(1)] as any),
      'StepGate.manualApproval: props is an array of 1: it must be an object. Pass an object such as { timeout: Duration.hours(1) }.');
  });
});

describe('StepGate.analysis', () => {
  test('holds the step for exactly the analysis time and keeps the name', () => {
    const gate = StepGate.analysis({ name: 'checkout-error-rate', duration: Duration.minutes(15) });
    expect(gate.kind).toBe(StepGateKind.ANALYSIS);
    expect(gate.analysisName).toBe('checkout-error-rate');
    expect(gate.minimumDuration.toSeconds()).toBe(900);
    expect(gate.maximumDuration?.toSeconds()).toBe(900);
  });

  test('describes itself with its name and duration', () => {
    expect(StepGate.analysis({ name: 'error-rate', duration: Duration.minutes(15) }).describe()).toBe('analysis error-rate 15m');
    expect(StepGate.analysis({ name: 'latency', duration: Duration.seconds(3601) }).describe()).toBe('analysis latency 1h 1s');
  });

  test('rejects a name that is not a DNS label', () => {
    expectValidationError(() => StepGate.analysis({ name: 'Error_Rate', duration: Duration.minutes(15) }),
      `StepGate.analysis: name is "Error_Rate": ${DNS_LIMIT}`);
  });

  test('rejects an empty name', () => {
    expectValidationError(() => StepGate.analysis({ name: '', duration: Duration.minutes(15) }),
      `StepGate.analysis: name is "": ${DNS_LIMIT}`);
  });

  test('rejects a missing name from a JavaScript caller', () => {
    expectValidationError(() => StepGate.analysis({ duration: Duration.minutes(15) } as any),
      `StepGate.analysis: name is undefined: ${DNS_LIMIT}`);
  });

  test('rejects a zero duration', () => {
    expectValidationError(() => StepGate.analysis({ name: 'error-rate', duration: Duration.seconds(0) }),
      `StepGate.analysis: duration is 0 seconds: it must be at least 1 second. ${ANALYSIS_FIX}`);
  });

  test('rejects a fractional duration', () => {
    expectValidationError(() => StepGate.analysis({ name: 'error-rate', duration: Duration.millis(60500) }),
      'StepGate.analysis: duration is 1 minute 500 millis: durations are whole seconds. Round the duration to whole seconds.');
  });

  test('rejects a missing duration from a JavaScript caller', () => {
    expectValidationError(() => StepGate.analysis({ name: 'error-rate' } as any),
      `StepGate.analysis: duration is undefined: it must be a Duration. Pass a Duration, for example Duration.minutes(5). ${ANALYSIS_FIX}`);
  });

  test('checks the name before the duration', () => {
    expectValidationError(() => StepGate.analysis({ name: 'Bad', duration: Duration.seconds(0) }),
      `StepGate.analysis: name is "Bad": ${DNS_LIMIT}`);
  });

  test('rejects missing props from a JavaScript caller', () => {
    expectValidationError(() => (StepGate.analysis as any)(),
      'StepGate.analysis: props is undefined: it must be an object. Pass an object such as { name: "error-rate", duration: Duration.minutes(10) }.');
  });

  test('rejects props that are a string', () => {
    expectValidationError(() => StepGate.analysis('error-rate' as any),
      'StepGate.analysis: props is "error-rate": it must be an object. Pass an object such as { name: "error-rate", duration: Duration.minutes(10) }.');
  });

  test('rejects an unresolved token duration with the library error', () => {
    expectValidationError(() => StepGate.analysis({ name: 'error-rate', duration: tokenMinutes() }),
      'StepGate.analysis: duration is an unresolved token: the traffic plan needs a concrete duration. Pass a literal Duration, not a token.');
  });
});

describe('StepGate._require', () => {
  test('returns the gate it is given', () => {
    const gate = StepGate.manualApproval();
    expect(StepGate._require('Strategy.canary: steps[0].gate', gate)).toBe(gate);
    expect(StepGate._isStepGate(gate)).toBe(true);
  });

  test('rejects a bare Duration', () => {
    expectValidationError(() => StepGate._require('Strategy.canary: steps[0].gate', Duration.minutes(5)),
      `Strategy.canary: steps[0].gate is 5 minutes: ${REQUIRE_LIMIT}`);
  });

  test('rejects a plain object shaped like a gate', () => {
    expect(StepGate._isStepGate({ kind: StepGateKind.BAKE })).toBe(false);
    expectValidationError(() => StepGate._require('Strategy.canary: steps[0].gate', { kind: StepGateKind.BAKE }),
      `Strategy.canary: steps[0].gate is an object: ${REQUIRE_LIMIT}`);
  });

  test('rejects undefined', () => {
    expectValidationError(() => StepGate._require('Strategy.canary: steps[0].gate', undefined),
      `Strategy.canary: steps[0].gate is undefined: ${REQUIRE_LIMIT}`);
  });

  test('rejects a gate kind string', () => {
    expectValidationError(() => StepGate._require('Strategy.canary: steps[0].gate', 'BAKE'),
      `Strategy.canary: steps[0].gate is "BAKE": ${REQUIRE_LIMIT}`);
  });
});

test('a Duration passed where the approval props go is refused, not read as "no timeout"', () => {
  expectValidationError(() => StepGate.manualApproval(Duration.hours(4) as any),
    'StepGate.manualApproval: props is 4 hours: it must be a plain object of props, not an instance of a class. Pass an object such as { timeout: Duration.hours(1) }.');
});

test('duration and timeout expose what renderers need', () => {
  expect(StepGate.bake(Duration.minutes(5)).duration?.toSeconds()).toBe(300);
  expect(StepGate.bake(Duration.minutes(5)).timeout).toBeUndefined();
  expect(StepGate.analysis({ name: 'error-rate', duration: Duration.minutes(2) }).duration?.toSeconds()).toBe(120);
  expect(StepGate.manualApproval({ timeout: Duration.hours(1) }).timeout?.toSeconds()).toBe(3600);
  expect(StepGate.manualApproval({ timeout: Duration.hours(1) }).duration).toBeUndefined();
  expect(StepGate.manualApproval().timeout).toBeUndefined();
});
