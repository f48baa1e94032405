import { Duration } from 'aws-cdk-lib/core';
import {
  CloudWatchSpec, CUSTOM_PLACEHOLDERS, customSelectors, DialectSpec, envoyGatewaySelectors, istioSelectors, PrometheusSpec,
} from './private/health-check-queries';
import { httpUrl } from './private/http-url';
import { fail, isDuration, struct, wholeSeconds } from '../core/private/validation';

/** What a metrics source reads. */
export enum MetricsSourceKind {
  /** A Prometheus server, queried in PromQL. */
  PROMETHEUS = 'PROMETHEUS',
  /** Amazon CloudWatch, with Application Load Balancer target group metrics. */
  CLOUDWATCH = 'CLOUDWATCH',
}

/** Props for `PrometheusDialect.custom()`. */
export interface CustomDialectProps {
  /**
   * The counter of requests, as a PromQL selector without a range, such as
   * `http_requests_total{namespace="{{namespace}}",service="{{service}}"}`. Placeholders:
   * `{{namespace}}`, `{{app}}` and `{{version}}` (the measured pods' `app.kubernetes.io/name` and
   * `app.kubernetes.io/version` labels), `{{service}}` (a Service reaching them alone) and
   * `{{statusCodes}}` (a regular expression of the failing status codes: `5..`, or `[45]..`). A
   * placeholder the measured target has no value for is refused when the check is rendered.
   */
  readonly requests: string;

  /**
   * The same counter restricted to failed requests, such as
   * `http_requests_total{namespace="{{namespace}}",service="{{service}}",code=~"{{statusCodes}}"}`.
   */
  readonly failedRequests: string;

  /**
   * The latency histogram's `_bucket` series, such as
   * `http_request_duration_seconds_bucket{namespace="{{namespace}}",service="{{service}}"}`.
   *
   * @default - no latency histogram: latency checks are refused
   */
  readonly latencyBuckets?: string;

  /**
   * The unit of the latency histogram's buckets (`le`).
   *
   * @default Duration.seconds(1) - seconds, the Prometheus convention
   */
  readonly latencyUnit?: Duration;
}

/**
 * Where a data plane's request metrics are in Prometheus: the metric names and labels of its
 * requests, failed requests and latency histogram.
 *
 * @example
 * const dialect = k8s.PrometheusDialect.custom({
 *   requests: 'http_requests_total{namespace="{{namespace}}",service="{{service}}"}',
 *   failedRequests: 'http_requests_total{namespace="{{namespace}}",service="{{service}}",code=~"{{statusCodes}}"}',
 *   latencyBuckets: 'http_request_duration_seconds_bucket{namespace="{{namespace}}",service="{{service}}"}',
 * });
 */
export class PrometheusDialect {
  /**
   * Istio's standard metrics (`istio_requests_total`, `istio_request_duration_milliseconds`), as
   * the measured pods' sidecars report them (`reporter="destination"`). A version of an
   * application is told apart by its canonical service and revision, which Istio reads from the
   * pods' `app.kubernetes.io/name` and `app.kubernetes.io/version` labels, so give every release a
   * new `revision.version`; without one, by a Service that reaches it alone. In ambient mode the
   * waypoint proxies report instead: use a custom dialect with `reporter="waypoint"`.
   * https://istio.io/latest/docs/reference/config/metrics/
   */
  public static istio(): PrometheusDialect {
    return new PrometheusDialect({ name: 'Istio', millisPerLatencyUnit: 1, selectors: istioSelectors });
  }

