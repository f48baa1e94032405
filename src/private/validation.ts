import { Duration } from 'aws-cdk-lib';
import { StrategyValidationError } from './errors';

/**
 * Renders a received value for an error message: strings quoted, durations in words, and
 * anything odd (NaN, undefined, objects) spelled out rather than printed as `[object Object]`.
 */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  if (value === undefined) return 'undefined';
  if (value === null) return 'null';
  if (value instanceof Date) return isNaN(value.getTime()) ? 'an invalid Date' : value.toISOString();
  if (isDuration(value)) return value.isUnresolved() ? 'an unresolved token' : value.toHumanString();
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (typeof value === 'function') return 'a function';
  const name = (value as object).constructor?.name;
  return name && name !== 'Object' ? `a ${name}` : 'an object';
}

/** Throws the library's validation error; every call names the prop, the value, the limit and the fix. */
export function fail(prop: string, received: unknown, limit: string, fix: string): never {
  throw new StrategyValidationError(prop, describeValue(received), limit, fix);
}

/** Duck-typed so that a second copy of aws-cdk-lib in node_modules still passes. */
export function isDuration(value: unknown): value is Duration {
  return typeof value === 'object' && value !== null
    && typeof (value as Duration).toSeconds === 'function'
    && typeof (value as Duration).toHumanString === 'function'
    && typeof (value as Duration).isUnresolved === 'function';
}

export interface DurationLimits {
  /** Smallest accepted number of seconds. */
  readonly minSeconds: number;
  /** Why the value is needed, used in the fix of the error. */
  readonly fix: string;
}

/**
 * Reads a Duration as whole seconds. Plans need concrete numbers, so tokens are rejected here:
 * a traffic plan cannot be printed or checked from a value known only at deploy time.
 */
export function wholeSeconds(prop: string, value: unknown, limits: DurationLimits): number {
  if (!isDuration(value)) {
    fail(prop, value, 'it must be a Duration', `Pass a Duration, for example Duration.minutes(5). ${limits.fix}`);
  }
  if (value.isUnresolved()) {
    fail(prop, value, 'the traffic plan needs a concrete duration', 'Pass a literal Duration, not a token.');
  }
  const seconds = value.toSeconds({ integral: false });
  if (!Number.isInteger(seconds)) {
    fail(prop, value, 'durations are whole seconds', 'Round the duration to whole seconds.');
  }
  if (seconds < limits.minSeconds) {
    const limit = limits.minSeconds === 0 ? 'it cannot be negative' : `it must be at least ${limits.minSeconds} second${limits.minSeconds === 1 ? '' : 's'}`;
    fail(prop, value, limit, limits.fix);
  }
  return seconds;
}

/**
 * Reads a traffic percentage in tenths of a percent, the finest split any backend accepts
 * (ECS native canaries). Integer tenths keep sums exact: 12.3 + 87.7 is 100, not 99.99999.
 */
export function percentInTenths(prop: string, value: unknown, fix: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    fail(prop, value, 'a weight is a number, a percentage of traffic', fix);
  }
  if (value <= 0 || value > 100) {
    fail(prop, value, 'a weight is a percentage of traffic above 0 and at most 100', fix);
  }
  const tenths = Math.round(value * 10);
  if (Math.abs(tenths - value * 10) > 1e-6 || tenths < 1) {
    // tenths < 1: a value such as 1e-10 passes the rounding check but is no traffic at all.
    fail(prop, value, 'the finest split any backend supports is 0.1%', `Round the weight to one decimal place, for example ${Math.max(1, tenths) / 10}.`);
  }
  return tenths;
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/**
 * Names end up as Kubernetes object names, target group and set identifiers, so they follow the
 * strictest of those: a DNS label (RFC 1123), at most 63 characters.
 */
export function dnsLabel(prop: string, value: unknown, example: string): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > 63 || !DNS_LABEL.test(value)) {
    fail(prop, value,
      'a name must be a DNS label: 1-63 lowercase letters, digits or "-", starting and ending with a letter or digit',
      `Use a name such as "${example}".`);
  }
  return value;
}

/**
 * Guards against JavaScript callers passing something other than an array. Holes become
 * `undefined`, so `map` and `forEach` cannot skip them past validation.
 */
export function arrayOf<T>(prop: string, value: unknown, fix: string): T[] {
  if (!Array.isArray(value)) fail(prop, value, 'it must be an array', fix);
  return Array.from(value) as T[];
}

/** A moment to evaluate something at, such as an experiment's end date. */
export function validDate(prop: string, value: unknown, fix: string): Date {
  if (!(value instanceof Date) || isNaN(value.getTime())) fail(prop, value, 'it must be a valid Date', fix);
  return value;
}

/** Guards against JavaScript callers passing a non-object where a struct is expected. */
export function struct<T extends object>(prop: string, value: unknown, fix: string): T {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(prop, value, 'it must be an object', fix);
  return value as T;
}
