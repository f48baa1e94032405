import { planTable, PlanJson, withApprovals } from '../../../src/core/private/plan-table';

// A plan as a reader finds it in synthesized output, written out by hand.
const recorded: PlanJson = {
  strategy: 'CANARY',
  description: 'canary 10% (bake 5m) → 100%',
  capacity: 'REPLICA_RATIO',
  replicas: 10,
  steps: [
    { index: 1, offsetSeconds: 0, stableWeight: 90, candidateWeight: 10, capacityPercent: 100, candidateReplicas: 1, gate: { kind: 'BAKE', seconds: 300, description: 'bake 5m' } },
    { index: 2, offsetSeconds: 300, stableWeight: 0, candidateWeight: 100, capacityPercent: 100, candidateReplicas: 10 },
  ],
  timeToFullTrafficSeconds: 300,
  totalDurationSeconds: 300,
  peakCapacityPercent: 100,
  rollbackSeconds: 180,
  blastRadiusPercent: 10,
  manualApprovals: 0,
  manualApprovalsBeforeFullTraffic: 0,
};

test('renders a recorded plan as TrafficPlan.toTable() prints it, replicas and rollback included', () => {
  expect(planTable(recorded).split('\n')).toEqual([
    'canary 10% (bake 5m) → 100%, capacity REPLICA_RATIO',
    'step  at  stable  new              capacity  held by',
    '1     0s  90%     10% (1 of 10)    100%      bake 5m',
    '2     5m  0%      100% (10 of 10)  100%      done',
    'time to full traffic: 5m',
    'total duration:       5m',
    'peak capacity:        100% of steady state',
    'worst-case rollback:  3m (capacity must be brought back)',
    'first-step blast radius: 10% of traffic',
  ]);
});

test('a copy of the old version is an instant rollback; approvals are counted', () => {
  const table = planTable({ ...recorded, capacity: 'FULL_COPY', rollbackSeconds: 0, manualApprovals: 2, manualApprovalsBeforeFullTraffic: 1 });
  expect(table).toContain('worst-case rollback:  instant (traffic switch)');
  expect(table).toContain('time to full traffic: 5m + 1 manual approval\n');
  expect(table).toContain('total duration:       5m + 2 manual approvals\n');
});

test('withApprovals', () => {
  expect(withApprovals(3900, 0)).toBe('1h 5m');
  expect(withApprovals(0, 1)).toBe('0s + 1 manual approval');
});
