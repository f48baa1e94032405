import { Duration } from 'aws-cdk-lib/core';
import { flaggerDuration, FlaggerMetricCheck } from './private/flagger-types';
import { formatSeconds } from '../core/private/format';
import { fail, struct, wholeSeconds } from '../core/private/validation';

/** Props for `FlaggerMetric.requestSuccessRate()`. */
export interface RequestSuccessRateProps {
  /**
   * The lowest share of requests to the new version answered without a server error (5xx), in
   * percent, above 0 and at most 100.
   *
   * @default 99
   */
  readonly minPercent?: number;

  /**
   * The window the rate is measured over, in whole seconds from 10 seconds.
   *
   * @default Duration.minutes(1)
   */
  readonly window?: Duration;
}

/** Props for `FlaggerMetric.requestDuration()`. */
export interface RequestDurationProps {
  /** The longest 99th-percentile request duration of the new version, in whole milliseconds. */
  readonly maxP99: Duration;

  /**
   * The window the percentile is measured over, in whole seconds from 10 seconds.
   *
   * @default Duration.minutes(1)
   */
  readonly window?: Duration;
}

/**
 * An analysis a Flagger rollout runs: the name that `StepGate.analysis({ name })` gives, and the
 * metric checks Flagger runs for it. Flagger checks every metric of the analysis at the end of
 * every interval, on every step.
 */
export interface FlaggerAnalysis {
  /** The analysis name, as the strategy's analysis gates name it. */
  readonly name: string;

  /** The checks the analysis runs; it passes when every check does. */
  readonly metrics: FlaggerMetric[];
}

const DEFAULT_WINDOW_SECONDS = 60;
/** Prometheus needs a window of a few scrapes for a rate. */
const MIN_WINDOW_SECONDS = 10;

/**
 * A metric check of a Flagger analysis: one of Flagger's built-in checks, which Flagger runs as
 * Prometheus queries against the metrics server it was installed with (`--metrics-server`), for
 * the mesh or ingress provider it was installed for. Check that your Gateway API implementation
 * exports the metrics those queries read; for queries of your own data plane, declare health checks
 * (`HealthCheck.errorRate()`, `HealthCheck.latency()`) with a `metricsSource`, which render as
 * Flagger `MetricTemplate`s.
 *
 * Flagger runs every check at the end of every interval of the analysis; a failed check counts
 * toward the rollout's `threshold` of failed checks, which rolls the rollout back.
 *
 * @example
 * const checks: k8s.FlaggerAnalysis = {
 *   name: 'error-rate',
 *   metrics: [
 *     k8s.FlaggerMetric.requestSuccessRate({ minPercent: 99 }),
 *     k8s.FlaggerMetric.requestDuration({ maxP99: Duration.millis(500) }),
 *   ],
 * };
 */
export class FlaggerMetric {
  /** Flagger's built-in `request-success-rate`: the share of requests not answered with a 5xx. */
  public static requestSuccessRate(props: RequestSuccessRateProps = {}): FlaggerMetric {
    const where = 'FlaggerMetric.requestSuccessRate';
    struct(`${where}: props`, props, 'Pass { minPercent: 99 }.');
    const min = props.minPercent ?? 99;
    if (typeof min !== 'number' || !Number.isFinite(min) || min <= 0 || min > 100) {
      fail(`${where}: minPercent`, min, 'a success rate is a percentage above 0 and at most 100', 'Use a percentage such as 99.');
    }
    return new FlaggerMetric('request-success-rate', windowSeconds(`${where}: window`, props.window), { min },
      `request-success-rate ≥ ${min}%`);
  }

  /** Flagger's built-in `request-duration`: the 99th percentile of request durations, in milliseconds. */
  public static requestDuration(props: RequestDurationProps): FlaggerMetric {
    const where = 'FlaggerMetric.requestDuration';
    struct(`${where}: props`, props, 'Pass { maxP99: Duration.millis(500) }.');
    const millis = durationMillis(`${where}: maxP99`, props.maxP99);
    return new FlaggerMetric('request-duration', windowSeconds(`${where}: window`, props.window), { max: millis },
      `request-duration p99 ≤ ${millis}ms`);
  }

  /** @internal */
  public static _require(prop: string, value: unknown): FlaggerMetric {
    if (!(value instanceof FlaggerMetric)) {
      fail(prop, value, 'a metric is made with FlaggerMetric.requestSuccessRate() or FlaggerMetric.requestDuration()',
        'For example FlaggerMetric.requestSuccessRate({ minPercent: 99 }).');
    }
    return value;
  }

  /** The check's name in the Canary: `request-success-rate` or `request-duration`. */
  public readonly name: string;

  private readonly windowSeconds: number;
  private readonly range: { readonly min?: number; readonly max?: number };
  private readonly text: string;

  private constructor(name: string, seconds: number, range: { min?: number; max?: number }, text: string) {
    this.name = name;
    this.windowSeconds = seconds;
    this.range = range;
    this.text = text;
  }

  /** The window the metric is measured over. */
  public get window(): Duration {
    return Duration.seconds(this.windowSeconds);
  }

  /** A short description: `request-success-rate ≥ 99% over 1m`. */
  public describe(): string {
    return `${this.text} over ${formatSeconds(this.windowSeconds)}`;
  }

  /** @internal The check as the Canary's `analysis.metrics` lists it. */
  public _render(): FlaggerMetricCheck {
    return { name: this.name, interval: flaggerDuration(this.windowSeconds), thresholdRange: { ...this.range } };
  }

  /** @internal Whether two metrics check the same thing the same way. */
  public _sameAs(other: FlaggerMetric): boolean {
    return JSON.stringify(this._render()) === JSON.stringify(other._render());
  }
}

function windowSeconds(prop: string, value: unknown): number {
  if (value === undefined) return DEFAULT_WINDOW_SECONDS;
  return wholeSeconds(prop, value, {
    minSeconds: MIN_WINDOW_SECONDS,
    fix: 'Measure over at least Duration.seconds(10), such as Duration.minutes(1).',
  });
}

function durationMillis(prop: string, value: unknown): number {
  const millis = value instanceof Duration && !value.isUnresolved() ? value.toMilliseconds({ integral: false }) : NaN;
  if (!Number.isInteger(millis) || millis < 1 || millis > 3_600_000) {
    fail(prop, value, 'a latency limit is a whole number of milliseconds from 1 ms to 1 hour', 'Use a duration such as Duration.millis(500).');
  }
  return millis;
}
