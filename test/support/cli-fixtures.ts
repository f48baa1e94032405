import { Duration } from 'aws-cdk-lib';
import { StepGate, Strategy } from '../../src';
import type { PlanJson } from '../../src/cli/plan-json';
import type { FoundRollout } from '../../src/cli/read-plans';

/** A canary with every kind of gate: bake, a manual approval (instant in the plan), analysis. */
export const gatedCanary = Strategy.canary({
  steps: [
    { weight: 5, gate: StepGate.bake(Duration.minutes(10)) },
    { weight: 25, gate: StepGate.manualApproval({ timeout: Duration.hours(8) }) },
    { weight: 50, gate: StepGate.analysis({ name: 'error-rate', duration: Duration.minutes(30) }) },
  ],
});

/** A rollout as the reader returns it, around a plan made in the test (the oracle for the numbers). */
export function rolloutOf(name: string, strategy: Strategy, replicas?: number): FoundRollout {
  return {
    source: 'strategy',
    origin: 'test',
    name,
    controller: 'test controller',
    plan: strategy.plan(replicas === undefined ? {} : { replicas }).toJson() as PlanJson,
  };
}
