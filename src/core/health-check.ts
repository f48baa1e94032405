import { Duration } from 'aws-cdk-lib/core';
import { formatPercent, formatSeconds } from './private/format';
import type { HealthCheckJson } from './private/plan-table';
import { dnsLabel, fail, isDuration, struct, wholeSeconds } from './private/validation';

/** What a health check measures. */
export enum HealthCheckKind {
  /** The share of requests that fail. */
  ERROR_RATE = 'ERROR_RATE',
  /** A latency percentile. */
  LATENCY = 'LATENCY',
  /** A PromQL query the user writes (Kubernetes backends with a Prometheus metrics source). */
  PROMETHEUS = 'PROMETHEUS',
  /** A CloudWatch alarm or metric the user already has (AWS backends), made with `aws.CloudWatchHealthCheck`. */
  CLOUDWATCH = 'CLOUDWATCH',
}

/** Which responses an error-rate check counts as failed. */
export enum FailedRequests {
  /** Server errors: HTTP 5xx responses (Lambda: function errors). */
  SERVER_ERRORS = 'SERVER_ERRORS',
  /** Client and server errors: HTTP 4xx and 5xx responses (Lambda: function errors). */
  CLIENT_AND_SERVER_ERRORS = 'CLIENT_AND_SERVER_ERRORS',
}

/** How often a health check judges the new version, and how many bad judgements roll it back. */
export interface HealthCheckWindowOptions {
  /**
   * How long each evaluation window lasts: the check judges one window of requests at a time.
   * Backends add their own limits (CloudWatch: 10, 20 or 30 seconds, or whole minutes, and whole
   * minutes for load balancer metrics).
   *
   * @default Duration.minutes(1)
   */
  readonly window?: Duration;

  /**
   * How many failing windows in a row roll the release back.
   *
   * @default 2
   */
  readonly failingWindows?: number;
}

/** What the checks the library measures from request metrics take (error rate, latency). */
export interface RequestCheckOptions extends HealthCheckWindowOptions {
  /**
   * The check's name, a DNS label: it names the alarm or analysis metric it becomes, and the plan
   * lists it by this name. Names are unique among the checks of one rollout.
   *
   * @default - from the check: `error-rate`, `latency-p99`, `latency-p99-9`
   */
  readonly name?: string;

  /**
   * The fewest requests a window needs for a verdict. A window with fewer requests gives none: it
   * counts neither as failing nor as healthy, so a quiet canary is never rolled back on a handful
   * of requests, and never promoted on the strength of them either (see each backend for what it
   * does meanwhile). 0 judges every window with at least one request.
   *
   * @default 10
   */
  readonly minimumRequests?: number;
}

/** Props for `HealthCheck.errorRate()`. */
export interface ErrorRateCheckProps extends RequestCheckOptions {
  /**
   * The highest acceptable share of failed requests, in percent: a window above it fails. Above 0
   * and below 100.
   */
  readonly maxErrorPercent: number;

  /**
   * Which responses count as failed.
   *
   * @default FailedRequests.SERVER_ERRORS
   */
  readonly failedRequests?: FailedRequests;
}

/** Props for `HealthCheck.latency()`. */
export interface LatencyCheckProps extends RequestCheckOptions {
  /** The percentile to watch, above 0 and below 100: 99 for p99, 99.9 for p99.9. */
  readonly percentile: number;

  /** The highest acceptable latency at that percentile: a window above it fails. Whole milliseconds. */
  readonly maxLatency: Duration;
}

/** Props for `HealthCheck.prometheus()`. */
export interface PrometheusCheckProps extends HealthCheckWindowOptions {
  /** The check's name, a DNS label. */
  readonly name: string;

  /**
   * The PromQL query, returning one number per window. An empty result gives no verdict (as a
   * window below `minimumRequests` does), so filter quiet windows out in the query itself;
   * `minimumRequests` is not applied to a query the user writes.
   */
  readonly query: string;

  /**
   * A window whose value is above this fails.
   *
   * @default - no upper bound; `minValue` must then be set
   */
  readonly maxValue?: number;

