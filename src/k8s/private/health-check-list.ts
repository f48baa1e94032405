import type { HealthCheck } from '../../core/health-check';

/**
 * Adds a health check (already checked with `HealthCheck._requireAddable`) to a rollout's list and
 * re-derives what depends on the list with `rebuild` (the plan, the rendered templates). When `rebuild`
 * refuses the longer list, the check is taken out and `rebuild` runs again on the list as it was, so a
 * refused check leaves nothing behind; then the error is thrown.
 */
export function addHealthCheckTo(checks: HealthCheck[], check: HealthCheck, rebuild: () => void): void {
  checks.push(check);
  try {
    rebuild();
  } catch (e) {
    checks.pop();
    rebuild();
    throw e;
  }
}