  /**
   * Envoy Gateway's proxy metrics (`envoy_cluster_upstream_rq_total`, `envoy_cluster_upstream_rq_xx`,
   * `envoy_cluster_upstream_rq_time`), per HTTPRoute rule: Envoy Gateway makes one Envoy cluster
   * per rule (`httproute/<namespace>/<route>/rule/<index>`) with all of the rule's backends in it,
   * so it measures a backend only where a rule sends to it alone: an A/B variant with a match of
   * its own, a blue-green rollout's test route and active Service. An Argo canary shares its rule
   * with the stable version (the plugin moves the weights inside it) and is refused: measure it with
   * Istio, a custom dialect or CloudWatch.
   * https://gateway.envoyproxy.io/docs/tasks/observability/proxy-metric/
   */
  public static envoyGateway(): PrometheusDialect {
    return new PrometheusDialect({ name: 'Envoy Gateway', millisPerLatencyUnit: 1, selectors: envoyGatewaySelectors });
  }

  /** Your own metric names and labels, such as an application's own HTTP metrics. */
  public static custom(props: CustomDialectProps): PrometheusDialect {
    const where = 'PrometheusDialect.custom';
    struct(`${where}: props`, props, 'Pass { requests, failedRequests, latencyBuckets }.');
    const template = (prop: 'requests' | 'failedRequests' | 'latencyBuckets', example: string) => {
      const value = props[prop];
      if (typeof value !== 'string' || value.trim() === '') {
        fail(`${where}: ${prop}`, value, 'it is a PromQL selector without a range', `Pass a selector such as '${example}'.`);
      }
      const text = value.trim();
      if (/\[[^\]]*\]\s*$/.test(text)) {
        fail(`${where}: ${prop}`, value, 'the library adds the range (the check\'s window) itself, so the selector has none',
          `Remove the range, as in '${text.replace(/\[[^\]]*\]\s*$/, '')}'.`);
      }
      for (const [, name] of text.matchAll(/\{\{\s*(\w+)\s*\}\}/g)) {
        if (!(CUSTOM_PLACEHOLDERS as readonly string[]).includes(name)) {
          fail(`${where}: ${prop}`, value, `{{${name}}} is not a placeholder the library fills (${CUSTOM_PLACEHOLDERS.map(p => `{{${p}}}`).join(', ')})`,
            'Use one of those placeholders, or write the value itself.');
        }
      }
      return text;
    };
    const requests = template('requests', 'http_requests_total{service="{{service}}"}');
    const failed = template('failedRequests', 'http_requests_total{service="{{service}}",code=~"{{statusCodes}}"}');
    const latencyBuckets = props.latencyBuckets === undefined ? undefined
      : template('latencyBuckets', 'http_request_duration_seconds_bucket{service="{{service}}"}');
    const unitMillis = props.latencyUnit === undefined ? 1000 : latencyUnitMillis(`${where}: latencyUnit`, props.latencyUnit);
    return new PrometheusDialect({
      name: 'custom',
      millisPerLatencyUnit: unitMillis,
      selectors: (target, failedRequests) => customSelectors({ requests, failed, latencyBuckets }, target, failedRequests),
    });
  }

  /** @internal */
  public readonly _spec: DialectSpec;

  private constructor(spec: DialectSpec) {
    this._spec = spec;
  }

  /** The dialect's name: `Istio`, `Envoy Gateway`, `custom`. */
  public get name(): string {
    return this._spec.name;
  }
}

/** Props for `MetricsSource.prometheus()`. */
export interface PrometheusSourceProps {
  /** The Prometheus server's URL, as the analysis controller reaches it: `http://prometheus.monitoring:9090`. */
  readonly address: string;

  /** The data plane whose request metrics the checks read. */
  readonly dialect: PrometheusDialect;

  /**
   * How often Prometheus scrapes the data plane. A rate needs two samples inside a window, so a
   * check's window must be at least twice as long.
   *
   * @default Duration.seconds(30) - the Prometheus Operator's default
   */
  readonly scrapeInterval?: Duration;
}

/** Props for `MetricsSource.cloudWatch()`. */
export interface CloudWatchSourceProps {
  /**
   * The Application Load Balancer, as its CloudWatch `LoadBalancer` dimension: `app/<name>/<id>`
   * (the end of its ARN).
   */
  readonly loadBalancer: string;

