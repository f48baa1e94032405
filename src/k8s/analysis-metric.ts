import { Duration } from 'aws-cdk-lib/core';
import { argoDuration, ArgoMetric, ArgoMetricProvider } from './private/argo-types';
import { httpUrl } from './private/http-url';
import { formatSeconds } from '../core/private/format';
import { arrayOf, dnsLabel, fail, struct, wholeSeconds } from '../core/private/validation';

/** What every analysis metric takes, whatever it measures. */
export interface AnalysisMetricOptions {
  /** The metric's name in the AnalysisTemplate, a DNS label. */
  readonly name: string;

  /**
   * When a measurement passes, in Argo's expression language: the measurement is `result`, for
   * example `result[0] >= 0.99` for a Prometheus vector or `result == true` for a JSON field.
   */
  readonly successCondition: string;

  /**
   * How many failed measurements the metric tolerates; one more fails the analysis and rolls the
   * rollout back.
   *
   * @default 0 - the first failed measurement fails the analysis (Argo's default)
   */
  readonly failureLimit?: number;

  /**
   * Time between measurements, in whole seconds. Each measurement is taken at the end of its
   * interval (Argo's `initialDelay` is set to the interval), so it sees a full interval of traffic
   * on the new version, and `count` measurements take `count` × `interval`.
   *
   * @default Duration.minutes(1)
   */
  readonly interval?: Duration;

  /**
   * How many measurements to take. An analysis gate holds its step for `count` × `interval`, so
   * the two must match the gate's duration.
   *
   * @default - the duration of the analysis gate that names the template, divided by the interval
   * (the gate's duration must be a whole number of intervals). A template used only for
   * `ArgoRollout`'s `prePromotionAnalysis` or `postPromotionAnalysis`, which have no gate duration,
   * needs an explicit count.
   */
  readonly count?: number;
}

/** A metric read from Prometheus. */
export interface PrometheusMetricProps extends AnalysisMetricOptions {
  /** The Prometheus server's URL, such as `http://prometheus.monitoring:9090`. */
  readonly address: string;

  /** The PromQL query. Its result is a vector: compare `result[0]` in the success condition. */
  readonly query: string;
}

/** A request header sent by a web metric. */
export interface WebMetricHeader {
  /** The header name. */
  readonly name: string;

  /** The header value. It is written into the manifest in clear text: never put a secret here. */
  readonly value: string;
}

/** A metric read from an HTTP endpoint that answers JSON. */
export interface WebMetricProps extends AnalysisMetricOptions {
  /**
   * The endpoint, an http or https URL. Argo sends a GET request. An answer outside 2xx is a
   * measurement error (Argo fails the metric after 4 errors in a row), and a 2xx answer that is
   * not JSON passes whatever the success condition, so point it at an endpoint that answers JSON.
   */
  readonly url: string;

  /**
   * The field of the JSON answer to test, as a Kubernetes JSONPath template such as `{$.data.ok}`.
   *
   * @default - the whole JSON answer is `result`
   */
  readonly jsonPath?: string;

  /**
   * Request headers, written into the manifest in clear text.
   *
   * @default - no extra headers
   */
  readonly headers?: WebMetricHeader[];
}

const DEFAULT_INTERVAL_SECONDS = 60;
/** Argo stores counts and limits as 32-bit integers. */
const MAX_INT32 = 2_147_483_647;
// RFC 9110 token characters, what a header name may contain.
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
// Visible characters and inner spaces: CR or LF would split the header.
const HEADER_VALUE = /^[\x21-\x7E\x80-\uFFFF]([\x20-\x7E\x80-\uFFFF]*[\x21-\x7E\x80-\uFFFF])?$/;
// Argo evaluates conditions with the expr language, where the measurement is the variable `result`.
const MENTIONS_RESULT = /\bresult\b/;

/**
 * One measurement an Argo Rollouts analysis takes repeatedly: a Prometheus query or an HTTP
 * endpoint, the condition a measurement must meet, and how many failures it tolerates.
 *
 * @example
 * const errorRate = k8s.AnalysisMetric.prometheus({
 *   name: 'success-rate',
 *   address: 'http://prometheus.monitoring:9090',
 *   query: 'sum(rate(http_requests_total{app="web",code!~"5.."}[1m])) / sum(rate(http_requests_total{app="web"}[1m]))',
 *   successCondition: 'result[0] >= 0.99',
 * });
 * const smokeTest = k8s.AnalysisMetric.web({
 *   name: 'smoke-test',
 *   url: 'http://web-preview.shop.svc/healthz',
 *   jsonPath: '{$.ok}',
 *   successCondition: 'result == true',
 *   interval: Duration.seconds(30),
 * });
 */
export class AnalysisMetric {
  /** A metric read from Prometheus with a PromQL query. */
  public static prometheus(props: PrometheusMetricProps): AnalysisMetric {
    const where = 'AnalysisMetric.prometheus';
    struct(`${where}: props`, props, 'Pass { name, address, query, successCondition }.');
    const address = httpUrl(`${where}: address`, props.address, 'http://prometheus.monitoring:9090');
    const query = nonEmpty(`${where}: query`, props.query, 'Pass a PromQL query such as "sum(rate(http_requests_total[1m]))".');
    return new AnalysisMetric(where, props, { prometheus: { address, query } });
  }