  /**
   * A window whose value is below this fails.
   *
   * @default - no lower bound; `maxValue` must then be set
   */
  readonly minValue?: number;
}

const DEFAULT_WINDOW_SECONDS = 60;
const DEFAULT_FAILING_WINDOWS = 2;
const DEFAULT_MINIMUM_REQUESTS = 10;
/** Far above any sensible count, and small enough to stay exact in every backend's number type. */
const MAX_COUNT = 1_000_000;
/** A latency budget above an hour is not a latency budget. */
const MAX_LATENCY_MILLIS = 3_600_000;

/**
 * What rolls a release back: a signal about the new version, judged window by window, that fails
 * the rollout after enough failing windows in a row.
 *
 * Declared once, backend-neutral, and rendered by every backend that can measure it: CloudWatch
 * alarms (with metric math for rates) that feed ECS deployment alarms, CodeDeploy and the Step
 * Functions driver on AWS, and analysis metrics for Argo Rollouts and Flagger on Kubernetes. A
 * platform team attaches its checks to its house strategy (`healthChecks` on `Strategy.canary()`
 * and the others); a rollout may replace them (`healthChecks` on the rollout) or add to them
 * (`addHealthCheck()`).
 *
 * @example
 * import { Duration } from 'aws-cdk-lib';
 * import { HealthCheck, StepGate, Strategy } from 'cdk-deploy-strategies';
 *
 * const checks = [
 *   HealthCheck.errorRate({ maxErrorPercent: 1 }),
 *   HealthCheck.latency({ percentile: 99, maxLatency: Duration.millis(800) }),
 * ];
 * const canary = Strategy.canary({
 *   steps: [{ weight: 10, gate: StepGate.bake(Duration.minutes(10)) }],
 *   healthChecks: checks,
 * });
 */
export class HealthCheck {
  /** A window fails when the share of failed requests is above `maxErrorPercent`. */
  public static errorRate(props: ErrorRateCheckProps): HealthCheck {
    const where = 'HealthCheck.errorRate';
    struct(`${where}: props`, props, 'Pass an object such as { maxErrorPercent: 1 }.');
    const max = props.maxErrorPercent;
    if (typeof max !== 'number' || !Number.isFinite(max) || max <= 0 || max >= 100) {
      fail(`${where}: maxErrorPercent`, max, 'an error rate is a percentage of requests above 0 and below 100',
        'Use the share of failing requests you tolerate, such as 1 for 1%.');
    }
    const failed = props.failedRequests ?? FailedRequests.SERVER_ERRORS;
    if (!Object.values(FailedRequests).includes(failed)) {
      fail(`${where}: failedRequests`, failed, `it must be one of ${Object.values(FailedRequests).join(', ')}`,
        'Use FailedRequests.SERVER_ERRORS (5xx) or FailedRequests.CLIENT_AND_SERVER_ERRORS (4xx and 5xx).');
    }
    const windows = windowOptions(where, props, 'error-rate');
    return new HealthCheck(HealthCheckKind.ERROR_RATE, windows, { maxErrorPercent: max, failedRequests: failed });
  }

  /** A window fails when the given latency percentile is above `maxLatency`. */
  public static latency(props: LatencyCheckProps): HealthCheck {
    const where = 'HealthCheck.latency';
    struct(`${where}: props`, props, 'Pass an object such as { percentile: 99, maxLatency: Duration.millis(800) }.');
    const percentile = props.percentile;
    if (typeof percentile !== 'number' || !Number.isFinite(percentile) || percentile <= 0 || percentile >= 100) {
      fail(`${where}: percentile`, percentile, 'a percentile is above 0 and below 100',
        'Use 99 for p99, 99.9 for p99.9 or 50 for the median.');
    }
    if (Math.abs(Math.round(percentile * 100) - percentile * 100) > 1e-6) {
      fail(`${where}: percentile`, percentile, 'percentiles have at most two decimal places, as CloudWatch statistics do (p99.99)',
        `Round the percentile, for example to ${Math.floor(percentile * 100) / 100}.`);
    }
    const maxLatencyMillis = latencyMillis(`${where}: maxLatency`, props.maxLatency);
    const windows = windowOptions(where, props, `latency-p${String(percentile).replace('.', '-')}`);
    return new HealthCheck(HealthCheckKind.LATENCY, windows, { percentile, maxLatencyMillis });
  }

