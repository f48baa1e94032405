import { Duration } from 'aws-cdk-lib';
import { Chart, Testing } from 'cdk8s';
import { Construct } from 'constructs';
import { StepGate, Strategy } from '../../../src';
import { currentStep, registerStepRollout, stepContextKey } from '../../../src/core/private/step';
import { expectValidationError } from '../../support/validation-error';

const plan = Strategy.canary({
  steps: [{ weight: 10, gate: StepGate.bake(Duration.minutes(5)) }, { weight: 50, gate: StepGate.manualApproval() }],
}).plan({ replicas: 10 });
const RANGE = 'the plan has steps 1 to 3 (canary 10% (bake 5m) → 50% (manual approval) → 100%). '
  + 'Render a step from 1 to 3, numbered as in the plan\'s table (step 3 sends everything to the candidate).';

/** A construct under a chart whose context holds `context`, set before the construct is added. */
function construct(context?: Record<string, unknown>): Construct {
  const chart = Testing.chart();
  for (const [key, value] of Object.entries(context ?? {})) chart.node.setContext(key, value);
  return new Construct(chart, 'web');
}

test('the context key is the construct path and ":step"', () => {
  expect(stepContextKey(construct())).toBe('test/web:step');
});

test('renders step 1 without a prop or context', () => {
  expect(currentStep(construct(), 'where', undefined, plan)).toBe(plan.steps[0]);
});

test('the prop chooses the step, numbered from 1', () => {
  expect(currentStep(construct(), 'where', 1, plan)).toBe(plan.steps[0]);
  expect(currentStep(construct(), 'where', 3, plan)).toBe(plan.steps[2]);
});

test('the context chooses the step, as a number or as the text of an environment variable', () => {
  expect(currentStep(construct({ 'test/web:step': 2 }), 'where', undefined, plan)).toBe(plan.steps[1]);
  expect(currentStep(construct({ 'test/web:step': '3' }), 'where', undefined, plan)).toBe(plan.steps[2]);
  expect(currentStep(construct({ 'test/web:step': ' 2\n' }), 'where', undefined, plan)).toBe(plan.steps[1]);
});

test('the prop wins over the context', () => {
  expect(currentStep(construct({ 'test/web:step': 3 }), 'where', 1, plan)).toBe(plan.steps[0]);
});

test('context set for another construct does not apply', () => {
  expect(currentStep(construct({ 'test/api:step': 3 }), 'where', undefined, plan)).toBe(plan.steps[0]);
});

test.each([
  ['0', 0, '0'],
  ['above the last step', 4, '4'],
  ['a fraction', 1.5, '1.5'],
  ['text', 'two', '"two"'],
])('refuses a prop step that is %s', (_, value, shown) => {
  expectValidationError(() => currentStep(construct(), 'Thing test/web', value, plan), `Thing test/web: step is ${shown}: ${RANGE}`);
});

test.each([
  ['above the last step', '4', '"4"'],
  ['not a number', 'last', '"last"'],
  ['negative', -1, '-1'],
])('refuses a context step that is %s, naming the key', (_, value, shown) => {
  expectValidationError(() => currentStep(construct({ 'test/web:step': value }), 'Thing test/web', undefined, plan),
    `Thing test/web: context "test/web:step" is ${shown}: ${RANGE}`);
});

describe('a step key that names no rollout fails synthesis', () => {
  /** An app with rollouts `shop/web` and `shop/api` (bare constructs that read their step key), and `context` set on the app. */
  function app(context: Record<string, unknown> = {}) {
    const root = Testing.app();
    for (const [key, value] of Object.entries(context)) root.node.setContext(key, value);
    const chart = new Chart(root, 'shop');
    for (const id of ['web', 'api']) currentStep(new Construct(chart, id), 'where', undefined, plan);
    return { root, chart };
  }

  test('a key naming an existing rollout passes', () => {
    expect(() => app({ 'shop/web:step': '2', 'other': 'value' }).root.synth()).not.toThrow();
  });

  test('a mistyped path names the key, the rollouts and the nearest one', () => {
    expectValidationError(() => app({ 'Stack/web:step': '2' }).root.synth(),
      'context "Stack/web:step" is "2": no rollout of this app has the path "Stack/web", so the key chooses nothing and each rollout renders its step prop, else step 1; '
      + 'the rollouts that render one step per deploy are shop/api (Construct), shop/web (Construct). Set the key of the rollout you mean, by its construct path: "shop/web:step" is the nearest; or remove the key.');
  });

  test('a key on a chart is read only by the rollouts below it', () => {
    const { root } = app();
    const other = new Chart(root, 'other');
    other.node.setContext('shop/web:step', 2);
    currentStep(new Construct(other, 'web'), 'where', undefined, plan);
    expectValidationError(() => root.synth(),
      'context "shop/web:step" is 2: it is set on a scope that the rollout shop/web is not below, so the rollout never reads it and renders its step prop, else step 1. '
      + 'Set the key of the rollout you mean, by its construct path: "shop/web:step" is the nearest; or remove the key.');
  });

  test('a rollout that renders no step now still owns its key', () => {
    const root = Testing.app();
    root.node.setContext('shop/web:step', '3');
    registerStepRollout(new Construct(new Chart(root, 'shop'), 'web'));
    expect(() => root.synth()).not.toThrow();
  });
});
