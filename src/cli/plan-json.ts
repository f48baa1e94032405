import { CliError } from './errors';
import type { PlanJson } from '../core/private/plan-table';

export type { PlanGateJson, PlanJson, PlanStepJson } from '../core/private/plan-table';

const TOTALS = [
  'timeToFullTrafficSeconds', 'totalDurationSeconds', 'peakCapacityPercent', 'rollbackSeconds',
  'blastRadiusPercent', 'manualApprovals', 'manualApprovalsBeforeFullTraffic',
] as const;
const STEP_NUMBERS = ['index', 'offsetSeconds', 'stableWeight', 'candidateWeight', 'capacityPercent'] as const;

/**
 * Checks that `value` has the shape of a recorded plan, so a hand-edited or foreign record fails
 * here with its place (`where`) named rather than as `NaN` in a chart.
 */
export function checkPlanJson(value: unknown, where: string): PlanJson {
  const fail = (problem: string): never => {
    throw new CliError(`${where}: the recorded plan ${problem}`);
  };
  const expect = (key: string, found: unknown, ok: boolean, expected: string) => {
    if (!ok) fail(found === undefined ? `has no ${key} (expected ${expected})` : `has ${key} ${preview(found)} (expected ${expected})`);
  };
  if (!isObject(value)) fail(`is ${preview(value)}, not an object`);
  const plan = value as Record<string, any>;
  for (const key of ['strategy', 'description', 'capacity']) expect(key, plan[key], typeof plan[key] === 'string', 'a string');
  for (const key of TOTALS) expect(key, plan[key], isNumber(plan[key]), 'a number');
  expect('steps', plan.steps, Array.isArray(plan.steps) && plan.steps.length > 0, 'a non-empty list');
  (plan.steps as unknown[]).forEach((step, i) => {
    expect(`steps[${i}]`, step, isObject(step), 'an object');
    const s = step as Record<string, any>;
    for (const key of STEP_NUMBERS) expect(`steps[${i}].${key}`, s[key], isNumber(s[key]), 'a number');
    if (s.candidateReplicas !== undefined) {
      expect(`steps[${i}].candidateReplicas`, s.candidateReplicas, isNumber(s.candidateReplicas), 'a number');
      expect('replicas', plan.replicas, isNumber(plan.replicas), 'a number, since steps count replicas');
    }
    if (s.gate !== undefined) {
      expect(`steps[${i}].gate`, s.gate, isObject(s.gate) && typeof s.gate.kind === 'string' && typeof s.gate.description === 'string',
        'an object with kind and description');
    }
    if (s.watchedBy !== undefined) {
      expect(`steps[${i}].watchedBy`, s.watchedBy, Array.isArray(s.watchedBy) && s.watchedBy.every((n: unknown) => typeof n === 'string'),
        'a list of health check names');
    }
  });
  if (plan.healthChecks !== undefined) {
    expect('healthChecks', plan.healthChecks, Array.isArray(plan.healthChecks), 'a list');
    (plan.healthChecks as unknown[]).forEach((check, i) => {
      const c = check as Record<string, any>;
      expect(`healthChecks[${i}]`, check, isObject(check) && typeof c.name === 'string' && typeof c.description === 'string',
        'an object with name and description');
    });
  }
  return value as PlanJson;
}

function isObject(value: unknown): boolean {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isNumber(value: unknown): boolean {
  return typeof value === 'number' && Number.isFinite(value);
}

function preview(value: unknown): string {
  const text = value === undefined ? 'undefined' : JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