  /**
   * A window fails when a PromQL query's value is above `maxValue` or below `minValue`. Rendered
   * only by Kubernetes backends with a Prometheus metrics source; AWS backends refuse it.
   */
  public static prometheus(props: PrometheusCheckProps): HealthCheck {
    const where = 'HealthCheck.prometheus';
    struct(`${where}: props`, props, 'Pass an object such as { name: "queue-depth", query: "...", maxValue: 100 }.');
    dnsLabel(`${where}: name`, props.name, 'queue-depth');
    if (typeof props.query !== 'string' || props.query.trim() === '') {
      fail(`${where}: query`, props.query, 'a Prometheus check needs a PromQL query',
        'Pass a query returning one number per window, such as "sum(rate(jobs_failed_total[1m]))".');
    }
    const bound = (prop: 'maxValue' | 'minValue') => {
      const value = props[prop];
      if (value !== undefined && (typeof value !== 'number' || !Number.isFinite(value))) {
        fail(`${where}: ${prop}`, value, 'a bound is a finite number', `Pass a number, or leave ${prop} out.`);
      }
      return value;
    };
    const maxValue = bound('maxValue');
    const minValue = bound('minValue');
    if (maxValue === undefined && minValue === undefined) {
      fail(`${where}: maxValue`, undefined, 'a check needs a bound to fail on',
        'Set maxValue (windows above it fail), minValue (windows below it fail), or both.');
    }
    if (maxValue !== undefined && minValue !== undefined && minValue > maxValue) {
      fail(`${where}: minValue`, minValue, `it is above maxValue (${maxValue}), so every window would fail`,
        'Set minValue at or below maxValue.');
    }
    // Not in the props' type; JavaScript callers may still pass it, and silently ignoring it would mislead.
    const minimumRequests = (props as RequestCheckOptions).minimumRequests;
    if (minimumRequests !== undefined) {
      fail(`${where}: minimumRequests`, minimumRequests, 'the library cannot count the requests behind a query it did not write',
        'Filter quiet windows out in the query (an empty result gives no verdict), and leave minimumRequests out.');
    }
    const windows = windowOptions(where, props, props.name);
    return new HealthCheck(HealthCheckKind.PROMETHEUS, { ...windows, minimumRequests: 0 }, { query: props.query.trim(), maxValue, minValue });
  }

  /**
   * @internal For the platform layers' own escape hatches (`aws.CloudWatchHealthCheck`): a check
   * whose measurement only that platform understands, carried here as an opaque payload.
   */
  public static _platform(kind: HealthCheckKind, name: string, description: string, windows: {
    windowSeconds: number; failingWindows: number;
  }, payload: unknown): HealthCheck {
    return new HealthCheck(kind, { name, windowSeconds: windows.windowSeconds, failingWindows: windows.failingWindows, minimumRequests: 0 },
      { description, payload });
  }

  /** @internal */
  public static _isHealthCheck(value: unknown): value is HealthCheck {
    return value instanceof HealthCheck;
  }

  /** @internal Reads a list of checks given as a prop: each a HealthCheck, names unique. */
  public static _requireList(prop: string, value: unknown): HealthCheck[] {
    if (!Array.isArray(value)) {
      fail(prop, value, 'it must be an array of health checks',
        'Pass checks such as [HealthCheck.errorRate({ maxErrorPercent: 1 })], or [] for none.');
    }
    const checks = Array.from(value).map((check, i) => {
      if (!HealthCheck._isHealthCheck(check)) {
        fail(`${prop}[${i}]`, check, 'a health check is made with HealthCheck.errorRate(), HealthCheck.latency(), HealthCheck.prometheus() or aws.CloudWatchHealthCheck',
          'For example HealthCheck.errorRate({ maxErrorPercent: 1 }).');
      }
      return check;
    });
    const seen = new Map<string, number>();
    checks.forEach((check, i) => {
      const first = seen.get(check.name);
      if (first !== undefined) {
        fail(`${prop}[${i}].name`, check.name, `${prop.slice(prop.lastIndexOf(': ') + 2)}[${first}] has the same name, and a name picks one alarm or analysis metric`,
          'Give the checks different names with the name option, such as "latency-p99-strict".');
      }
      seen.set(check.name, i);
    });
    return checks;
  }

