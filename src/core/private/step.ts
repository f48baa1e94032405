import type { Construct } from 'constructs';
import { fail } from './validation';
import type { PlanStep } from '../plan-options';
import type { TrafficPlan } from '../strategy';

/**
 * The context key that chooses the step a one-step-per-deploy rollout renders (Route 53, CloudFront,
 * plain Kubernetes, Gateway API): `<construct path>:step`. CDK apps take it from
 * `cdk deploy -c <key>=N`; cdk8s has no `-c` flag, so cdk8s apps set it with `app.node.setContext()`
 * before they create the chart.
 */
export function stepContextKey(construct: Construct): string {
  return `${construct.node.path}:step`;
}

/**
 * The step to render, numbered from 1 as in the plan's table: the prop when given, else the
 * context value, else step 1. Static backends cannot progress by themselves, so a pipeline
 * advances one deploy (or GitOps commit) per step.
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
