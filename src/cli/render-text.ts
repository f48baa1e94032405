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
    ...(rollout.driver ? [driverLine(rollout)] : []),
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

/** What a driven rollout costs its state machine: `AWS Step Functions cost: about 60 state transitions a rollout (at most 2,914; ...)`. */
export function driverLine(rollout: FoundRollout): string {
  const d = rollout.driver!;
  const n = (x: number) => x.toLocaleString('en-US');
  return `${d.engine} cost: about ${n(d.stateTransitions)} state transitions a rollout `
    + `(at most ${n(d.maxStateTransitions)} when every wait runs to its bound; at most ${n(d.maxHistoryEvents)} of the 25,000 history events an execution keeps)`;
}

function experimentText(experiment: FoundExperiment): string {
  return [
    `== A/B experiment ${experiment.name} ==`,
    experimentContext(experiment),
    '',
    experiment.table,
    ...watchersLines(experiment),
  ].join('\n');
}

/**
 * What watches each variant, after the allocations, when the experiment records it: a table of
 * the variants and their health checks (`nothing` where none measures the variant).
 */
export function watchersLines(experiment: FoundExperiment): string[] {
  if (experiment.watchedBy === undefined) return [];
  const rows = Object.entries(experiment.watchedBy).map(([variant, checks]) => [variant, checks.length === 0 ? 'nothing' : checks.join(', ')]);
  return ['', `measured through ${experiment.measuredThrough ?? 'the experiment\'s metrics'}:`, textTable(['variant', 'watched by'], rows)];
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