  /**
   * @internal Reads a check given to `addHealthCheck()`: a HealthCheck (`made` says which factories
   * the backend takes) whose name no check of `existing` has (`unit`: what a name picks there).
   */
  public static _requireAddable(prop: string, value: unknown, existing: HealthCheck[], owner: string, unit: string, made: string): HealthCheck {
    if (!HealthCheck._isHealthCheck(value)) {
      fail(prop, value, `a health check is made with ${made}`, 'For example HealthCheck.errorRate({ maxErrorPercent: 1 }).');
    }
    if (existing.some(c => c.name === value.name)) {
      fail(`${prop}.name`, value.name, `the ${owner} has a health check named "${value.name}" already, and a name picks one ${unit}`,
        'Give the check another name with the name option, such as "latency-p99-strict".');
    }
    return value;
  }

  /** What the check measures. */
  public readonly kind: HealthCheckKind;
  /** The check's name, a DNS label. */
  public readonly name: string;
  /** How many failing windows in a row roll the release back. */
  public readonly failingWindows: number;
  /** The fewest requests a window needs for a verdict (0 for checks that do not count requests). */
  public readonly minimumRequests: number;
  /** Error rate: the highest acceptable share of failed requests, in percent. */
  public readonly maxErrorPercent?: number;
  /** Error rate: which responses count as failed. */
  public readonly failedRequests?: FailedRequests;
  /** Latency: the percentile watched. */
  public readonly percentile?: number;
  /** Prometheus: the query. */
  public readonly query?: string;
  /** Prometheus: windows above this value fail. */
  public readonly maxValue?: number;
  /** Prometheus: windows below this value fail. */
  public readonly minValue?: number;

  private readonly windowSeconds: number;
  private readonly maxLatencyMillis?: number;
  private readonly platformDescription?: string;
  /** @internal The platform's own measurement (an alarm or metric), for `CLOUDWATCH` checks. */
  public readonly _payload?: unknown;

  private constructor(kind: HealthCheckKind, windows: WindowSettings, extra: {
    maxErrorPercent?: number;
    failedRequests?: FailedRequests;
    percentile?: number;
    maxLatencyMillis?: number;
    query?: string;
    maxValue?: number;
    minValue?: number;
    description?: string;
    payload?: unknown;
  }) {
    this.kind = kind;
    this.name = windows.name;
    this.windowSeconds = windows.windowSeconds;
    this.failingWindows = windows.failingWindows;
    this.minimumRequests = windows.minimumRequests;
    this.maxErrorPercent = extra.maxErrorPercent;
    this.failedRequests = extra.failedRequests;
    this.percentile = extra.percentile;
    this.maxLatencyMillis = extra.maxLatencyMillis;
    this.query = extra.query;
    this.maxValue = extra.maxValue;
    this.minValue = extra.minValue;
    this.platformDescription = extra.description;
    this._payload = extra.payload;
  }

  /** How long each evaluation window lasts. */
  public get window(): Duration {
    return Duration.seconds(this.windowSeconds);
  }

  /** Latency: the highest acceptable latency at the percentile. */
  public get maxLatency(): Duration | undefined {
    return this.maxLatencyMillis === undefined ? undefined : Duration.millis(this.maxLatencyMillis);
  }

  /**
   * How long the check takes at least to roll a release back once the new version goes bad:
   * `failingWindows` × `window`.
   */
  public get timeToDetect(): Duration {
    return Duration.seconds(this.windowSeconds * this.failingWindows);
  }

  /**
   * A one-line description for plans and reports:
   * `error-rate: 5xx above 1% for 2 windows of 1m (10+ requests)`.
   */
  public describe(): string {
    return `${this.name}: ${this.condition()} for ${this.failingWindows} window${this.failingWindows === 1 ? '' : 's'} of ${formatSeconds(this.windowSeconds)}`
      + (this.minimumRequests > 0 ? ` (${this.minimumRequests}+ requests)` : '');
  }

