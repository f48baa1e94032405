import { Duration } from 'aws-cdk-lib';
import { ApiObject, Testing } from 'cdk8s';
import { Construct } from 'constructs';
import { CapacityMode, Strategy } from '../../../src';
import { EXPERIMENT_ANNOTATION, MAX_PLAN_ANNOTATION_BYTES, PLAN_ANNOTATION, recordK8sExperiment, recordK8sPlan } from '../../../src/k8s/private/plan-annotation';
import { expectValidationError } from '../../support/validation-error';

function record(step?: number) {
  const chart = Testing.chart();
  const rollout = new Construct(chart, 'web');
  const primary = new ApiObject(rollout, 'Primary', { apiVersion: 'v1', kind: 'ConfigMap' });
  const plan = Strategy.LINEAR_10PERCENT_EVERY_3MINUTES.plan({ replicas: 10 });
  recordK8sPlan('Test', rollout, primary, plan, 'some controller', step);
  const [object] = Testing.synth(chart);
  return { plan, annotations: object.metadata.annotations };
}

test('records the rollout\'s path, the controller, the step and the JSON plan as one annotation, without the table readers render from it', () => {
  const { plan, annotations } = record(4);
  expect(PLAN_ANNOTATION).toBe('cdk-deploy-strategies.dev/plan');
  expect(Object.keys(annotations)).toEqual([PLAN_ANNOTATION]);
  expect(JSON.parse(annotations[PLAN_ANNOTATION])).toEqual({
    // Readers title the plan by the construct path: the object's name is a hash of it.
    path: 'test/web',
    controller: 'some controller',
    step: 4,
    plan: JSON.parse(JSON.stringify(plan.toJson())),
  });
  // Byte for byte what serializing the whole record gives, though the table and plan are rendered once.
  expect(annotations[PLAN_ANNOTATION]).toBe(JSON.stringify({ path: 'test/web', controller: 'some controller', step: 4, plan: plan.toJson() }));
});

test('leaves the step out when none is rendered', () => {
  const recorded = JSON.parse(record().annotations[PLAN_ANNOTATION]);
  expect(recorded).not.toHaveProperty('step');
  expect(recorded.controller).toBe('some controller');
  const { plan, annotations } = record();
  expect(annotations[PLAN_ANNOTATION]).toBe(JSON.stringify({ path: 'test/web', controller: 'some controller', plan: plan.toJson() }));
});

describe('the size of the annotation', () => {
  function recordLinear(stepPercent: number) {
    const chart = Testing.chart();
    const primary = new ApiObject(chart, 'Primary', { apiVersion: 'v1', kind: 'ConfigMap' });
    const plan = Strategy.linear({ stepPercent, interval: Duration.minutes(1) }).plan({ capacity: CapacityMode.PROPORTIONAL });
    recordK8sPlan('Test', chart, primary, plan, 'some controller');
    return Testing.synth(chart)[0].metadata.annotations?.[PLAN_ANNOTATION];
  }

  test('a plan of 200 steps (0.5% a step) fits in 64 KiB', () => {
    const recorded: string = recordLinear(0.5);
    expect(Buffer.byteLength(recorded)).toBeLessThanOrEqual(MAX_PLAN_ANNOTATION_BYTES);
    expect(JSON.parse(recorded).plan.steps).toHaveLength(200);
  });

  // kubectl apply copies annotations into last-applied-configuration: twice this against 256 KiB.
  test('a plan of 1000 steps (0.1% a step) fails, naming the step count and the fix', () => {
    expectValidationError(() => recordLinear(0.1),
      'Test: strategy is "linear 0.1% every 1m": its plan of 1000 steps makes a cdk-deploy-strategies.dev/plan annotation of 159 KiB, above the 64 KiB this library records: a client-side kubectl apply copies annotations into kubectl.kubernetes.io/last-applied-configuration, and Kubernetes allows 256 KiB of annotations per object. Use fewer, larger steps: about 404 steps fit, such as a linear strategy of at least 0.3% a step.');
  });

  test('nothing is recorded when it fails', () => {
    const chart = Testing.chart();
    const primary = new ApiObject(chart, 'Primary', { apiVersion: 'v1', kind: 'ConfigMap' });
    const plan = Strategy.linear({ stepPercent: 0.2, interval: Duration.minutes(1) }).plan({ capacity: CapacityMode.PROPORTIONAL });
    expect(() => recordK8sPlan('Test', chart, primary, plan, 'some controller')).toThrow(/its plan of 500 steps/);
    expect(Testing.synth(chart)[0].metadata.annotations).toBeUndefined();
  });
});

describe('recordK8sExperiment', () => {
  const primary = () => new ApiObject(Testing.chart(), 'Route', { apiVersion: 'v1', kind: 'ConfigMap' });

  test('records the allocations as JSON under the experiment annotation', () => {
    const route = primary();
    const recorded = { path: 'test/search', active: true, table: 'control 90% · beta 10%' };
    recordK8sExperiment(route, recorded, () => { throw new Error('not too large'); });
    expect(EXPERIMENT_ANNOTATION).toBe('cdk-deploy-strategies.dev/experiment');
    expect(JSON.parse(route.toJson().metadata.annotations[EXPERIMENT_ANNOTATION])).toEqual(recorded);
  });

  test('above the limit, lets the construct refuse with the limit\'s text, and records nothing', () => {
    const route = primary();
    const refused: string[] = [];
    expect(() => recordK8sExperiment(route, { path: 'test/search', active: true, table: 'x'.repeat(MAX_PLAN_ANNOTATION_BYTES) }, limit => {
      refused.push(limit);
      throw new Error(limit);
    })).toThrow();
    expect(refused).toEqual([`a ${EXPERIMENT_ANNOTATION} annotation of 65 KiB, above the 64 KiB this library records: `
      + 'a client-side kubectl apply copies annotations into kubectl.kubernetes.io/last-applied-configuration, and Kubernetes allows 256 KiB of annotations per object']);
    expect(route.toJson().metadata.annotations?.[EXPERIMENT_ANNOTATION]).toBeUndefined();
  });
});
