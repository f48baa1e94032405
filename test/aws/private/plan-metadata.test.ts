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
