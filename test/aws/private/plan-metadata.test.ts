import { App, Stack } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { Strategy } from '../../../src';
import { PLAN_METADATA_TYPE, recordPlan } from '../../../src/aws/private/plan-metadata';

test('recordPlan stores the controller, the table and the JSON plan in the cloud assembly', () => {
  const app = new App({ builtinCloudFormationValidation: false });
  const stack = new Stack(app, 'Stack');
  const rollout = new Construct(stack, 'Rollout');
  const plan = Strategy.LINEAR_10PERCENT_EVERY_3MINUTES.plan();
  recordPlan(rollout, plan, 'Some controller');
  const [entry] = app.synth().getStackByName('Stack').findMetadataByType(PLAN_METADATA_TYPE);
  expect(entry.path).toBe('/Stack/Rollout');
  expect(entry.data).toEqual({ controller: 'Some controller', table: plan.toTable(), plan: JSON.parse(JSON.stringify(plan.toJson())) });
});

test('a driven rollout records its driver, read at synth', () => {
  const app = new App({ builtinCloudFormationValidation: false });
  const stack = new Stack(app, 'Stack');
  const rollout = new Construct(stack, 'Rollout');
  const plan = Strategy.CANARY_10PERCENT_5MINUTES.plan();
  let transitions = 10;
  recordPlan(rollout, plan, 'Route 53 weighted records, driven by the Step Functions state machine M', () => ({
    engine: 'AWS Step Functions', stateMachineName: 'M', stateTransitions: transitions, maxStateTransitions: 20, maxHistoryEvents: 30,
  }));
  // Alarms added after construction change the cost: it is read when the app is synthesized.
  transitions = 12;
  const [entry] = app.synth().getStackByName('Stack').findMetadataByType(PLAN_METADATA_TYPE);
  expect((entry.data as any).driver).toEqual({ engine: 'AWS Step Functions', stateMachineName: 'M', stateTransitions: 12, maxStateTransitions: 20, maxHistoryEvents: 30 });
});
