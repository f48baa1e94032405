import { FailedRequests, HealthCheck, HealthCheckKind } from '../../core/health-check';
import { formatSeconds } from '../../core/private/format';
import { fail } from '../../core/private/validation';

/*
 * Health checks (core/health-check.ts) as metric queries, for every Kubernetes renderer: Argo
 * Rollouts' AnalysisTemplates, Flagger's MetricTemplates and the experiments' recorded queries.
 * Nothing here knows an Argo or Flagger object: a check becomes a query whose value fails a window
 * above (or below) a bound, and whose result is empty when the window gives no verdict.
 *
 * PromQL, per check:
 * - error rate: 100 × failed ÷ requests over the window (`increase` of the counters), with
 *   `or vector(0)` on the failed side so that a window with requests and no failure is 0%, not empty;
 * - latency: `histogram_quantile(p, sum by (le) (rate(buckets[window])))`, in the histogram's unit;
 * - the minimum request count: `... and on() (sum(increase(requests[window])) >= N)`, which leaves
 *   the result empty for a quieter window (N at least 1, so a window without requests, whose rate
 *   would divide by zero, is empty too). An empty result is what the renderers turn into "no verdict".
 *   https://prometheus.io/docs/prometheus/latest/querying/operators/#logical-set-binary-operators
 *
 * CloudWatch, per check (Application Load Balancer target group metrics, published once a minute):
 * metric math as the AWS renderers use it, `IF(requests >= N, 100 * errors / requests)`, which has
 * no data point for a quieter window.
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/using-metric-math.html
 */

/** The PromQL metric names and labels of one data plane, filled in per measured target. */
export interface DialectSpec {
  /** `Istio`, `Envoy Gateway`, `custom`: for descriptions and errors. */
  readonly name: string;
  /** How many milliseconds one unit of the latency histogram is (Istio and Envoy: 1). */
  readonly millisPerLatencyUnit: number;
  /** The selectors of the requests, failed requests and latency buckets of a target, or an explanation of why it cannot be measured. */
  selectors(target: MeasuredTarget, failed: FailedRequests): DialectSelectors | { readonly unmeasurable: string; readonly fix: string };
}

/** Instant-vector selectors (no range) of one target. */
export interface DialectSelectors {
  readonly requests: string;
  readonly failed: string;
  /** The latency histogram's `_bucket` series, or why there is none. */
  readonly latencyBuckets: string | { readonly unavailable: string; readonly fix: string };
}

/** A Prometheus server and the dialect its data plane speaks. */
export interface PrometheusSpec {
  /** The source, described: `Prometheus http://prometheus.monitoring:9090 (Istio)`. */
  readonly description: string;
  readonly address: string;
  readonly dialect: DialectSpec;
  /** Prometheus' scrape interval: `increase` and `rate` need two samples in a window. */
  readonly scrapeIntervalSeconds: number;
}

/** An Application Load Balancer's metrics in CloudWatch. */
export interface CloudWatchSpec {
  /** The `LoadBalancer` dimension: `app/<name>/<id>`. */
  readonly loadBalancer: string;
  /** `TargetGroup` dimensions (`targetgroup/<name>/<id>`) by what they serve. */
  readonly targetGroups: Readonly<Record<string, string>>;
  /** The metrics' AWS Region, when given (Flagger's provider needs it). */
  readonly region?: string;
}

/** Where a check is measured: one version of an application, or one Service. */
export interface MeasuredTarget {
  /** What is measured, in words: `the new version of checkout`, `variant "beta" (Service checkout-beta)`. */
  readonly description: string;
  /** The key naming its target group in a CloudWatch source: `canary`, `preview`, `active`, a variant's name, `control`. */
  readonly role: string;
  /** The namespace of its pods and Services. */
  readonly namespace: string;
  /** The application (`app.kubernetes.io/name`) and version (`app.kubernetes.io/version`) of its pods, when they single it out. */
  readonly app?: string;
  readonly version?: string;
  /** A Service that reaches it alone, when there is one. */
  readonly service?: string;
  /** HTTPRoute rules that send to it alone, as `<route>` and rule indexes, when there are any. */
  readonly routeRules?: { readonly route: string; readonly rules: number[] };
  /** Why no route rule sends to it alone (for dialects measuring at the gateway). */
  readonly noRouteRule?: string;
  /** Why no Service reaches it alone (for CloudWatch, which measures target groups). */
  readonly noService?: string;
}

