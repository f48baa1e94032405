import { argoDuration, ArgoAnalysisTemplateSpec, ArgoMetric } from './argo-types';
import { cloudWatchCheckQuery, MeasuredTarget, numberLiteral, prometheusCheckQuery, QueryContext } from './health-check-queries';
import type { HealthCheck } from '../../core/health-check';
import { formatSeconds } from '../../core/private/format';
import { fail } from '../../core/private/validation';
import { StepGateKind } from '../../core/step-gate';
import type { Strategy, TrafficPlan } from '../../core/strategy';
import { StrategyKind } from '../../core/strategy-kind';
import { MetricsSource, MetricsSourceKind } from '../metrics-source';

/*
 * Health checks as Argo Rollouts analysis metrics (AnalysisTemplate `spec.metrics`), one per check:
 *
 * - one measurement per window: `interval` = `initialDelay` = the window, so the first measurement
 *   sees a full window of traffic on the new version;
 * - a measurement fails when the window's value is past the check's bound (`failureCondition`),
 *   passes when it is within (`successCondition`), and is neither when the query returns nothing
 *   (a window quieter than `minimumRequests`): Argo calls that Inconclusive, and with Argo's default
 *   `inconclusiveLimit` of 0 the first one ends the run Inconclusive, which pauses the rollout until
 *   a person resumes it (`kubectl argo rollouts promote`) or aborts it. A quiet canary is thus
 *   neither rolled back nor promoted on its own;
 * - `failureLimit` = `failingWindows` − 1. Argo counts failed measurements over the whole run, not
 *   in a row, so N failing windows fail the run even with healthy windows between them: Argo rolls
 *   back as soon as a check's `failingWindows` in a row would, or sooner.
 *   https://argo-rollouts.readthedocs.io/en/stable/features/analysis/ ("Inconclusive Runs")
 */

/** How the metrics of one analysis run are timed: no count (background analysis, until the rollout ends) or `count(check)` windows. */
export type MeasurementCount = (check: HealthCheck) => number | undefined;

/** The checks on `target` as Argo analysis metrics, read from `source`. */
export function healthCheckMetrics(source: MetricsSource, target: MeasuredTarget, checks: HealthCheck[], count: MeasurementCount,
  ctx: QueryContext, sourceProp: string): ArgoMetric[] {
  return checks.map(check => {
    const window = check.window.toSeconds();
    const timing = {
      name: check.name,
      interval: argoDuration(window),
      initialDelay: argoDuration(window),
      count: count(check),
      failureLimit: check.failingWindows - 1,
    };
    if (source._prometheus) {
      const q = prometheusCheckQuery(source._prometheus, target, check, ctx, sourceProp);
      return {
        ...timing,
        ...conditions('len(result) > 0', 'result[0]', q.failAbove, q.failBelow),
        provider: { prometheus: { address: source._prometheus.address, query: q.query } },
      };
    }
    const q = cloudWatchCheckQuery(source._cloudWatch!, target, check, ctx, sourceProp);
    return {
      ...timing,
      // The returned series (only `value` returns data), newest point first.
      ...conditions('len(result) > 0 && len(result[0].Values) > 0', 'result[0].Values[0]', q.failAbove, q.failBelow),
      // Twice the window: the newest complete period is in range even while the current one is being published.
      provider: { cloudWatch: { interval: argoDuration(2 * window), metricDataQueries: q.queries } },
    };
  });
}

/** Success and failure conditions: both false when there is no value, so the measurement is Inconclusive. */
function conditions(hasValue: string, value: string, failAbove: number | undefined, failBelow: number | undefined):
{ successCondition: string; failureCondition: string } {
  const within: string[] = [];
  const past: string[] = [];
  if (failAbove !== undefined) {
    within.push(`${value} <= ${numberLiteral(failAbove)}`);
    past.push(`${value} > ${numberLiteral(failAbove)}`);
  }
  if (failBelow !== undefined) {
    within.push(`${value} >= ${numberLiteral(failBelow)}`);
    past.push(`${value} < ${numberLiteral(failBelow)}`);
  }
  return {
    successCondition: `${hasValue} && ${within.join(' && ')}`,
    failureCondition: `${hasValue} && ${past.length === 1 ? past[0] : `(${past.join(' || ')})`}`,
  };
}

/** Where a rollout's checks run: a canary's background analysis, a blue-green rollout's pre- or post-promotion analysis. */
export type CheckUse = 'background' | 'pre' | 'post';

/** What a rollout measures its checks on, per use. */
export interface CheckTargets {
  /** A canary: the new version, and the Argo step index from which each plan step's traffic starts. */
  readonly background?: MeasuredTarget;
  readonly trafficStarts?: number[];
  /** Blue-green: the new version before the switch (preview) and after it (active). */
  readonly pre?: MeasuredTarget;
  readonly post?: MeasuredTarget;
}

/** One AnalysisTemplate rendered from the checks. */
export interface RenderedCheckTemplate {
  /** Its construct id under the rollout. */
  readonly id: string;
  /** Its `metadata.name`. */
  readonly name: string;
  readonly use: CheckUse;
  readonly spec: ArgoAnalysisTemplateSpec;
  /** Background analysis: the Argo step it starts at. */
  readonly startingStep?: number;
}