  /**
   * The target groups, as their CloudWatch `TargetGroup` dimension (`targetgroup/<name>/<id>`, the
   * end of their ARN), keyed by what they serve: `canary` (an `ArgoRollout` canary's Service),
   * `preview` and `active` (a blue-green rollout's Services), or each variant's name and the
   * control's (a `GatewayExperiment`). With the AWS Load Balancer Controller these are the target
   * groups it made for those Services. A target the checks measure without a target group here is
   * refused, naming the key to add.
   */
  readonly targetGroups: { [key: string]: string };

  /**
   * The AWS Region of the load balancer's metrics, such as `eu-west-1`. Flagger's CloudWatch
   * provider needs it in every MetricTemplate (it has no default); Argo Rollouts' CloudWatch
   * provider reads the controller's own Region (`AWS_REGION`) and does not use it.
   *
   * @default - none: Argo Rollouts uses its controller's Region, and Flagger refuses the source
   */
  readonly region?: string;
}

/** An ALB load balancer dimension, and a target group dimension. */
const LOAD_BALANCER_DIMENSION = /^app\/[A-Za-z0-9-]{1,32}\/[0-9a-f]{16}$/;
const TARGET_GROUP_DIMENSION = /^targetgroup\/[A-Za-z0-9-]{1,32}\/[0-9a-f]{16}$/;
const DEFAULT_SCRAPE_SECONDS = 30;
/** An AWS Region code: `eu-west-1`, `us-gov-west-1`, `cn-north-1`. */
const REGION = /^[a-z]{2}(-[a-z]+)+-[0-9]{1,2}$/;

/**
 * Where Kubernetes renderers read the metrics that health checks (`HealthCheck.errorRate()`,
 * `HealthCheck.latency()`, `HealthCheck.prometheus()`) measure: a Prometheus server in the
 * dialect of the data plane, or CloudWatch for EKS teams whose load balancer metrics are there.
 * Name it once and pass it to every rollout and experiment.
 *
 * @example
 * const metrics = k8s.MetricsSource.prometheus({
 *   address: 'http://prometheus.monitoring:9090',
 *   dialect: k8s.PrometheusDialect.istio(),
 * });
 */
export class MetricsSource {
  /** A Prometheus server, queried by the analysis controller in the data plane's dialect. */
  public static prometheus(props: PrometheusSourceProps): MetricsSource {
    const where = 'MetricsSource.prometheus';
    struct(`${where}: props`, props, 'Pass { address, dialect }.');
    const address = httpUrl(`${where}: address`, props.address, 'http://prometheus.monitoring:9090');
    if (!(props.dialect instanceof PrometheusDialect)) {
      fail(`${where}: dialect`, props.dialect, 'a dialect is made with PrometheusDialect.istio(), PrometheusDialect.envoyGateway() or PrometheusDialect.custom()',
        'Pass the data plane whose metrics Prometheus scrapes, such as PrometheusDialect.istio().');
    }
    const scrapeIntervalSeconds = props.scrapeInterval === undefined ? DEFAULT_SCRAPE_SECONDS
      : wholeSeconds(`${where}: scrapeInterval`, props.scrapeInterval, { minSeconds: 1, fix: 'Pass the scrape_interval of your Prometheus, such as Duration.seconds(30).' });
    const description = `Prometheus ${address} (${props.dialect.name})`;
    const spec: PrometheusSpec = { description, address, dialect: props.dialect._spec, scrapeIntervalSeconds };
    return new MetricsSource(MetricsSourceKind.PROMETHEUS, description, spec, undefined);
  }

