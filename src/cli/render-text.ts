import { stepHeader, stepRows, totalsLines } from './plan-view';
import type { Found, FoundExperiment, FoundRelease, FoundRollout } from './read-plans';
import { textChart } from './text-chart';
import { textTable } from '../core/private/format';

/** Every rollout's steps, chart and totals, then every experiment's allocations, as plain text. */
export function renderText(found: Found): string {
  return [...(found.releases ?? []).map(releaseText), ...found.rollouts.map(rolloutText), ...found.experiments.map(experimentText)]
    .join('\n\n') + '\n';
}

/** A release: its waves, each service's version, strategy and duration, and its total duration. */
function releaseText(release: FoundRelease): string {
  return [`== release ${release.release} (${release.name}) ==`, foundIn(release), '', release.table].join('\n');
}

/** One rollout: where it is, its step table, its chart and its totals. */
export function rolloutText(rollout: FoundRollout): string {
  return [
    `== ${rollout.name} ==`,
    `${rolloutContext(rollout)}`,
    `${rollout.plan.description}, capacity ${rollout.plan.capacity}`,
    '',
    textTable(stepHeader(rollout.plan), stepRows(rollout.plan)),
    '',
    "new version's share of traffic:",
    textChart(rollout.plan),
    '',
    ...totalsLines(rollout.plan),
  ].join('\n');
}

/**
 * `native ECS deployment, from cdk.out` (`Argo Rollouts, Rollout/shop-web-c8a1b2c3 in dist/shop.k8s.yaml`),
 * with the step rendered by one-step-per-deploy backends.
 */
export function rolloutContext(rollout: FoundRollout): string {
  const parts = [rollout.controller, foundIn(rollout)];
  if (rollout.step !== undefined) {
    const choose = rollout.stepContextKey ? ` (choose with -c ${rollout.stepContextKey}=N)` : '';
    parts.push(`renders step ${rollout.step} of ${rollout.plan.steps.length} per deploy${choose}`);
  }
  return parts.join(', ');
}

function experimentText(experiment: FoundExperiment): string {
  return [
    `== A/B experiment ${experiment.name} ==`,
    experimentContext(experiment),
    '',
    experiment.table,
  ].join('\n');
}

/** `ALB, from cdk.out, active` or `..., inactive: <reason>`. */
export function experimentContext(experiment: FoundExperiment): string {
  const state = experiment.active ? 'active' : `inactive: ${experiment.reason ?? 'switched off'}`;
  return `${experiment.backend}, ${foundIn(experiment)}, ${state}`;
}

/**
 * Where a record was read: `from cdk.out`, or for manifests the object that carries it, whose
 * name is what kubectl shows: `Rollout/shop-web-c8a1b2c3 in dist/shop.k8s.yaml`. Manifests written
 * before the construct path was recorded are titled by that object already.
 */
export function foundIn(found: { origin: string; name: string; object?: string }): string {
  return found.object === undefined || found.object === found.name ? `from ${found.origin}` : `${found.object} in ${found.origin}`;
}
