import { ApiObject, Lazy } from 'cdk8s';
import type { Construct } from 'constructs';
import { FLAGGER, FLAGGER_API_VERSION, flaggerDuration, FlaggerMetricCheck, FlaggerMetricTemplateSpec } from './flagger-types';
import { CloudWatchDataQuery, cloudWatchCheckQuery, MeasuredTarget, prometheusCheckQuery, QueryContext } from './health-check-queries';
import { NAME_LABEL } from './workload';
import { HealthCheck, HealthCheckKind } from '../../core/health-check';
import { formatSeconds } from '../../core/private/format';
import { fail } from '../../core/private/validation';
import { MetricsSource, MetricsSourceKind } from '../metrics-source';

/*
 * Health checks as Flagger analysis metrics: one MetricTemplate (`flagger.app/v1beta1`) per check,
 * with the query of the shared query builders (health-check-queries.ts), and one entry of the
 * Canary's `analysis.metrics` referencing it (`templateRef`, `thresholdRange`, `interval`).
 *
 * How Flagger runs them (v1.44.0, pkg/controller/scheduler.go and scheduler_metrics.go):
 * - every metric at the end of every analysis interval after the first weight, each over its own
 *   `interval` before that moment (the check's window), so a check judges one window per interval;
 * - a value past `thresholdRange` halts the advancement and counts one failed check; so does an
 *   empty result (`no values found`, which is how our queries say a window is quieter than
 *   `minimumRequests`): Flagger has no "inconclusive", so a quiet canary is held at its weight and,
 *   after `threshold` quiet intervals, rolled back, never promoted;
 * - one `threshold` of failed checks for the whole analysis, counted over the rollout (not in a
 *   row): it is the checks' `failingWindows`, which must then be the same for all of them;
 * - the query is rendered as a Go template first (`{{ namespace }}`, `{{ target }}`, ...): our
 *   queries hold literal selectors, so the query Flagger runs is the query recorded and tested.
 * https://docs.flagger.app/usage/metrics
 */

/** The variables Flagger fills in a MetricTemplate's query (`MetricTemplateModel.TemplateFunctions`). */
const TEMPLATE_VARIABLES = ['name', 'namespace', 'target', 'service', 'ingress', 'route', 'interval'];

/** What `renderFlaggerChecks` reads from the construct. */
export interface FlaggerCheckRendering {
  readonly where: string;
  /** `rollout` or `experiment`, for messages. */
  readonly subject: string;
  readonly appName: string;
  readonly namespace?: string;
  readonly source?: MetricsSource;
  readonly checks: HealthCheck[];
  readonly ctx: QueryContext;
  /** Where the checks are measured: the canary (the new version, or the variant). */
  readonly target: MeasuredTarget;
  /** The analysis interval, and what sets it, for messages. */
  readonly intervalSeconds: number;
  readonly intervalSource: string;
  /** The user's `threshold`, when given. */
  readonly threshold?: number;
  /** The names of the built-in checks the analysis runs already. */
  readonly builtinNames: string[];
}

/** One MetricTemplate rendered from a check. */
export interface RenderedFlaggerTemplate {
  /** Its construct id under the rollout: `MetricTemplate-<check name>`. */
  readonly id: string;
  /** Its `metadata.name`: `<app>-<check name>`. */
  readonly name: string;
  readonly spec: FlaggerMetricTemplateSpec;
}

export interface RenderedFlaggerChecks {
  readonly templates: RenderedFlaggerTemplate[];
  /** The analysis metrics referencing them, in the checks' order. */
  readonly metrics: FlaggerMetricCheck[];
  /** The analysis threshold the checks ask for (their `failingWindows`), when there are checks. */
  readonly threshold?: number;
}

