import { ApiObject, Testing } from 'cdk8s';
import { Strategy } from '../../src';
import { PLAN_ANNOTATION, recordK8sPlan } from '../../src/private/k8s-plan';

function record(step?: number) {
  const chart = Testing.chart();
  const primary = new ApiObject(chart, 'Primary', { apiVersion: 'v1', kind: 'ConfigMap' });
  const plan = Strategy.LINEAR_10PERCENT_EVERY_3MINUTES.plan({ replicas: 10 });
  recordK8sPlan(primary, plan, 'some controller', step);
  const [object] = Testing.synth(chart);
  return { plan, annotations: object.metadata.annotations };
}

test('records the controller, the step, the table and the JSON plan as one annotation', () => {
  const { plan, annotations } = record(4);
  expect(PLAN_ANNOTATION).toBe('cdk-deploy-strategies.dev/plan');
  expect(Object.keys(annotations)).toEqual([PLAN_ANNOTATION]);
  expect(JSON.parse(annotations[PLAN_ANNOTATION])).toEqual({
    controller: 'some controller',
    step: 4,
    table: plan.toTable(),
    plan: JSON.parse(JSON.stringify(plan.toJson())),
  });
});

test('leaves the step out when none is rendered', () => {
  const recorded = JSON.parse(record().annotations[PLAN_ANNOTATION]);
  expect(recorded).not.toHaveProperty('step');
  expect(recorded.controller).toBe('some controller');
});
