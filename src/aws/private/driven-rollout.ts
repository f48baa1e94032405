import type { Construct } from 'constructs';
import type { Driver } from './driver-resources';
import { rolloutChecks } from './health-check-alarms';
import type { RecordedDriver } from './plan-metadata';
import { HealthCheck } from '../../core/health-check';
import { stepContextKey } from '../../core/private/step';
import { fail } from '../../core/private/validation';
import type { Strategy } from '../../core/strategy';

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

/**
 * The health checks a static rollout renders: driven, its own `healthChecks` when given (`[]` for
 * none), else the strategy's, else the backend's defaults; with the pipeline, none (nothing would
 * act on them), and a `healthChecks` prop is refused rather than ignored.
 */
export function staticRolloutChecks(
  where: string, driven: boolean, given: unknown, strategy: Strategy, defaults: HealthCheck[],
): HealthCheck[] | undefined {
  if (!driven) {
    if (given !== undefined) {
      fail(`${where}: healthChecks`, given, 'nothing measures them: the pipeline advances one deploy per step, and nothing rolls the rollout back',
        'Drive the rollout with driver: RolloutDriver.stepFunctions(), which reads their alarms and rolls back, or leave healthChecks out.');
    }
    return undefined;
  }
  return rolloutChecks(`${where}: healthChecks`, given, strategy.healthChecks, defaults);
}

let cloudFrontDefaults: HealthCheck[] | undefined;

/**
 * What a driven CloudFront rollout is measured by when nothing is declared: the staging
 * distribution's 5xx error rate above 1%, after 2 failing one-minute windows of at least 10
 * requests. No latency: CloudFront publishes OriginLatency only with its paid additional metrics.
 */
export function cloudFrontDefaultChecks(): HealthCheck[] {
  cloudFrontDefaults ??= Object.freeze([HealthCheck.errorRate({ maxErrorPercent: 1 })]) as HealthCheck[];
  return cloudFrontDefaults;
}
