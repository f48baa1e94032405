import { formatPercent, formatSeconds, textTable } from './format';

/** A step gate as `TrafficPlan.toJson()` records it. */
export interface PlanGateJson {
  readonly kind: string;
  readonly seconds?: number;
  readonly analysisName?: string;
  readonly description: string;
}

/** A health check as `TrafficPlan.toJson()` records it. */
export interface HealthCheckJson {
  readonly name: string;
  readonly kind: string;
  readonly description: string;
  readonly windowSeconds: number;
  readonly failingWindows: number;
  readonly minimumRequests: number;
}

/** A step as `TrafficPlan.toJson()` records it. */
export interface PlanStepJson {
  readonly index: number;
  readonly offsetSeconds: number;
  readonly stableWeight: number;
  readonly candidateWeight: number;
  readonly capacityPercent: number;
  readonly gate?: PlanGateJson;
  readonly candidateReplicas?: number;
  /** The health checks watching the step, by name; absent when the plan has none. */
  readonly watchedBy?: string[];
}

/**
 * A traffic plan as `TrafficPlan.toJson()` records it in the synthesized output. The plan command
 * reads this record and never re-derives a plan, so what it shows is what the construct rendered.
 */
export interface PlanJson {
  readonly strategy: string;
  readonly description: string;
  readonly capacity: string;
  /** The steady-state replica count, when the plan was derived for one. */
  readonly replicas?: number;
  readonly steps: PlanStepJson[];
  readonly timeToFullTrafficSeconds: number;
  readonly totalDurationSeconds: number;
  readonly peakCapacityPercent: number;
  readonly rollbackSeconds: number;
  readonly blastRadiusPercent: number;
  readonly manualApprovals: number;
  readonly manualApprovalsBeforeFullTraffic: number;
  /** The rollout's health checks; absent when it has none. */
  readonly healthChecks?: HealthCheckJson[];
}

/** Capacity modes (`CapacityMode` values) in which the old version keeps its full capacity throughout. */
const OLD_KEEPS_FULL_CAPACITY = ['FULL_COPY', 'PROPORTIONAL', 'SERVERLESS'];

/**
 * A plan as a text table with its totals: what `TrafficPlan.toTable()` prints, rendered from the
 * plan's JSON so that a reader of recorded plans prints the same text without the table being
 * recorded beside the plan.
 */
export function planTable(plan: PlanJson): string {
  // Plans without health checks print as they always have; with them, a column says who watches each step.
  const checks = plan.healthChecks ?? [];
  const rows = plan.steps.map(s => [
    String(s.index),
    formatSeconds(s.offsetSeconds),
    formatPercent(s.stableWeight),
    s.candidateReplicas === undefined ? formatPercent(s.candidateWeight) : `${formatPercent(s.candidateWeight)} (${s.candidateReplicas} of ${plan.replicas})`,
    formatPercent(s.capacityPercent),
    s.gate ? s.gate.description : (s.candidateWeight === 100 ? 'done' : 'automatic'),
    ...(checks.length === 0 ? [] : [s.watchedBy && s.watchedBy.length > 0 ? s.watchedBy.join(', ') : '-']),
  ]);
  const rollback = OLD_KEEPS_FULL_CAPACITY.includes(plan.capacity) ? 'instant (traffic switch)'
    : `${formatSeconds(plan.rollbackSeconds)} (capacity must be brought back)`;
  return [
    `${plan.description}, capacity ${plan.capacity}`,
    textTable(['step', 'at', 'stable', 'new', 'capacity', 'held by', ...(checks.length === 0 ? [] : ['watched by'])], rows),
    `time to full traffic: ${withApprovals(plan.timeToFullTrafficSeconds, plan.manualApprovalsBeforeFullTraffic)}`,
    `total duration:       ${withApprovals(plan.totalDurationSeconds, plan.manualApprovals)}`,
    `peak capacity:        ${formatPercent(plan.peakCapacityPercent)} of steady state`,
    `worst-case rollback:  ${rollback}`,
    `first-step blast radius: ${formatPercent(plan.blastRadiusPercent)} of traffic`,
    ...checks.map((check, i) => `${i === 0 ? 'rolled back by:      ' : '                     '}${check.description}`),
  ].join('\n');
}

/** A duration with its manual approvals, as printed: `25m + 1 manual approval`. */
export function withApprovals(seconds: number, approvals: number): string {
  const text = formatSeconds(seconds);
  return approvals === 0 ? text : `${text} + ${approvals} manual approval${approvals === 1 ? '' : 's'}`;
}