  /** What fails a window, in words: `5xx above 1%`, `p99 above 800ms`. */
  public condition(): string {
    switch (this.kind) {
      case HealthCheckKind.ERROR_RATE:
        return `${this.failedRequests === FailedRequests.SERVER_ERRORS ? '5xx' : '4xx and 5xx'} above ${formatPercent(this.maxErrorPercent!)}`;
      case HealthCheckKind.LATENCY:
        return `p${this.percentile} above ${formatMillis(this.maxLatencyMillis!)}`;
      case HealthCheckKind.PROMETHEUS: {
        const parts: string[] = [];
        if (this.maxValue !== undefined) parts.push(`above ${this.maxValue}`);
        if (this.minValue !== undefined) parts.push(`below ${this.minValue}`);
        return `query ${parts.join(' or ')}`;
      }
      case HealthCheckKind.CLOUDWATCH:
        return this.platformDescription!;
    }
  }

  /** @internal The check as the plan records it. */
  public _toJson(): HealthCheckJson {
    return {
      name: this.name,
      kind: this.kind,
      description: this.describe(),
      windowSeconds: this.windowSeconds,
      failingWindows: this.failingWindows,
      minimumRequests: this.minimumRequests,
    };
  }
}

interface WindowSettings {
  readonly name: string;
  readonly windowSeconds: number;
  readonly failingWindows: number;
  readonly minimumRequests: number;
}

function windowOptions(where: string, props: RequestCheckOptions, defaultName: string): WindowSettings {
  const name = props.name === undefined ? defaultName : dnsLabel(`${where}: name`, props.name, defaultName);
  const windowSeconds = props.window === undefined ? DEFAULT_WINDOW_SECONDS : wholeSeconds(`${where}: window`, props.window, {
    minSeconds: 1,
    fix: 'A window is the stretch of traffic judged at once; use at least Duration.seconds(10), typically Duration.minutes(1).',
  });
  const failingWindows = count(`${where}: failingWindows`, props.failingWindows ?? DEFAULT_FAILING_WINDOWS, 1,
    'Use 1 to roll back on the first failing window, or more to ride out a single bad one.');
  const minimumRequests = count(`${where}: minimumRequests`, props.minimumRequests ?? DEFAULT_MINIMUM_REQUESTS, 0,
    'Use the fewest requests a window needs to be judged, such as 10, or 0 to judge every window with traffic.');
  return { name, windowSeconds, failingWindows, minimumRequests };
}

function count(prop: string, value: unknown, min: number, fix: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > MAX_COUNT) {
    fail(prop, value, `it is a whole number from ${min} to ${MAX_COUNT.toLocaleString('en-US')}`, fix);
  }
  return value;
}

function latencyMillis(prop: string, value: unknown): number {
  if (!isDuration(value)) {
    fail(prop, value, 'it must be a Duration', 'Pass a Duration such as Duration.millis(800).');
  }
  if (value.isUnresolved()) {
    fail(prop, value, 'the check needs a concrete latency', 'Pass a literal Duration, not a token.');
  }
  const millis = value.toMilliseconds({ integral: false });
  if (!Number.isFinite(millis) || millis <= 0) {
    fail(prop, value, 'a latency budget is above zero', 'Pass a Duration such as Duration.millis(800).');
  }
  if (!Number.isInteger(millis)) {
    fail(prop, value, 'latency budgets are whole milliseconds', `Round it, for example to Duration.millis(${Math.max(1, Math.round(millis))}).`);
  }
  if (millis > MAX_LATENCY_MILLIS) {
    fail(prop, value, 'a latency budget is at most an hour', 'Pass the latency at which users are hurt, such as Duration.seconds(2).');
  }
  return millis;
}

/** `800ms`, `2s`, `1.5s`. */
function formatMillis(millis: number): string {
  return millis < 1000 ? `${millis}ms` : `${Number((millis / 1000).toFixed(3))}s`;
}
