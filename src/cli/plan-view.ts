import type { PlanJson, PlanStepJson } from './plan-json';
import { formatPercent, formatSeconds } from '../core/private/format';

/** The columns of the step table, as `TrafficPlan.toTable()` prints them for a plan without health checks. */
export const STEP_HEADER = ['step', 'at', 'stable', 'new', 'capacity', 'held by'];

/** The columns of a plan's step table: with health checks, also the ones watching each step. */
export function stepHeader(plan: PlanJson): string[] {
  return hasHealthChecks(plan) ? [...STEP_HEADER, 'watched by'] : STEP_HEADER;
}

/** The step table's rows, worded as `TrafficPlan.toTable()` words them, so both read the same. */
export function stepRows(plan: PlanJson): string[][] {
  const replicas = replicasOf(plan);
  const checks = hasHealthChecks(plan);
  return plan.steps.map(s => [
    String(s.index),
    formatSeconds(s.offsetSeconds),
    formatPercent(s.stableWeight),
    s.candidateReplicas === undefined ? formatPercent(s.candidateWeight) : `${formatPercent(s.candidateWeight)} (${s.candidateReplicas} of ${replicas})`,
    formatPercent(s.capacityPercent),
    heldBy(s),
    ...(checks ? [watchedBy(s)] : []),
  ]);
}

/** The health checks judging a step, or `-`. */
export function watchedBy(step: PlanStepJson): string {
  return step.watchedBy && step.watchedBy.length > 0 ? step.watchedBy.join(', ') : '-';
}

/** What rolls the rollout back: one line per health check, as `HealthCheck.describe()` words it. */
export function rolledBackBy(plan: PlanJson): string[] {
  return (plan.healthChecks ?? []).map(check => check.description);
}

function hasHealthChecks(plan: PlanJson): boolean {
  return (plan.healthChecks ?? []).length > 0;
}

/** What ends a step. */
export function heldBy(step: PlanStepJson): string {
  return step.gate ? step.gate.description : (step.candidateWeight === 100 ? 'done' : 'automatic');
}

/**
 * The steady-state replica count of a replica-ratio plan: the recorded JSON has no field for it,
 * and the step at 100% runs every replica on the new version.
 */
export function replicasOf(plan: PlanJson): number | undefined {
  return plan.steps.find(s => s.candidateWeight === 100)?.candidateReplicas;
}

/** The totals an engineer weighs a rollout by, worded for people. */
export interface PlanTotals {
  readonly timeToFullTraffic: string;
  readonly totalDuration: string;
  readonly peakCapacity: string;
  /** Capacity above steady state at the peak: the cost of a second environment. */
  readonly peakExtraCapacity: string;
  readonly rollback: string;
  readonly blastRadius: string;
}

export function planTotals(plan: PlanJson): PlanTotals {
  return {
    timeToFullTraffic: withApprovals(plan.timeToFullTrafficSeconds, plan.manualApprovalsBeforeFullTraffic),
    totalDuration: withApprovals(plan.totalDurationSeconds, plan.manualApprovals),
    peakCapacity: `${formatPercent(plan.peakCapacityPercent)} of steady state`,
    peakExtraCapacity: extraCapacity(plan),
    rollback: plan.rollbackSeconds === 0 ? 'instant (traffic switch)' : `${formatSeconds(plan.rollbackSeconds)} (capacity must be brought back)`,
    blastRadius: `${formatPercent(plan.blastRadiusPercent)} of traffic`,
  };
}

/** The totals as labelled lines, in the order `TrafficPlan.toTable()` prints them. */
export function totalsLines(plan: PlanJson): string[] {
  const t = planTotals(plan);
  return [
    `time to full traffic:    ${t.timeToFullTraffic}`,
    `total duration:          ${t.totalDuration}`,
    `peak capacity:           ${t.peakCapacity} (${t.peakExtraCapacity === 'none' ? 'no extra capacity' : `${t.peakExtraCapacity} extra`})`,
    `worst-case rollback:     ${t.rollback}`,
    `first-step blast radius: ${t.blastRadius}`,
    ...rolledBackBy(plan).map((check, i) => `${i === 0 ? 'rolled back by:' : ''}`.padEnd(25) + check),
  ];
}

/** `+100%`, or `none` when the rollout never runs more than steady state. */
export function extraCapacity(plan: PlanJson): string {
  const extra = plan.peakCapacityPercent - 100;
  return extra > 0 ? `+${formatPercent(extra)}` : 'none';
}

/** `40m`, `40m + 1 manual approval`: an approval takes as long as people take, so it is counted apart. */
export function withApprovals(seconds: number, approvals: number): string {
  const text = formatSeconds(seconds);
  return approvals === 0 ? text : `${text} + ${approvals} manual approval${approvals === 1 ? '' : 's'}`;
}