  /**
   * Amazon CloudWatch, read by Argo Rollouts' CloudWatch metric provider: the request metrics of an
   * Application Load Balancer's target groups (`RequestCount`, `HTTPCode_Target_5XX_Count`,
   * `HTTPCode_Target_4XX_Count`, `TargetResponseTime`), published once a minute, so windows are
   * whole minutes. The Argo Rollouts controller needs `cloudwatch:GetMetricData` (EKS Pod Identity
   * or IRSA on its service account); so does Flagger, whose MetricTemplates also need `region`.
   */
  public static cloudWatch(props: CloudWatchSourceProps): MetricsSource {
    const where = 'MetricsSource.cloudWatch';
    struct(`${where}: props`, props, 'Pass { loadBalancer, targetGroups }.');
    if (typeof props.loadBalancer !== 'string' || !LOAD_BALANCER_DIMENSION.test(props.loadBalancer)) {
      fail(`${where}: loadBalancer`, props.loadBalancer, 'it is an Application Load Balancer\'s CloudWatch dimension, app/<name>/<16 hex digits>',
        'Pass the end of the load balancer\'s ARN, such as "app/shop/50dc6c495c0c9188".');
    }
    const groups = struct<Record<string, unknown>>(`${where}: targetGroups`, props.targetGroups,
      'Pass the target groups by what they serve, such as { canary: "targetgroup/shop-canary/73e2d6bc24d8a067" }.');
    const targetGroups: Record<string, string> = {};
    for (const [key, value] of Object.entries(groups)) {
      if (typeof value !== 'string' || !TARGET_GROUP_DIMENSION.test(value)) {
        fail(`${where}: targetGroups["${key}"]`, value, 'it is a target group\'s CloudWatch dimension, targetgroup/<name>/<16 hex digits>',
          'Pass the end of the target group\'s ARN, such as "targetgroup/shop-canary/73e2d6bc24d8a067".');
      }
      targetGroups[key] = value;
    }
    if (props.region !== undefined && (typeof props.region !== 'string' || !REGION.test(props.region))) {
      fail(`${where}: region`, props.region, 'it is an AWS Region code: lowercase words and a number joined by "-"',
        'Pass the Region of the load balancer, such as "eu-west-1".');
    }
    const spec: CloudWatchSpec = { loadBalancer: props.loadBalancer, targetGroups, region: props.region };
    return new MetricsSource(MetricsSourceKind.CLOUDWATCH, `CloudWatch (load balancer ${props.loadBalancer})`, undefined, spec);
  }

  /** @internal */
  public static _require(prop: string, value: unknown): MetricsSource {
    if (!(value instanceof MetricsSource)) {
      fail(prop, value, 'a metrics source is made with MetricsSource.prometheus() or MetricsSource.cloudWatch()',
        'Pass MetricsSource.prometheus({ address, dialect: PrometheusDialect.istio() }), for example.');
    }
    return value;
  }

  /** What the source reads. */
  public readonly kind: MetricsSourceKind;
  /** @internal */
  public readonly _prometheus?: PrometheusSpec;
  /** @internal */
  public readonly _cloudWatch?: CloudWatchSpec;
  private readonly description: string;

  private constructor(kind: MetricsSourceKind, description: string, prometheus: PrometheusSpec | undefined, cloudWatch: CloudWatchSpec | undefined) {
    this.kind = kind;
    this.description = description;
    this._prometheus = prometheus;
    this._cloudWatch = cloudWatch;
  }

  /** `Prometheus http://prometheus.monitoring:9090 (Istio)`, `CloudWatch (load balancer app/shop/...)`. */
  public describe(): string {
    return this.description;
  }
}

function latencyUnitMillis(prop: string, value: unknown): number {
  if (!isDuration(value) || value.isUnresolved()) {
    fail(prop, value, 'it must be a concrete Duration', 'Pass Duration.seconds(1) for seconds or Duration.millis(1) for milliseconds.');
  }
  const millis = value.toMilliseconds({ integral: false });
  if (!Number.isFinite(millis) || millis <= 0) {
    fail(prop, value, 'a unit is above zero', 'Pass Duration.seconds(1) for seconds or Duration.millis(1) for milliseconds.');
  }
  return millis;
}