/** A check as a Prometheus query: the value of a window, empty when the window gives no verdict. */
export interface PrometheusCheckQuery {
  readonly query: string;
  /** A window whose value is above this fails. */
  readonly failAbove?: number;
  /** A window whose value is below this fails. */
  readonly failBelow?: number;
}

/** One entry of CloudWatch's `GetMetricData` `MetricDataQueries`, without Argo's or Flagger's wrapping. */
export interface CloudWatchDataQuery {
  readonly id: string;
  readonly expression?: string;
  readonly metricStat?: {
    readonly metric: {
      readonly namespace: string;
      readonly metricName: string;
      readonly dimensions: Array<{ readonly name: string; readonly value: string }>;
    };
    readonly period: number;
    readonly stat: string;
  };
  readonly returnData: boolean;
}

/** A check as CloudWatch queries: the one returned (`value`) has no data point when the window gives no verdict. */
export interface CloudWatchCheckQuery {
  readonly queries: CloudWatchDataQuery[];
  readonly failAbove?: number;
  readonly failBelow?: number;
}

/** Where a metric renderer names things in errors. */
export interface QueryContext {
  /** The construct, as errors name it: `ArgoRollout shop/web`. */
  readonly where: string;
  /** The prop holding the checks, for errors: `healthChecks[1]`. */
  readonly checkProp: (check: HealthCheck) => string;
}

/** The status codes a check counts as failed, as a regular expression on a three-digit code. */
export function failedStatusCodes(failed: FailedRequests): string {
  return failed === FailedRequests.SERVER_ERRORS ? '5..' : '[45]..';
}

/** A window as a PromQL duration: `1m`, `1m30s`. */
export function promDuration(seconds: number): string {
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  return `${h ? `${h}h` : ''}${m ? `${m}m` : ''}${s ? `${s}s` : ''}` || '0s';
}

/** A number as PromQL, Argo's expression language and JSON read it: never in exponent notation. */
export function numberLiteral(value: number): string {
  const text = String(value);
  if (!/e/i.test(text)) return text;
  return value.toFixed(20).replace(/0+$/, '').replace(/\.$/, '');
}

