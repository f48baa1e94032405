import { CapacityMode } from '../plan-options';
import { StrategyKind } from '../strategy-kind';
import { fail } from './validation';

/** The capacity arithmetic of a traffic plan: replica counts, default modes and the capacity each step runs. */

/** When capacity must be brought back for a rollback and no provisioning time is given: 5 minutes. */
export const DEFAULT_PROVISIONING_SECONDS = 300;

/** Far above any fleet, and low enough that replica arithmetic stays exact. */
const MAX_REPLICAS = 1_000_000;

export function replicaCount(value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > MAX_REPLICAS) {
    fail('TrafficPlan: replicas', value, `a replica count is a whole number from 1 to ${MAX_REPLICAS}`, 'Pass the steady-state replica count, for example 10.');
  }
  return value;
}

export function defaultCapacity(kind: StrategyKind, replicas: number | undefined): CapacityMode {
  switch (kind) {
    case StrategyKind.BLUE_GREEN: return CapacityMode.FULL_COPY;
    case StrategyKind.ALL_AT_ONCE: return CapacityMode.IN_PLACE;
    default: return replicas === undefined ? CapacityMode.PROPORTIONAL : CapacityMode.REPLICA_RATIO;
  }
}

export function checkCapacity(kind: StrategyKind, capacity: CapacityMode, replicas: number | undefined) {
  if (!Object.values(CapacityMode).includes(capacity)) {
    fail('TrafficPlan: capacity', capacity, `it must be one of ${Object.values(CapacityMode).join(', ')}`, 'Use a CapacityMode value.');
  }
  if ((kind === StrategyKind.CANARY || kind === StrategyKind.LINEAR) && capacity === CapacityMode.IN_PLACE) {
    fail('TrafficPlan: capacity', capacity, 'IN_PLACE replaces the old version where it runs, so it cannot split traffic by weight',
      'Use PROPORTIONAL (traffic routing), REPLICA_RATIO (a replica count) or FULL_COPY for a canary or linear rollout.');
  }
  if (kind === StrategyKind.BLUE_GREEN && capacity !== CapacityMode.FULL_COPY) {
    fail('TrafficPlan: capacity', capacity, 'blue-green runs two full environments, so its capacity is FULL_COPY',
      'Leave capacity unset, or use a canary strategy for a proportional or replica-ratio rollout.');
  }
  if (capacity === CapacityMode.REPLICA_RATIO) {
    if (replicas === undefined) {
      fail('TrafficPlan: replicas', replicas, 'REPLICA_RATIO splits a replica count between the versions',
        'Set replicas to the steady-state replica count, for example 10.');
    }
    if (replicas < 2) {
      fail('TrafficPlan: replicas', replicas, 'a replica-ratio rollout needs at least 2 replicas to run both versions at once',
        'Run at least 2 replicas, or use traffic routing (PROPORTIONAL).');
    }
  }
}

/**
 * Replicas of the new version for a weight: the nearest count (halves round up), keeping at least
 * one of each version until 100%. Integer arithmetic, so ties round the same way at every size.
 */
export function replicasFor(weight: number, replicas: number): number {
  const tenths = Math.round(weight * 10);
  if (tenths >= 1000) return replicas;
  if (tenths <= 0) return 0;
  const nearest = Math.floor((2 * tenths * replicas + 1000) / 2000);
  return Math.min(replicas - 1, Math.max(1, nearest));
}

export function capacityDuring(capacity: CapacityMode, candidateWeight: number): number {
  switch (capacity) {
    case CapacityMode.IN_PLACE:
    case CapacityMode.REPLICA_RATIO:
    case CapacityMode.SERVERLESS:
      return 100;
    case CapacityMode.FULL_COPY:
      // The new environment is full-size before any traffic moves; the old one goes only after the switch.
      return 200;
    case CapacityMode.PROPORTIONAL:
      // Before the last shift the new version is scaled to full size beside the old one, if only briefly.
      return candidateWeight === 100 ? 200 : 100 + candidateWeight;
  }
}
