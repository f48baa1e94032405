import { Duration } from 'aws-cdk-lib';
import { CapacityMode, Strategy } from '../../../src';
import { renderedPlan } from '../../../src/core/private/rendered-plan';

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
