import { App, Stack, Duration } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { CapacityMode, Strategy } from '../../src';
import { PLAN_METADATA_TYPE, recordPlan, renderedPlan } from '../../src/private/plan-metadata';

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

describe('rendered plans', () => {
  const canary = Strategy.canary({ steps: [{ weight: 10, gate: Strategy.CANARY_10PERCENT_5MINUTES.steps[0].gate }] });

  test('are rendered once per strategy and plan shape, as the plan would render itself', () => {
    const first = renderedPlan(canary.plan({ replicas: 10 }));
    expect(renderedPlan(canary.plan({ replicas: 10 }))).toBe(first);
    const plan = canary.plan({ replicas: 10 });
    expect(first.value).toEqual({ table: plan.toTable(), plan: plan.toJson() });
    expect(first.planText).toBe(JSON.stringify(plan.toJson()));
  });

  test('differ when anything that shapes the plan differs', () => {
    const shapes = [
      canary.plan({ replicas: 10 }),
      canary.plan({ replicas: 20 }),
      canary.plan({ replicas: 10, capacity: CapacityMode.FULL_COPY }),
      canary.plan({ replicas: 10, capacity: CapacityMode.REPLICA_RATIO, provisioningTime: Duration.minutes(9) }),
      Strategy.canary({ steps: [{ weight: 10, gate: Strategy.CANARY_10PERCENT_5MINUTES.steps[0].gate }] }).plan({ replicas: 10 }),
    ];
    const rendered = shapes.map(renderedPlan);
    expect(new Set(rendered).size).toBe(shapes.length);
    shapes.forEach((plan, i) => expect(rendered[i].value.table).toBe(plan.toTable()));
  });
});