/** The MetricTemplates and analysis metrics of a Flagger rollout's or experiment's health checks. */
export function renderFlaggerChecks(r: FlaggerCheckRendering): RenderedFlaggerChecks {
  if (r.checks.length === 0) return { templates: [], metrics: [] };
  const sourceProp = `${r.where}: metricsSource`;
  const names = r.checks.map(c => c.name).join(', ');
  if (r.source === undefined) {
    fail(sourceProp, undefined, `the ${r.subject} has health checks (${names}), and ${FLAGGER} measures them only through a metrics source, as MetricTemplates`,
      'Pass metricsSource: MetricsSource.prometheus({ address, dialect: PrometheusDialect.istio() }) or MetricsSource.cloudWatch({ ..., region }), or healthChecks: [] to render none.');
  }
  const source = r.source;
  if (source.kind === MetricsSourceKind.PROMETHEUS && r.namespace === undefined) {
    fail(sourceProp, source.describe(), 'Prometheus queries select the canary\'s metrics by namespace, and the chart has no namespace (the manifests go to whatever namespace kubectl uses)',
      `Create the ${r.subject} in a chart with a namespace, such as new Chart(app, "shop", { namespace: "shop" }).`);
  }
  if (source.kind === MetricsSourceKind.CLOUDWATCH && source._cloudWatch!.region === undefined) {
    fail(sourceProp, source.describe(), `${FLAGGER}'s CloudWatch provider reads the Region from each MetricTemplate (provider.region, which it requires), and the metrics source names none`,
      'Pass region: "eu-west-1" (the Region of the load balancer) to MetricsSource.cloudWatch().');
  }
  const first = r.checks[0];
  for (const check of r.checks) {
    const prop = r.ctx.checkProp(check);
    if (check.failingWindows !== first.failingWindows) {
      fail(`${prop}.failingWindows`, check.failingWindows,
        `${FLAGGER} counts the failed checks of the whole analysis against one threshold, and health check "${first.name}" (${r.ctx.checkProp(first)}) rolls back after ${first.failingWindows}`,
        `Give every check the same failingWindows, such as ${first.failingWindows}, or use ArgoRollout, which counts each check's failures apart.`);
    }
    const window = check.window.toSeconds();
    if (window > r.intervalSeconds) {
      fail(`${prop}.window`, check.window,
        `${FLAGGER} runs the check once per analysis interval of ${formatSeconds(r.intervalSeconds)} (${r.intervalSource}), over the window before it, so a window of ${formatSeconds(window)} overlaps the next check's and counts one bad stretch of requests more than once toward failingWindows`,
        `Use a window of at most ${formatSeconds(r.intervalSeconds)} on check "${check.name}".`);
    }
    if (r.builtinNames.includes(check.name)) {
      fail(`${prop}.name`, check.name, `the analysis runs ${FLAGGER}'s built-in check "${check.name}" already, and a name picks one metric of the analysis`,
        `Give the health check another name with the name option, such as "${check.name}-p".`);
    }
    if (check.kind === HealthCheckKind.PROMETHEUS) templateVariables(prop, check);
  }
  if (r.threshold !== undefined && r.threshold !== first.failingWindows) {
    fail(`${r.where}: threshold`, r.threshold,
      `the health checks (${names}) roll back after ${first.failingWindows} failing window${first.failingWindows === 1 ? '' : 's'}, and ${FLAGGER}'s threshold is that count: one limit of failed checks for the whole analysis`,
      `Leave threshold out (it follows the checks' failingWindows), or give the checks failingWindows: ${r.threshold}.`);
  }
  const templates: RenderedFlaggerTemplate[] = [];
  const metrics: FlaggerMetricCheck[] = [];
  for (const check of r.checks) {
    const name = `${r.appName}-${check.name}`;
    let spec: FlaggerMetricTemplateSpec;
    let range: { failAbove?: number; failBelow?: number };
    if (source._prometheus) {
      const q = prometheusCheckQuery(source._prometheus, r.target, check, r.ctx, sourceProp);
      spec = { provider: { type: 'prometheus', address: source._prometheus.address }, query: q.query };
      range = q;
    } else {
      const q = cloudWatchCheckQuery(source._cloudWatch!, r.target, check, r.ctx, sourceProp);
      spec = { provider: { type: 'cloudwatch', region: source._cloudWatch!.region }, query: JSON.stringify(q.queries.map(awsCasing)) };
      range = q;
    }
    templates.push({ id: `MetricTemplate-${check.name}`, name, spec });
    metrics.push({
      name: check.name,
      interval: flaggerDuration(check.window.toSeconds()),
      thresholdRange: {
        ...(range.failBelow === undefined ? {} : { min: range.failBelow }),
        ...(range.failAbove === undefined ? {} : { max: range.failAbove }),
      },
      templateRef: { name },
    });
  }
  return { templates, metrics, threshold: first.failingWindows };
}

/**
 * A user's PromQL passes through Flagger's Go template engine, which fails the check on anything in
 * double braces but its own variables (and `variables`, which this library does not set).
 */
function templateVariables(prop: string, check: HealthCheck): void {
  for (const [whole, inner] of check.query!.matchAll(/\{\{(.*?)\}\}/g)) {
    const name = inner.trim();
    if (!TEMPLATE_VARIABLES.includes(name)) {
      fail(prop, check.describe(),
        `${FLAGGER} renders a MetricTemplate's query as a Go template before running it, and ${whole} is none of its variables (${TEMPLATE_VARIABLES.map(v => `{{ ${v} }}`).join(', ')}), so every check would fail`,
        'Use one of those variables, or write the value itself.');
    }
  }
}

/**
 * A GetMetricData query in the AWS API's field names (`Id`, `MetricStat`, `ReturnData`), as
 * Flagger's CloudWatch provider reads the query (a JSON array of `MetricDataQuery`). It returns the
 * newest value of the first series that returns data: here `value`, the only one.
 */
function awsCasing(q: CloudWatchDataQuery): unknown {
  return {
    Id: q.id,
    Expression: q.expression,
    MetricStat: q.metricStat && {
      Metric: {
        Namespace: q.metricStat.metric.namespace,
        MetricName: q.metricStat.metric.metricName,
        Dimensions: q.metricStat.metric.dimensions.map(d => ({ Name: d.name, Value: d.value })),
      },
      Period: q.metricStat.period,
      Stat: q.metricStat.stat,
    },
    ReturnData: q.returnData,
  };
}

/**
 * Creates the MetricTemplate of each rendered check that has none yet (id `MetricTemplate-<check>`,
 * labelled with the application's name); their specs follow the latest rendering.
 */
export function syncMetricTemplates(scope: Construct, appName: string, rendered: () => RenderedFlaggerChecks): ApiObject[] {
  for (const template of rendered().templates) {
    if (scope.node.tryFindChild(template.id)) continue;
    const id = template.id;
    new ApiObject(scope, id, {
      apiVersion: FLAGGER_API_VERSION,
      kind: 'MetricTemplate',
      metadata: { name: template.name, labels: { [NAME_LABEL]: appName } },
      spec: Lazy.any({ produce: () => rendered().templates.find(t => t.id === id)!.spec }),
    });
  }
  return rendered().templates.map(t => scope.node.findChild(t.id) as ApiObject);
}
