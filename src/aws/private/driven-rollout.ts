import type { Construct } from 'constructs';
import type { Driver } from './driver-resources';
import type { RecordedDriver } from './plan-metadata';
import { stepContextKey } from '../../core/private/step';
import { fail } from '../../core/private/validation';

/**
 * Refuses what only a pipeline-driven rollout reads: the `step` prop, and the context key
 * `<construct path>:step`, which a pipeline left over from one-deploy-per-step would still pass and
 * a driven rollout would otherwise ignore in silence.
 */
export function pipelineOnly(construct: Construct, where: string, step: unknown): void {
  if (step !== undefined) {
    fail(`${where}: step`, step, 'the Step Functions driver runs every step of the plan itself, from the declared start',
      'Leave step out, or drive the rollout with driver: RolloutDriver.pipeline() to deploy one step at a time.');
  }
  const key = stepContextKey(construct);
  const value = construct.node.tryGetContext(key);
  if (value !== undefined) {
    fail(`${where}: context "${key}"`, value, 'the Step Functions driver runs every step of the plan itself, so a step chosen per deploy would be ignored',
      `Stop passing -c ${key}=..., or drive the rollout with driver: RolloutDriver.pipeline() to deploy one step at a time.`);
  }
}

/** The controller a driven rollout records in its plan: the backend, and the state machine by name. */
export function drivenController(backend: string, driver: Driver): string {
  return `${backend}, driven by the Step Functions state machine ${driver.stateMachineName}`;
}

/** What the plan records of a driver. */
export function recordedDriver(driver: Driver): RecordedDriver {
  return { engine: 'AWS Step Functions', stateMachineName: driver.stateMachineName, ...driver.cost() };
}
