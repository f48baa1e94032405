import type { Experiment, VariantAllocation } from '../experiment';
import type { Match } from '../match';

/** Allocations drawing from the same requests: one routing rule of a backend. */
export interface AllocationGroup {
  /** The requests the group draws from; none for everyone not taken by a match. */
  readonly match?: Match;
  readonly allocations: VariantAllocation[];
}

/**
 * The experiment's allocations at `at`, grouped into the rules a backend evaluates. The core
 * orders allocations as backends evaluate them, so consecutive ones with the same match form one
 * rule and the requests no match takes form the last.
 */
export function allocationGroups(experiment: Experiment, at: Date): AllocationGroup[] {
  const groups: { match?: Match; allocations: VariantAllocation[] }[] = [];
  for (const allocation of experiment.allocations(at)) {
    const last = groups[groups.length - 1];
    if (last && last.match === allocation.match) last.allocations.push(allocation);
    else groups.push({ match: allocation.match, allocations: [allocation] });
  }
  return groups;
}
