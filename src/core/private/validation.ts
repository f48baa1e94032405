import { Duration } from 'aws-cdk-lib/core';
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
  if (isDuration(value)) return describeDuration(value);
  const library = foreignDuration(value);
  if (library) return `${library}'s Duration${describeForeignDuration(value)}`;
  if (Array.isArray(value)) return value.length === 0 ? 'an empty array' : `an array of ${value.length}`;
  if (typeof value === 'function') return 'a function';
  const name = (value as object).constructor?.name;
  if (!name || name === 'Object') return 'an object';
  return /^[AEIOU]/i.test(name) ? `an ${name}` : `a ${name}`;
}

function describeDuration(value: Duration): string {
  if (value.isUnresolved()) return 'an unresolved token';
  const seconds = value.toSeconds({ integral: false });
  return Number.isFinite(seconds) ? value.toHumanString() : `a Duration of ${seconds} seconds`;
}

/**
 * The library a Duration that is not aws-cdk-lib's comes from (`cdk8s`), read from the type
 * information jsii gives every class; undefined for anything else. cdk8s's Duration has the same
 * factories but no tokens (`isUnresolved`), so `isDuration` rightly refuses it: this names it.
 */
export function foreignDuration(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null || isDuration(value)) return undefined;
  const fqn: unknown = (value.constructor as any)?.[Symbol.for('jsii.rtti')]?.fqn;
  if (typeof fqn !== 'string' || !fqn.endsWith('.Duration')) return undefined;
  return fqn.slice(0, -'.Duration'.length);
}

function describeForeignDuration(value: unknown): string {
  try {
    const text = (value as { toHumanString(): unknown }).toHumanString();
    return typeof text === 'string' ? ` (${text})` : '';
  } catch {
    return '';
  }
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

/** The longest duration a plan accepts: no rollout step sensibly lasts longer than a year. */
const MAX_SECONDS = 365 * 24 * 3600;

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
  const library = foreignDuration(value);
  if (library) {
    fail(prop, value, `cdk-deploy-strategies takes aws-cdk-lib's Duration, in ${library} apps too`,
      `Import Duration from aws-cdk-lib (import { Duration } from 'aws-cdk-lib'), not from ${library}, for every duration you give the library.`);
  }
  if (!isDuration(value)) {
    fail(prop, value, 'it must be a Duration', `Pass a Duration, for example Duration.minutes(5). ${limits.fix}`);
  }
  if (value.isUnresolved()) {
    fail(prop, value, 'the traffic plan needs a concrete duration', 'Pass a literal Duration, not a token.');
  }
  const seconds = value.toSeconds({ integral: false });
  if (!Number.isFinite(seconds) || seconds > MAX_SECONDS) {
    fail(prop, value, 'a plan accepts durations up to 365 days', 'Use a finite Duration of at most Duration.days(365).');
  }
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
 *
 * @param maxTenths the largest accepted value, in tenths (1000 for 100%)
 */
export function percentInTenths(prop: string, value: unknown, fix: string, maxTenths: number = 1000): number {
  const range = maxTenths === 1000 ? 'above 0 and at most 100' : `above 0 and at most ${maxTenths / 10}`;
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    fail(prop, value, 'a weight is a number, a percentage of traffic', fix);
  }
  if (value <= 0 || value * 10 > maxTenths) {
    fail(prop, value, `a weight is a percentage of traffic ${range}`, fix);
  }
  const tenths = Math.round(value * 10);
  if (Math.abs(tenths - value * 10) > 1e-6 || tenths < 1 || tenths > maxTenths) {
    // tenths < 1: a value such as 1e-10 passes the rounding check but is no traffic at all.
    const nearest = Math.min(maxTenths, Math.max(1, tenths)) / 10;
    fail(prop, value, 'the finest split any backend supports is 0.1%', `Round the weight to one decimal place, for example ${nearest}.`);
  }
  return tenths;
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** Whether `value` is a DNS label (RFC 1123): 1-63 lowercase letters, digits or "-", starting and ending with a letter or digit. */
export function isDnsLabel(value: unknown): value is string {
  return typeof value === 'string' && value.length <= 63 && DNS_LABEL.test(value);
}

/** Whether `value` is a DNS subdomain (RFC 1123): DNS labels joined by ".", at most 253 characters. */
export function isDnsSubdomain(value: unknown): value is string {
  return typeof value === 'string' && value.length <= 253 && DNS_SUBDOMAIN.test(value);
}

/**
 * Names end up as Kubernetes object names, target group and set identifiers, so they follow the
 * strictest of those: a DNS label (RFC 1123), at most 63 characters.
 */
export function dnsLabel(prop: string, value: unknown, example: string): string {
  if (!isDnsLabel(value)) {
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

/**
 * Guards against JavaScript callers passing something other than a plain object where a struct is
 * expected, such as a Duration in place of `{ bakeTime: Duration }`. Plain means its prototype's
 * prototype is null, which holds for object literals from any realm.
 */
export function struct<T extends object>(prop: string, value: unknown, fix: string): T {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(prop, value, 'it must be an object', fix);
  const proto = Object.getPrototypeOf(value);
  if (proto !== null && Object.getPrototypeOf(proto) !== null) {
    fail(prop, value, 'it must be a plain object of props, not an instance of a class', fix);
  }
  return value as T;
}