export interface RenderedChecks {
  readonly templates: RenderedCheckTemplate[];
}

/** What `renderHealthChecks` reads from the rollout. */
export interface HealthCheckRendering {
  readonly where: string;
  readonly appName: string;
  readonly namespace?: string;
  readonly source?: MetricsSource;
  readonly checks: HealthCheck[];
  readonly plan: TrafficPlan;
  readonly strategy: Strategy;
  readonly targets: CheckTargets;
  readonly ctx: QueryContext;
  /** Names of the user's AnalysisTemplates, which ours must not take. */
  readonly reserved: Set<string>;
}

/**
 * The AnalysisTemplates of a rollout's health checks: none without checks or without a step they
 * watch (the plan's `watchedBy`); a canary's background analysis from the first watched step; a
 * blue-green rollout's pre-promotion analysis when the test phase is watched and post-promotion
 * analysis when the bake after the switch is.
 */
export function renderHealthChecks(r: HealthCheckRendering): RenderedChecks {
  if (r.checks.length === 0) return { templates: [] };
  const sourceProp = `${r.where}: metricsSource`;
  const names = r.checks.map(c => c.name).join(', ');
  if (r.source === undefined) {
    fail(sourceProp, undefined, `the rollout has health checks (${names}), and Argo Rollouts measures them only through a metrics source`,
      'Pass metricsSource: MetricsSource.prometheus({ address, dialect: PrometheusDialect.istio() }) or MetricsSource.cloudWatch({ ... }), or healthChecks: [] to render none.');
  }
  if (r.source.kind === MetricsSourceKind.PROMETHEUS && r.namespace === undefined) {
    fail(sourceProp, r.source.describe(), 'Prometheus queries select the new version\'s metrics by namespace, and the chart has no namespace (the manifests go to whatever namespace kubectl uses)',
      'Create the rollout in a chart with a namespace, such as new Chart(app, "shop", { namespace: "shop" }).');
  }
  const templates: RenderedCheckTemplate[] = [];
  const template = (use: CheckUse, id: string, suffix: string, target: MeasuredTarget, count: MeasurementCount, startingStep?: number) => {
    const name = `${r.appName}-${suffix}`;
    if (r.reserved.has(name)) {
      fail(`${r.where}: analysisTemplates`, name, `the rollout names its health checks' AnalysisTemplate "${name}", and one of analysisTemplates has that name`,
        'Rename your AnalysisTemplate, or give the rollout another name.');
    }
    templates.push({ id, name, use, startingStep, spec: { metrics: healthCheckMetrics(r.source!, target, r.checks, count, r.ctx, sourceProp) } });
  };
  const steps = r.plan.steps;
  if (r.strategy.kind !== StrategyKind.BLUE_GREEN) {
    const first = steps.findIndex(s => s.watchedBy !== undefined);
    if (first >= 0) template('background', 'HealthChecks', 'health-checks', r.targets.background!, () => undefined, r.targets.trafficStarts![first]);
    return { templates };
  }
  // Blue-green: an analysis with an end, so that Argo can go on (pre-promotion) or scale the old side down (post-promotion).
  if (steps[0].watchedBy !== undefined) {
    const gate = r.strategy.promotion!;
    const prop = `${r.where}: strategy.promotion`;
    template('pre', 'PrePromotionHealthChecks', 'pre-promotion-checks', r.targets.pre!, check => gate.kind === StepGateKind.MANUAL_APPROVAL
      // A person promotes: the shortest run that can fail the check, after which the promotion may switch.
      ? check.failingWindows
      : windowsWithin(prop, gate.describe(), gate.duration!.toSeconds(), check, r.ctx, 'the promotion gate holds the test phase for'));
  }
  if (steps[1].watchedBy !== undefined) {
    const bake = r.strategy.bakeTime!.toSeconds();
    template('post', 'PostPromotionHealthChecks', 'post-promotion-checks', r.targets.post!,
      check => windowsWithin(`${r.where}: strategy.bakeTime`, r.strategy.bakeTime, bake, check, r.ctx,
        'Argo ends a post-promotion analysis when it scales the old environment down, after the bake time of'));
  }
  return { templates };
}

/** The windows of `check` that fit in `seconds`, failing when too few fit for the check ever to fail. */
function windowsWithin(prop: string, received: unknown, seconds: number, check: HealthCheck, ctx: QueryContext, what: string): number {
  const window = check.window.toSeconds();
  const count = Math.floor(seconds / window);
  if (count < check.failingWindows) {
    fail(prop, received,
      `${what} ${formatSeconds(seconds)}, which holds ${count} window${count === 1 ? '' : 's'} of ${formatSeconds(window)}, and health check "${check.name}" (${ctx.checkProp(check)}) fails only after ${check.failingWindows}`,
      `Make it at least ${formatSeconds(window * check.failingWindows)}, or give the check a shorter window or fewer failingWindows.`);
  }
  return count;
}