/** A label value inside double quotes: backslashes and quotes escaped. */
export function quoted(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/**
 * Checks that a check's window can be measured from Prometheus at all: `increase` and `rate` need
 * two samples inside the window, so it must span at least two scrape intervals.
 */
export function checkPrometheusWindow(spec: PrometheusSpec, check: HealthCheck, prop: string, sourceProp: string): void {
  const window = check.window.toSeconds();
  if (window < 2 * spec.scrapeIntervalSeconds) {
    fail(`${prop}.window`, check.window,
      `Prometheus computes a rate from the samples inside the window, and a window of ${formatSeconds(window)} holds fewer than two samples at the scrape interval of ${formatSeconds(spec.scrapeIntervalSeconds)} ${sourceProp} names`,
      `Use a window of at least ${formatSeconds(2 * spec.scrapeIntervalSeconds)} on check "${check.name}", or give the metrics source the scrape interval your Prometheus uses.`);
  }
}

/**
 * A check on `target` as PromQL, with the bound that fails a window. A check of the user's own
 * (`HealthCheck.prometheus()`) is their query as written: it measures what they wrote, whatever the target.
 */
export function prometheusCheckQuery(spec: PrometheusSpec, target: MeasuredTarget, check: HealthCheck, ctx: QueryContext,
  sourceProp: string): PrometheusCheckQuery {
  const prop = ctx.checkProp(check);
  checkPrometheusWindow(spec, check, prop, sourceProp);
  switch (check.kind) {
    case HealthCheckKind.PROMETHEUS:
      return { query: check.query!, failAbove: check.maxValue, failBelow: check.minValue };
    case HealthCheckKind.ERROR_RATE:
      return {
        query: errorRateQuery(spec, target, check.failedRequests!, check.window.toSeconds(), check.minimumRequests, sourceProp),
        failAbove: check.maxErrorPercent,
      };
    case HealthCheckKind.LATENCY: {
      const selectors = selectorsOf(spec, target, FailedRequests.SERVER_ERRORS, sourceProp);
      if (typeof selectors.latencyBuckets !== 'string') {
        fail(prop, check.describe(), `the ${spec.dialect.name} dialect cannot measure latency: ${selectors.latencyBuckets.unavailable}`, selectors.latencyBuckets.fix);
      }
      const w = promDuration(check.window.toSeconds());
      const quantile = numberLiteral(Number((check.percentile! / 100).toPrecision(12)));
      return {
        query: `histogram_quantile(${quantile}, sum by (le) (rate(${selectors.latencyBuckets}[${w}])))${enoughRequests(selectors.requests, w, check.minimumRequests)}`,
        failAbove: check.maxLatency!.toMilliseconds() / spec.dialect.millisPerLatencyUnit,
      };
    }
    case HealthCheckKind.CLOUDWATCH:
      return fail(prop, check.describe(),
        'it is an AWS check (aws.CloudWatchHealthCheck, a CloudWatch alarm or metric of an AWS stack), which a Kubernetes analysis cannot read',
        'Declare the check with HealthCheck.errorRate() or HealthCheck.latency() (measured through the rollout\'s metricsSource), or HealthCheck.prometheus() with your own query.');
  }
}

/**
 * The share of failed requests of a window on `target`, in percent; empty when the window is quieter than `minimumRequests`.
 *
 * @param sourceProp the metrics source, as errors name it
 */
export function errorRateQuery(spec: PrometheusSpec, target: MeasuredTarget, failed: FailedRequests, windowSeconds: number, minimumRequests: number,
  sourceProp: string): string {
  const selectors = selectorsOf(spec, target, failed, sourceProp);
  const w = promDuration(windowSeconds);
  return `100 * (sum(increase(${selectors.failed}[${w}])) or vector(0)) / sum(increase(${selectors.requests}[${w}]))`
    + enoughRequests(selectors.requests, w, minimumRequests);
}

/** The requests of a window on `target` (for dashboards and recorded queries). */
export function requestCountQuery(spec: PrometheusSpec, target: MeasuredTarget, windowSeconds: number, sourceProp: string): string {
  const selectors = selectorsOf(spec, target, FailedRequests.SERVER_ERRORS, sourceProp);
  return `sum(increase(${selectors.requests}[${promDuration(windowSeconds)}]))`;
}

/** Requests per second on `target`, over a range given as PromQL (`1m`, or Grafana's `$__rate_interval`). */
export function requestRateQuery(spec: PrometheusSpec, target: MeasuredTarget, range: string, sourceProp: string): string {
  const selectors = selectorsOf(spec, target, FailedRequests.SERVER_ERRORS, sourceProp);
  return `sum(rate(${selectors.requests}[${range}]))`;
}

function enoughRequests(requests: string, w: string, minimumRequests: number): string {
  return ` and on() (sum(increase(${requests}[${w}])) >= ${Math.max(1, minimumRequests)})`;
}

function selectorsOf(spec: PrometheusSpec, target: MeasuredTarget, failed: FailedRequests, sourceProp: string): DialectSelectors {
  const selectors = spec.dialect.selectors(target, failed);
  if ('unmeasurable' in selectors) {
    fail(sourceProp, spec.description, `the ${spec.dialect.name} dialect cannot measure ${target.description} alone: ${selectors.unmeasurable}`, selectors.fix);
  }
  return selectors;
}

/** ALB metrics are published once a minute: a window is whole minutes. */
const CLOUDWATCH_PERIOD = 60;
const ALB_NAMESPACE = 'AWS/ApplicationELB';

/**
 * A check on `target` as CloudWatch queries over its Application Load Balancer target group: the
 * error rate as metric math over `RequestCount` and `HTTPCode_Target_5XX_Count` (and `4XX`), the
 * latency as a percentile of `TargetResponseTime`, in seconds.
 * https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-cloudwatch-metrics.html
 */
export function cloudWatchCheckQuery(spec: CloudWatchSpec, target: MeasuredTarget, check: HealthCheck, ctx: QueryContext,
  sourceProp: string): CloudWatchCheckQuery {
  const prop = ctx.checkProp(check);
  if (check.kind === HealthCheckKind.PROMETHEUS) {
    fail(prop, check.describe(), `it is a PromQL query, and ${sourceProp} reads CloudWatch`,
      'Use MetricsSource.prometheus({ address, dialect }) for this rollout, or declare the check with HealthCheck.errorRate() or HealthCheck.latency().');
  }
  if (check.kind === HealthCheckKind.CLOUDWATCH) {
    fail(prop, check.describe(), 'it is an AWS check (aws.CloudWatchHealthCheck, a CloudWatch alarm or metric of an AWS stack), which a Kubernetes analysis cannot read',
      'Declare the check with HealthCheck.errorRate() or HealthCheck.latency(), measured on the target groups the metrics source names.');
  }
  const window = check.window.toSeconds();
  if (window % CLOUDWATCH_PERIOD !== 0) {
    fail(`${prop}.window`, check.window, 'Application Load Balancers publish their CloudWatch metrics once a minute, so a window is whole minutes',
      `Use a window of ${formatSeconds(Math.max(CLOUDWATCH_PERIOD, Math.round(window / CLOUDWATCH_PERIOD) * CLOUDWATCH_PERIOD))} on check "${check.name}".`);
  }
  const targetGroup = targetGroupOf(spec, target, ctx, sourceProp);
  const metric = (id: string, metricName: string, stat: string): CloudWatchDataQuery => ({
    id,
    metricStat: {
      metric: {
        namespace: ALB_NAMESPACE,
        metricName,
        dimensions: [{ name: 'LoadBalancer', value: spec.loadBalancer }, { name: 'TargetGroup', value: targetGroup }],
      },
      period: window,
      stat,
    },
    returnData: false,
  });
  const minimum = Math.max(1, check.minimumRequests);
  if (check.kind === HealthCheckKind.ERROR_RATE) {
    const both = check.failedRequests === FailedRequests.CLIENT_AND_SERVER_ERRORS;
    return {
      queries: [
        metric('requests', 'RequestCount', 'Sum'),
        metric('errors', 'HTTPCode_Target_5XX_Count', 'Sum'),
        ...(both ? [metric('client_errors', 'HTTPCode_Target_4XX_Count', 'Sum')] : []),
        { id: 'value', expression: `IF(requests >= ${minimum}, 100 * ${both ? '(errors + client_errors)' : 'errors'} / requests)`, returnData: true },
      ],
      failAbove: check.maxErrorPercent,
    };
  }
  return {
    queries: [
      metric('requests', 'RequestCount', 'Sum'),
      metric('latency', 'TargetResponseTime', `p${check.percentile}`),
      { id: 'value', expression: `IF(requests >= ${minimum}, latency)`, returnData: true },
    ],
    failAbove: check.maxLatency!.toMilliseconds() / 1000,
  };
}

/** The requests of a window on `target`'s target group, as CloudWatch queries returning `value`. */
export function cloudWatchRequestsQuery(spec: CloudWatchSpec, target: MeasuredTarget, windowSeconds: number, ctx: QueryContext,
  sourceProp: string): CloudWatchDataQuery[] {
  const targetGroup = targetGroupOf(spec, target, ctx, sourceProp);
  return [{
    id: 'value',
    metricStat: {
      metric: {
        namespace: ALB_NAMESPACE,
        metricName: 'RequestCount',
        dimensions: [{ name: 'LoadBalancer', value: spec.loadBalancer }, { name: 'TargetGroup', value: targetGroup }],
      },
      period: windowSeconds,
      stat: 'Sum',
    },
    returnData: true,
  }];
}

function targetGroupOf(spec: CloudWatchSpec, target: MeasuredTarget, ctx: QueryContext, sourceProp: string): string {
  if (target.noService !== undefined) {
    fail(sourceProp, 'MetricsSource.cloudWatch()', `a target group measures the pods of one Service, and no Service reaches ${target.description} alone: ${target.noService}`,
      'Route the rollout with ArgoTrafficRouting.gatewayApi() (the canary then has a Service and a target group of its own), or use MetricsSource.prometheus() with the Istio dialect.');
  }
  const targetGroup = spec.targetGroups[target.role];
  if (targetGroup === undefined) {
    const given = Object.keys(spec.targetGroups);
    fail(`${sourceProp}.targetGroups`, given.length === 0 ? 'no target groups' : given.join(', '),
      `${ctx.where} measures ${target.description} on the target group of "${target.role}"${target.service ? ` (the one the AWS Load Balancer Controller made for Service ${target.service})` : ''}, and the metrics source names none for it`,
      `Add targetGroups: { "${target.role}": "targetgroup/<name>/<id>" } to MetricsSource.cloudWatch().`);
  }
  return targetGroup;
}

/** The PromQL of an Istio target: by app and version (canonical service and revision) where they single it out, else by Service. */
export function istioSelectors(target: MeasuredTarget, failed: FailedRequests): DialectSelectors | { unmeasurable: string; fix: string } {
  let labels: string;
  if (target.app !== undefined && target.version !== undefined) {
    labels = `reporter="destination",destination_workload_namespace=${quoted(target.namespace)},`
      + `destination_canonical_service=${quoted(target.app)},destination_canonical_revision=${quoted(target.version)}`;
  } else if (target.service !== undefined) {
    labels = `reporter="destination",destination_service_namespace=${quoted(target.namespace)},destination_service_name=${quoted(target.service)}`;
  } else {
    return {
      unmeasurable: 'Istio tells the new version\'s requests apart by its pods\' app.kubernetes.io/version label (the canonical revision) or by a Service of its own, and it has neither',
      fix: 'Set revision.version (a new value for every release), or route the rollout with ArgoTrafficRouting.gatewayApi().',
    };
  }
  return {
    requests: `istio_requests_total{${labels}}`,
    failed: `istio_requests_total{${labels},response_code=~"${failedStatusCodes(failed)}"}`,
    latencyBuckets: `istio_request_duration_milliseconds_bucket{${labels}}`,
  };
}

/**
 * The PromQL of an Envoy Gateway target: the Envoy cluster of each HTTPRoute rule sending to it
 * alone. Envoy Gateway makes one cluster per rule, named `httproute/<namespace>/<route>/rule/<index>`,
 * with every backend of the rule in it (one locality each), so a backend that shares its rule with
 * another cannot be measured apart.
 * https://gateway.envoyproxy.io/docs/tasks/observability/proxy-metric/
 */
export function envoyGatewaySelectors(target: MeasuredTarget, failed: FailedRequests): DialectSelectors | { unmeasurable: string; fix: string } {
  const rules = target.routeRules;
  if (rules === undefined || rules.rules.length === 0) {
    return {
      unmeasurable: `Envoy Gateway counts requests per HTTPRoute rule (one Envoy cluster per rule, holding all of its backends), and ${target.noRouteRule ?? 'no rule sends to it alone'}`,
      fix: 'Use PrometheusDialect.istio() or a custom dialect that reads the application\'s own metrics, or MetricsSource.cloudWatch().',
    };
  }
  const clusters = rules.rules.map(i => `httproute/${target.namespace}/${rules.route}/rule/${i}`);
  const cluster = clusters.length === 1 ? `envoy_cluster_name=${quoted(clusters[0])}` : `envoy_cluster_name=~${quoted(clusters.map(escapeRegex).join('|'))}`;
  const classes = failed === FailedRequests.SERVER_ERRORS ? '5' : '4|5';
  return {
    requests: `envoy_cluster_upstream_rq_total{${cluster}}`,
    failed: `envoy_cluster_upstream_rq_xx{${cluster},envoy_response_code_class=~"${classes}"}`,
    latencyBuckets: `envoy_cluster_upstream_rq_time_bucket{${cluster}}`,
  };
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The placeholders a custom dialect's templates may use. */
export const CUSTOM_PLACEHOLDERS = ['namespace', 'app', 'version', 'service', 'statusCodes'] as const;

/** The selectors of a custom dialect: its templates with the target's values in place of the placeholders. */
export function customSelectors(templates: { requests: string; failed: string; latencyBuckets?: string }, target: MeasuredTarget,
  failed: FailedRequests):
DialectSelectors | { unmeasurable: string; fix: string } {
  const values: Record<string, string | undefined> = {
    namespace: target.namespace,
    app: target.app !== undefined && target.version !== undefined ? target.app : undefined,
    version: target.app !== undefined ? target.version : undefined,
    service: target.service,
    statusCodes: failedStatusCodes(failed),
  };
  const missing = new Set<string>();
  const fill = (template: string) => template.replace(/\{\{\s*(\w+)\s*\}\}/g, (_, name: string) => {
    const value = values[name];
    if (value === undefined) {
      missing.add(name);
      return '';
    }
    return name === 'statusCodes' ? value : value.replace(/\\/g, '\\\\').replace(/"/g, '\\"');
  });
  const selectors = {
    requests: fill(templates.requests),
    failed: fill(templates.failed),
    latencyBuckets: templates.latencyBuckets === undefined
      ? { unavailable: 'it names no latency histogram', fix: 'Give the custom dialect latencyBuckets, or leave the latency check out.' }
      : fill(templates.latencyBuckets),
  };
  if (missing.size > 0) {
    const why: Record<string, string> = {
      app: 'its pods have no app.kubernetes.io/version label to tell the new version apart (set revision.version)',
      version: 'its pods have no app.kubernetes.io/version label (set revision.version)',
      service: target.noService ?? 'no Service reaches it alone',
    };
    const names = [...missing];
    return {
      unmeasurable: `the templates use ${names.map(n => `{{${n}}}`).join(', ')}, which ${target.description} has no value for: ${names.map(n => why[n] ?? 'unknown placeholder').join('; ')}`,
      fix: `Write the templates with the placeholders it has (${Object.entries(values).filter(([, v]) => v !== undefined).map(([n]) => `{{${n}}}`).join(', ')}).`,
    };
  }
  return selectors;
}
