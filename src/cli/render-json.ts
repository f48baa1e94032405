import type { Found } from './read-plans';

/**
 * What was found, as JSON: each rollout's plan exactly as its construct recorded it, so scripts
 * compute with the same numbers the other formats print.
 */
export function renderJson(found: Found): string {
  return JSON.stringify(found, null, 2) + '\n';
}