  /** A metric read from an HTTP endpoint that answers JSON. */
  public static web(props: WebMetricProps): AnalysisMetric {
    const where = 'AnalysisMetric.web';
    struct(`${where}: props`, props, 'Pass { name, url, successCondition }.');
    const url = httpUrl(`${where}: url`, props.url, 'http://web-preview.shop.svc/healthz');
    if (props.jsonPath !== undefined && (typeof props.jsonPath !== 'string' || !/^\{[\s\S]+\}$/.test(props.jsonPath.trim()))) {
      fail(`${where}: jsonPath`, props.jsonPath, 'Argo reads the field with a Kubernetes JSONPath template, written in braces',
        'Use a template such as "{$.data.ok}", or leave jsonPath out to test the whole answer.');
    }
    const headers = props.headers === undefined ? undefined
      : arrayOf<WebMetricHeader>(`${where}: headers`, props.headers, 'Pass headers such as [{ name: "Accept", value: "application/json" }].')
        .map((raw, i) => {
          const header = struct<WebMetricHeader>(`${where}: headers[${i}]`, raw, 'Pass { name, value }.');
          if (typeof header.name !== 'string' || !TOKEN.test(header.name)) {
            fail(`${where}: headers[${i}].name`, header.name, 'a header name is a non-empty token (letters, digits and !#$%&\'*+-.^_`|~)',
              'Use a header name such as "Accept".');
          }
          if (typeof header.value !== 'string' || !HEADER_VALUE.test(header.value)) {
            fail(`${where}: headers[${i}].value`, header.value, 'a header value is non-empty visible text, without line breaks or surrounding spaces',
              'Pass the value as the endpoint expects it, such as "application/json".');
          }
          return { key: header.name, value: header.value };
        });
    return new AnalysisMetric(where, props, {
      web: { url, jsonPath: props.jsonPath?.trim(), headers: headers && headers.length > 0 ? headers : undefined },
    });
  }

  /** @internal */
  public static _require(prop: string, value: unknown): AnalysisMetric {
    if (!(value instanceof AnalysisMetric)) {
      fail(prop, value, 'a metric is made with AnalysisMetric.prometheus() or AnalysisMetric.web()',
        'For example AnalysisMetric.prometheus({ name, address, query, successCondition }).');
    }
    return value;
  }

  /** The metric's name in the AnalysisTemplate. */
  public readonly name: string;
  /** When a measurement passes, in Argo's expression language. */
  public readonly successCondition: string;
  /** How many failed measurements the metric tolerates. */
  public readonly failureLimit: number;
  /** How many measurements to take, when set; otherwise derived from the analysis gate's duration. */
  public readonly count?: number;

  /** @internal */
  public readonly _intervalSeconds: number;
  private readonly provider: ArgoMetricProvider;

  private constructor(where: string, props: AnalysisMetricOptions, provider: ArgoMetricProvider) {
    this.name = dnsLabel(`${where}: name`, props.name, 'error-rate');
    const condition = nonEmpty(`${where}: successCondition`, props.successCondition, 'Pass a condition such as "result[0] >= 0.99".');
    if (!MENTIONS_RESULT.test(condition)) {
      fail(`${where}: successCondition`, condition, 'Argo names the measurement `result`, and a condition that does not read it is always true or always false',
        'Test the measurement, such as "result[0] >= 0.99" or "result == true".');
    }
    this.successCondition = condition;
    this._intervalSeconds = props.interval === undefined ? DEFAULT_INTERVAL_SECONDS : wholeSeconds(`${where}: interval`, props.interval, {
      minSeconds: 1,
      fix: 'Measure at least every second, such as Duration.minutes(1).',
    });
    this.failureLimit = props.failureLimit === undefined ? 0 : wholeNumber(`${where}: failureLimit`, props.failureLimit, 0,
      'Use the number of failed measurements to tolerate, such as 0 or 1.');
    if (props.count !== undefined) {
      this.count = wholeNumber(`${where}: count`, props.count, 1, 'Use a number of measurements such as 5.');
      this._checkFailureLimit(`${where}: failureLimit`, this.count);
    }
    this.provider = provider;
  }

  /** Time between measurements. */
  public get interval(): Duration {
    return Duration.seconds(this._intervalSeconds);
  }

  /** A short description: `prometheus success-rate every 1m`, `web smoke-test every 30s, 4 times`. */
  public describe(): string {
    const kind = this.provider.prometheus ? 'prometheus' : 'web';
    const times = this.count === undefined ? '' : `, ${this.count} time${this.count === 1 ? '' : 's'}`;
    return `${kind} ${this.name} every ${formatSeconds(this._intervalSeconds)}${times}`;
  }

  /** @internal Fails when `failureLimit` failures out of `count` measurements could never fail the analysis. */
  public _checkFailureLimit(prop: string, count: number, received: unknown = this.failureLimit): void {
    if (this.failureLimit >= count) {
      fail(prop, received,
        `metric "${this.name}" takes ${count} measurement${count === 1 ? '' : 's'}, so tolerating ${this.failureLimit} failure${this.failureLimit === 1 ? '' : 's'} means it can never fail`,
        `Use a failure limit below ${count}, or take more measurements.`);
    }
  }

  /** @internal The metric as Argo reads it, taking `count` measurements (the metric's own count wins). */
  public _render(count: number | undefined): ArgoMetric {
    return {
      name: this.name,
      interval: argoDuration(this._intervalSeconds),
      initialDelay: argoDuration(this._intervalSeconds),
      count: this.count ?? count,
      failureLimit: this.failureLimit,
      successCondition: this.successCondition,
      provider: this.provider,
    };
  }
}

function wholeNumber(prop: string, value: unknown, min: number, fix: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > MAX_INT32) {
    fail(prop, value, `it must be a whole number from ${min} to ${MAX_INT32}`, fix);
  }
  return value;
}

function nonEmpty(prop: string, value: unknown, fix: string): string {
  if (typeof value !== 'string' || value.trim() === '') fail(prop, value, 'it must be a non-empty string', fix);
  return value.trim();
}
