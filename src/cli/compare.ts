import type { PlanJson } from './plan-json';
import { extraCapacity, withApprovals } from './plan-view';
import type { FoundRollout } from './read-plans';
import { code, markdownTable } from './render-markdown';
import { textChart } from './text-chart';
import { sharedAxis } from './timeline';
import { formatPercent, formatSeconds, textTable } from '../core/private/format';
import { Strategy } from '../core/strategy';

/** The four core strategies, by the presets users write. */
export const CORE_STRATEGIES: ReadonlyArray<readonly [string, Strategy]> = [
  ['Strategy.ALL_AT_ONCE', Strategy.ALL_AT_ONCE],
  ['Strategy.BLUE_GREEN', Strategy.BLUE_GREEN],
  ['Strategy.CANARY_10PERCENT_5MINUTES', Strategy.CANARY_10PERCENT_5MINUTES],
  ['Strategy.LINEAR_10PERCENT_EVERY_1MINUTE', Strategy.LINEAR_10PERCENT_EVERY_1MINUTE],
];

/** The service size `--strategies` plans for when none is given. */
export const DEFAULT_REPLICAS = 10;

/**
 * The core strategies planned at one service size, each with the capacity mode it gets by default
 * at that size: blue-green a full second environment, canary and linear a replica split, all at
 * once in place.
 */
export function coreStrategyRollouts(replicas: number = DEFAULT_REPLICAS): FoundRollout[] {
  return CORE_STRATEGIES.map(([name, strategy]) => ({
    source: 'strategy',
    origin: `${name}.plan({ replicas: ${replicas} })`,
    name,
    controller: `planned at ${replicas} replicas`,
    plan: strategy.plan({ replicas }).toJson() as PlanJson,
  }));
}

/** The title of a comparison of the core strategies. */
export function strategiesTitle(replicas: number): string {
  return `The four core strategies at ${replicas} replicas`;
}

/** One rollout's row: the numbers an engineer weighs strategies by. */
export interface ComparisonRow {
  readonly name: string;
  readonly strategy: string;
  readonly capacity: string;
  readonly timeToFullTrafficSeconds: number;
  readonly totalDurationSeconds: number;
  readonly manualApprovals: number;
  readonly peakCapacityPercent: number;
  /** Capacity above steady state at the peak: 100 for blue-green's second environment. */
  readonly peakExtraCapacityPercent: number;
  readonly blastRadiusPercent: number;
  readonly rollbackSeconds: number;
}

export function comparisonRows(rollouts: FoundRollout[]): ComparisonRow[] {
  return rollouts.map(({ name, plan }) => ({
    name,
    strategy: plan.description,
    capacity: plan.capacity,
    timeToFullTrafficSeconds: plan.timeToFullTrafficSeconds,
    totalDurationSeconds: plan.totalDurationSeconds,
    manualApprovals: plan.manualApprovals,
    peakCapacityPercent: plan.peakCapacityPercent,
    peakExtraCapacityPercent: Math.max(0, plan.peakCapacityPercent - 100),
    blastRadiusPercent: plan.blastRadiusPercent,
    rollbackSeconds: plan.rollbackSeconds,
  }));
}

const HEADER = ['rollout', 'strategy', 'capacity', 'to 100%', 'duration', 'extra capacity', 'blast radius', 'rollback'];

function cells(rollout: FoundRollout): string[] {
  const plan = rollout.plan;
  return [
    rollout.name,
    plan.description,
    plan.capacity,
    withApprovals(plan.timeToFullTrafficSeconds, plan.manualApprovalsBeforeFullTraffic),
    withApprovals(plan.totalDurationSeconds, plan.manualApprovals),
    extraCapacity(plan),
    formatPercent(plan.blastRadiusPercent),
    plan.rollbackSeconds === 0 ? 'instant' : formatSeconds(plan.rollbackSeconds),
  ];
}

/** The rollouts side by side: a table, then each one's chart on a shared time axis. */
export function compareText(rollouts: FoundRollout[], title: string): string {
  const axis = sharedAxis(rollouts.map(r => r.plan));
  return [
    title,
    '',
    textTable(HEADER, rollouts.map(cells)),
    '',
    "new version's share of traffic, on one time axis:",
    ...rollouts.flatMap(r => ['', `${r.name}:`, textChart(r.plan, { height: 5, axis })]),
  ].join('\n') + '\n';
}

export function compareMarkdown(rollouts: FoundRollout[], title: string): string {
  const axis = sharedAxis(rollouts.map(r => r.plan));
  return [
    `### ${title}`,
    '',
    markdownTable(HEADER, rollouts.map(r => [code(r.name), ...cells(r).slice(1)])),
    '',
    '```text',
    rollouts.map(r => `${r.name}:\n${textChart(r.plan, { height: 5, axis })}`).join('\n\n'),
    '```',
  ].join('\n') + '\n';
}

export function compareJson(rollouts: FoundRollout[], title: string): string {
  return JSON.stringify({ title, rollouts: comparisonRows(rollouts) }, null, 2) + '\n';
}
