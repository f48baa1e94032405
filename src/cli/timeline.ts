import type { PlanJson } from './plan-json';

/** The time axis of a chart: where it ends and where its ticks go, in seconds from the start. */
export interface TimeAxis {
  readonly endSeconds: number;
  readonly ticks: number[];
}

/** Tick spacings people read at a glance: seconds, minutes, hours, days. */
const TICKS = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400, 172800, 604800];
const MAX_TICKS = 6;

/**
 * An axis a little longer than the longest rollout, so the final 100% is visible, with at most
 * six round ticks. A rollout that takes no time (all at once) still gets a one-minute axis.
 */
export function timeAxis(totalSeconds: number): TimeAxis {
  const target = Math.max(totalSeconds * 1.1, 60);
  const spacing = TICKS.find(t => Math.ceil(target / t) <= MAX_TICKS) ?? Math.ceil(target / MAX_TICKS / 604800) * 604800;
  const count = Math.ceil(target / spacing);
  return { endSeconds: count * spacing, ticks: Array.from({ length: count + 1 }, (_, i) => i * spacing) };
}

/** The axis shared by several plans, so their charts line up. */
export function sharedAxis(plans: PlanJson[]): TimeAxis {
  return timeAxis(Math.max(0, ...plans.map(p => p.totalDurationSeconds)));
}

/**
 * The new version's share of traffic at `seconds`: the weight of the last step started by then.
 * Steps that start at the same moment (a manual approval counts as instant) leave only the last.
 */
export function shareAt(plan: PlanJson, seconds: number): number {
  let share = 0;
  for (const step of plan.steps) {
    if (step.offsetSeconds <= seconds) share = step.candidateWeight;
  }
  return share;
}

/** A step held by a manual approval: the clock stops at its offset while the plan counts it as instant. */
export interface ApprovalMarker {
  readonly step: number;
  readonly offsetSeconds: number;
  readonly candidateWeight: number;
}

/** Where the plan waits for a person. */
export function approvalMarkers(plan: PlanJson): ApprovalMarker[] {
  return plan.steps.filter(s => s.gate?.kind === 'MANUAL_APPROVAL')
    .map(s => ({ step: s.index, offsetSeconds: s.offsetSeconds, candidateWeight: s.candidateWeight }));
}
