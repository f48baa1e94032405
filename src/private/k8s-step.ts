import type { Construct } from 'constructs';
import { fail } from './validation';
import type { PlanStep, TrafficPlan } from '../core/traffic-plan';

/**
 * The context key that chooses the step a static provider renders: `<construct path>:step`.
 * cdk8s has no `-c` flag, so apps set it with `app.node.setContext()` (from an environment
 * variable or a file their pipeline writes) before they create the chart.
 */
export function stepContextKey(construct: Construct): string {
  return `${construct.node.path}:step`;
}

/**
 * The step to render, numbered from 1 as in the plan's table: the prop when given, else the
 * context value, else step 1. Static providers
 * (plain Kubernetes, Gateway API without a controller) cannot progress by themselves, so a GitOps
 * pipeline advances one commit per step.
 */
export function currentStep(construct: Construct, where: string, prop: unknown, plan: TrafficPlan): PlanStep {
  const key = stepContextKey(construct);
  const fromContext = construct.node.tryGetContext(key);
  const [name, value] = prop !== undefined ? [`${where}: step`, prop] : [`${where}: context "${key}"`, fromContext];
  if (value === undefined) return plan.steps[0];
  const index = typeof value === 'string' && /^\s*\d+\s*$/.test(value) ? Number(value) : value;
  const last = plan.steps.length;
  if (typeof index !== 'number' || !Number.isInteger(index) || index < 1 || index > last) {
    fail(name, value, `the plan has steps 1 to ${last} (${plan.strategy.describe()})`,
      `Render a step from 1 to ${last}, numbered as in the plan's table (step ${last} sends everything to the candidate).`);
  }
  return plan.steps[index - 1];
}
