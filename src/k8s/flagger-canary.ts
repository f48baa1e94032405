import { Duration } from 'aws-cdk-lib/core';
import { ApiObject, Chart, Lazy } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { FlaggerAnalysis } from './flagger-metric';
import { GatewayReference } from './http-route-rule';
import { MetricsSource } from './metrics-source';
import {
  analysisMetrics, FLAGGER, flaggerAnalyses, flaggerAppName, flaggerCanaryObjects, flaggerThreshold, loadTesterUrl, loadTesterWebhook,
} from './private/flagger-canary-object';
import { RenderedFlaggerChecks, renderFlaggerChecks, syncMetricTemplates } from './private/flagger-health-checks';
import { flaggerDuration, FlaggerAnalysisSpec, FlaggerMetricCheck, FlaggerWebhook } from './private/flagger-types';
import { gatewayReference, routeHostnames } from './private/gateway-match';
import { addHealthCheckTo } from './private/health-check-list';
import { MeasuredTarget, QueryContext } from './private/health-check-queries';
import { recordK8sPlan } from './private/plan-annotation';
import { containerPort, portNumber, replicaCount, revision as checkRevision } from './private/workload';
import { KubernetesRevision } from './revision';
import { HealthCheck } from '../core/health-check';
import { CapacityMode } from '../core/plan-options';
import { formatSeconds } from '../core/private/format';
import { fail, struct } from '../core/private/validation';
import { StepGate, StepGateKind } from '../core/step-gate';
import { Strategy, TrafficPlan } from '../core/strategy';
import { StrategyKind } from '../core/strategy-kind';
import { registerGuardrailFacts, TriggerFacts } from '../guardrails/private/facts';

/** Props for a `FlaggerCanary`. */
export interface FlaggerCanaryProps {
  /**
   * How the new revision is released: a canary or linear strategy whose steps all hold for the same
   * time (Flagger's analysis interval), in whole percentages; or a blue-green strategy whose bake
   * time is the interval and whose promotion gate lasts a whole number of intervals.
   */
  readonly strategy: Strategy;

  /** The pod template Flagger releases. Change it (a new image or version) to start a rollout. */
  readonly revision: KubernetesRevision;

  /** The Gateway (or one of its listeners) the HTTPRoute Flagger creates attaches to. You manage the Gateway. */
  readonly gateway: GatewayReference;

  /**
   * Host names the HTTPRoute serves.
   *
   * @default - every host name the Gateway listener accepts
   */
  readonly hostnames?: string[];

  /**
   * The application's name: the Deployment's and the Canary's, and the stem of the objects Flagger
   * creates (`<name>-primary`, `<name>-canary`).
   *
   * @default - the construct id, which must then be a valid name
   */
  readonly name?: string;

  /**
   * The number of pods of each version: Flagger runs the primary (the released version) and, during
   * a rollout, the canary at this size.
   *
   * @default 2
   */
  readonly replicas?: number;

  /**
   * The port of the Services Flagger creates. They forward to the first container's port.
   *
   * @default 80
   */
  readonly port?: number;

  /**
   * How many failed checks roll the rollout back. Each failed check holds the step one more
   * interval, which the plan does not count. With health checks it is their `failingWindows`
   * (the same for all of them), and a different value is refused.
   *
   * @default - the health checks' failingWindows; without health checks 1, the first failed check rolls back
   */
  readonly threshold?: number;

  /**
   * The analyses the strategy's analysis gates name, with the checks Flagger runs for them. Every
   * analysis passed must be named by a gate.
   *
   * @default - none; the strategy may have no analysis gate
   */
  readonly analyses?: FlaggerAnalysis[];

  /**
   * The base URL of Flagger's load tester, whose gate endpoints hold the rollout for a manual
   * approval (`gate/check`; open it with `gate/open`).
   *
   * @default - "http://flagger-loadtester.<the chart's namespace, or default>/"
   */
  readonly loadTester?: string;

  /**
   * The health checks that roll this rollout back, replacing the strategy's (`[]` for none). Each
   * is measured on the canary through `metricsSource` and rendered as a Flagger MetricTemplate
   * (`<name>-<check>`), which the analysis runs at the end of every interval, over the check's
   * window: a window past its bound, or quieter than the check's `minimumRequests` (Flagger has no
   * "no verdict"), holds the step and counts one failed check, and `failingWindows` failed checks
   * roll the rollout back. The checks share Flagger's one `threshold`, so their `failingWindows`
   * must be equal, and a window may not be longer than the analysis interval. A blue-green
   * strategy cannot have any. Add more with `addHealthCheck()`.
   *
   * @default - the strategy's health checks
   */
  readonly healthChecks?: HealthCheck[];

  /**
   * Where the health checks are measured: a Prometheus server in the data plane's dialect (the
   * chart then needs a namespace), or CloudWatch with its `region`. Needed as soon as the rollout
   * has a health check.
   *
   * @default - none; the rollout must then have no health checks (`healthChecks: []` drops the strategy's)
   */
  readonly metricsSource?: MetricsSource;
}

/**
 * Releases a workload with Flagger (`flagger.app/v1beta1` Canary) on a Gateway API HTTPRoute
 * (provider `gatewayapi:v1`), by a `Strategy`: Flagger moves traffic one step per analysis
 * interval, runs the checks at the end of each, and rolls back on its own.
 *
 * It renders the target Deployment (`Deployment`, cdk8s-plus with its secure defaults), which
 * Flagger copies to `<name>-primary` and scales to zero between releases, and the Canary
 * (`Resource`), whose `service.gatewayRefs` name the Gateway: Flagger creates the Services
 * `<name>`, `<name>-primary` and `<name>-canary` and the HTTPRoute `<name>`.
 *
 * - A canary becomes `stepWeights` (a linear strategy `stepWeight` and `maxWeight`), each held for
 *   one `interval`: every step's bake or analysis time, which must be the same for all. After the
 *   last weight Flagger promotes: it copies the new revision to the primary and sends it all traffic.
 * - A blue-green becomes `iterations`: the promotion gate's time in intervals, with no production
 *   traffic on the new version; then Flagger switches all traffic to it for one interval (the bake
 *   time, while the old version still runs) and promotes.
 * - Analysis gates become the analysis `metrics`: the checks of every analysis the gates name, which
 *   Flagger runs at the end of every interval of the rollout.
 * - Health checks (the strategy's, or `healthChecks`) become MetricTemplates (`MetricTemplate-<check>`,
 *   named `<name>-<check>`), measured on the canary through `metricsSource` with the same queries
 *   as `ArgoRollout`'s, and analysis `metrics` referencing them: `thresholdRange.max` is the
 *   check's bound, `interval` its window, and the analysis `threshold` its `failingWindows`.
 *   Flagger's canary Deployment is `<name>` and its primary `<name>-primary`, whose pods Flagger
 *   relabels `app.kubernetes.io/name: <name>-primary`: the Istio dialect tells the canary apart by
 *   that label and `revision.version` (or by the Service `<name>-canary`), a custom dialect by its
 *   placeholders, CloudWatch by the target group `canary`. The Envoy Gateway dialect cannot:
 *   Flagger's HTTPRoute keeps both Services in one rule. A window quieter than `minimumRequests`
 *   returns nothing, which Flagger counts as a failed check: a quiet canary is held, then rolled
 *   back, never promoted.
 * - A manual approval on the last step becomes a `confirm-promotion` webhook to the load tester's
 *   `gate/check`. Flagger asks it at the end of each interval at the last weight and promotes once it
 *   answers yes, so the weight is held one interval before the approval counts: write that interval
 *   as a step of its own at the same weight (`{ weight: 50, gate: bake }`, then
 *   `{ weight: 50, gate: StepGate.manualApproval() }`), which becomes one step weight. Open the gate with
 *   `curl -d '{"name": "<name>", "namespace": "<namespace>"}' <load tester>/gate/open`
 *   (and close it again with `gate/close` after the release, since it stays open).
 *
 * What Flagger cannot express fails at synth, naming the feature and what works instead: steps of
 * different times, fractional weights, two steps at one weight (but for the approval above), manual
 * approvals elsewhere or with a timeout, a blue-green test route, manual promotion or bake time of
 * zero, all at once.
 *
 * The plan is recorded on the Canary (annotation `cdk-deploy-strategies.dev/plan`), with a capacity
 * of 200%: Flagger runs the canary at full size beside the primary. Flagger scales the Deployment to
 * zero between releases: a GitOps tool that applies these manifests should ignore its `replicas`
 * (Argo CD: `ignoreDifferences`).
 *
 * @example
 * new k8s.FlaggerCanary(chart, 'web', {
 *   strategy: Strategy.canary({ steps: [
 *     { weight: 10, gate: StepGate.analysis({ name: 'error-rate', duration: Duration.minutes(5) }) },
 *     { weight: 50, gate: StepGate.analysis({ name: 'error-rate', duration: Duration.minutes(5) }) },
 *     { weight: 50, gate: StepGate.manualApproval() },
 *   ] }),
 *   revision: { containers: [{ image: 'registry.example.com/web:1.4.2', portNumber: 8080 }], version: '1.4.2' },
 *   gateway: { name: 'public-gateway', namespace: 'gateways' },
 *   analyses: [{ name: 'error-rate', metrics: [k8s.FlaggerMetric.requestSuccessRate({ minPercent: 99 })] }],
 * });
 */
export class FlaggerCanary extends Construct {
  /** The application's name (`app.kubernetes.io/name`, the Deployment's and the Canary's name). */
  public readonly appName: string;
  /** The Canary. */
  public readonly canary: ApiObject;
  /** The target Deployment, which Flagger copies to the primary. */
  public readonly deployment: kplus.Deployment;
  /** The analysis interval, how long each step holds. */
  public readonly interval: Duration;
  /** The metrics source the health checks are measured through, if any. */
  public readonly metricsSource?: MetricsSource;

  private readonly where: string;
  private readonly checks: HealthCheck[];
  private readonly planFor: () => TrafficPlan;
  private readonly renderChecks: () => RenderedFlaggerChecks;
  private readonly timelineText: string;
  private currentPlan: TrafficPlan;
  private rendered: RenderedFlaggerChecks = { templates: [], metrics: [] };

  constructor(scope: Construct, id: string, props: FlaggerCanaryProps) {
    super(scope, id);
    const where = `FlaggerCanary ${this.node.path}`;
    struct(`${where}: props`, props, 'Pass { strategy, revision, gateway }.');
    if (!(props.strategy instanceof Strategy)) {
      fail(`${where}: strategy`, props.strategy, 'a rollout needs a Strategy', 'Pass a Strategy, for example Strategy.CANARY_10PERCENT_5MINUTES.');
    }
    const strategy = props.strategy;
    this.appName = flaggerAppName(props.name === undefined ? `${where}: name (the construct id, by default)` : `${where}: name`, props.name ?? id, 'web');
    const revision = checkRevision(`${where}: revision`, props.revision);
    const targetPort = containerPort(`${where}: revision`, revision);
    const replicas = props.replicas === undefined ? 2 : replicaCount(`${where}: replicas`, props.replicas, 1);
    const port = props.port === undefined ? 80 : portNumber(`${where}: port`, props.port);
    const gateway = gatewayReference(`${where}: gateway`, props.gateway);
    const hostnames = routeHostnames(`${where}: hostnames`, props.hostnames);
    const threshold = props.threshold === undefined ? undefined : flaggerThreshold(`${where}: threshold`, props.threshold);
    const analyses = flaggerAnalyses(`${where}: analyses`, props.analyses);
    const checks = props.healthChecks === undefined ? [...strategy.healthChecks]
      : HealthCheck._requireList(`${where}: healthChecks`, props.healthChecks);
    const checkProps = new Map(checks.map((check, i) => [check, props.healthChecks === undefined
      ? `${where}: strategy.healthChecks[${i}] (${check.name})` : `${where}: healthChecks[${i}]`]));
    this.metricsSource = props.metricsSource === undefined ? undefined : MetricsSource._require(`${where}: metricsSource`, props.metricsSource);
    const namespace = Chart.of(this).namespace;
    const loadTester = loadTesterUrl(`${where}: loadTester`, props.loadTester, Chart.of(this).namespace);

    const timeline = strategy.kind === StrategyKind.BLUE_GREEN ? blueGreenTimeline(where, strategy) : progressiveTimeline(where, strategy);
    const names = [...new Set(strategy.steps.filter(s => s.gate?.kind === StepGateKind.ANALYSIS).map(s => s.gate!.analysisName!))];
    analyses.forEach((a, i) => {
      if (!names.includes(a.name)) {
        fail(`${where}: analyses[${i}]`, a.name, `no analysis gate of the strategy (${strategy.describe()}) names it, so Flagger would never run it`,
          `Remove it, or name it in a gate: StepGate.analysis({ name: "${a.name}", duration }).`);
      }
    });
    const metrics = analysisMetrics(`${where}: strategy's analysis gate`, names, analyses, `${where}'s analyses`);
    const webhooks: FlaggerWebhook[] = timeline.approval ? [loadTesterWebhook('manual-approval', 'confirm-promotion', loadTester, 'gate/check')] : [];
    const analysis: FlaggerAnalysisSpec = {
      interval: flaggerDuration(timeline.intervalSeconds),
      // The health checks' failingWindows, once they are known (addHealthCheck may add the first).
      threshold: Lazy.any({ produce: () => this.rendered.threshold ?? threshold ?? 1 }) as unknown as number,
      ...timeline.steps,
      metrics: Lazy.any({
        produce: () => {
          const all = [...metrics ?? [], ...this.rendered.metrics];
          return all.length === 0 ? undefined : all;
        },
      }) as unknown as FlaggerMetricCheck[],
      webhooks: webhooks.length > 0 ? webhooks : undefined,
    };

    this.where = where;
    this.checks = checks;
    this.interval = Duration.seconds(timeline.intervalSeconds);
    // Flagger runs the canary at full size beside the primary, whatever the weight.
    this.planFor = () => strategy.plan({ capacity: CapacityMode.FULL_COPY, replicas, healthChecks: this.checks });
    this.currentPlan = this.planFor();
    const target: MeasuredTarget = {
      description: `the canary of ${this.appName} (Deployment ${this.appName})`,
      role: 'canary',
      namespace: namespace ?? '',
      app: this.appName,
      version: revision.version,
      service: `${this.appName}-canary`,
      noRouteRule: `Flagger writes the HTTPRoute ${this.appName} itself, with the primary and canary Services in one rule, and moves the weights inside it`,
    };
    const ctx: QueryContext = { where, checkProp: check => checkProps.get(check) ?? `${where}: addHealthCheck (${check.name})` };
    const builtinNames = metrics?.map(m => m.name) ?? [];
    this.renderChecks = () => {
      if (strategy.kind === StrategyKind.BLUE_GREEN && this.checks.length > 0) {
        const check = this.checks[0];
        fail(ctx.checkProp(check), check.describe(),
          'Flagger runs the analysis metrics at every iteration of a blue-green, while the new version has no production traffic (Flagger\'s blue-green routes no test requests), so a window without requests returns nothing and counts as a failed check',
          'Use ArgoRollout, whose post-promotion analysis measures the bake after the switch, or a canary strategy, or healthChecks: [] and a load tester webhook that tests the new version.');
      }
      return renderFlaggerChecks({
        where,
        subject: 'rollout',
        appName: this.appName,
        namespace,
        source: this.metricsSource,
        checks: this.checks,
        ctx,
        target,
        intervalSeconds: timeline.intervalSeconds,
        intervalSource: 'every step of the strategy holds it',
        threshold,
        builtinNames,
      });
    };
    this.rendered = this.renderChecks();
    const objects = flaggerCanaryObjects(this, { where, appName: this.appName, revision, replicas, port, targetPort, gateway, hostnames, analysis });
    this.deployment = objects.deployment;
    this.canary = objects.canary;
    syncMetricTemplates(this, this.appName, () => this.rendered);
    // The controller names Flagger's own timeline (interval, weights or iterations), which the plan command prints.
    this.timelineText = describeTimeline(timeline);
    recordK8sPlan(where, this, this.canary, this.plan, this.timelineText);
    const self = this;
    registerGuardrailFacts(this, {
      platform: 'k8s',
      backend: FLAGGER,
      get plan() {
        return self.plan;
      },
      rollbackTriggers: () => {
        const triggers: TriggerFacts[] = metrics
          ? [{ kind: 'ANALYSIS', description: `Flagger analysis ${names.join(', ')} (${metrics.map(m => m.name).join(', ')})` }] : [];
        const measured = this.measuredChecks();
        if (measured.length > 0) {
          triggers.push({
            kind: 'ANALYSIS',
            description: `health check${measured.length === 1 ? '' : 's'} ${measured.join(', ')} (MetricTemplate${measured.length === 1 ? '' : 's'} `
              + `${this.rendered.templates.map(t => t.name).join(', ')})`,
          });
        }
        return triggers.length > 0 ? triggers : [{ kind: 'HEALTH_CHECK', description: 'Flagger\'s readiness and progress deadline checks' }];
      },
      healthChecks: () => this.measuredChecks(),
    });
  }

  /** The traffic plan Flagger follows, with the health checks that watch each step. */
  public get plan(): TrafficPlan {
    return this.currentPlan;
  }

  /** The MetricTemplates rendered from the health checks (none without health checks). */
  public get healthCheckTemplates(): ApiObject[] {
    return this.rendered.templates.map(t => this.node.findChild(t.id) as ApiObject);
  }

  /**
   * Adds a health check that rolls this rollout back, measured through `metricsSource` like the
   * others, as a MetricTemplate of its own; the plan lists it.
   */
  public addHealthCheck(check: HealthCheck): void {
    const prop = `${this.where}: addHealthCheck`;
    HealthCheck._requireAddable(prop, check, this.checks, 'rollout', 'MetricTemplate', 'HealthCheck.errorRate(), HealthCheck.latency() or HealthCheck.prometheus()');
    addHealthCheckTo(this.checks, check, () => {
      this.currentPlan = this.planFor();
      this.rendered = this.renderChecks();
    });
    syncMetricTemplates(this, this.appName, () => this.rendered);
    recordK8sPlan(this.where, this, this.canary, this.currentPlan, this.timelineText);
  }

  /** The names of the checks the analysis measures. */
  private measuredChecks(): string[] {
    return this.rendered.templates.length === 0 ? [] : this.checks.map(c => c.name);
  }

  /** The Canary's name, for `kubectl describe canary <name>`. */
  public get canaryName(): string {
    return this.canary.name;
  }
}

/** How Flagger runs a strategy: the interval, the step fields of the analysis, and whether a gate holds the promotion. */
interface Timeline {
  readonly intervalSeconds: number;
  readonly steps: Pick<FlaggerAnalysisSpec, 'iterations' | 'stepWeight' | 'maxWeight' | 'stepWeights'>;
  readonly approval: boolean;
}

/** The timeline as Flagger reads it, for the plan's controller: `Flagger: stepWeights 5, 25, 50 every 5m, then a promotion gate`. */
function describeTimeline(timeline: Timeline): string {
  const every = flaggerDuration(timeline.intervalSeconds);
  const steps = timeline.steps;
  const shape = steps.iterations !== undefined ? `${steps.iterations} iteration${steps.iterations === 1 ? '' : 's'} of ${every}, then 100% for ${every}`
    : steps.stepWeights !== undefined ? `stepWeights ${steps.stepWeights.join(', ')} every ${every}`
      : `stepWeight ${steps.stepWeight} to maxWeight ${steps.maxWeight} every ${every}`;
  return `${FLAGGER}: ${shape}${timeline.approval ? ', then a promotion gate' : ''}`;
}

/** A canary or linear strategy: one weight per interval, then the promotion. */
function progressiveTimeline(where: string, strategy: Strategy): Timeline {
  if (strategy.kind === StrategyKind.ALL_AT_ONCE) {
    fail(`${where}: strategy`, strategy.describe(),
      'Flagger releases every revision through an analysis; it has no all-at-once release that something watches',
      'Use a canary such as Strategy.CANARY_10PERCENT_5MINUTES, or a plain cdk8s-plus Deployment for an all-at-once release.');
  }
  const steps = strategy.steps;
  const gated = steps.map((step, i) => ({ step, i })).filter(({ step }) => step.gate !== undefined);
  const last = gated[gated.length - 1];
  const isApproval = (i: number) => steps[i].gate?.kind === StepGateKind.MANUAL_APPROVAL;
  steps.forEach((step, i) => {
    if (!Number.isInteger(step.weight)) {
      fail(`${where}: strategy.steps[${i}].weight`, step.weight, 'Flagger\'s step weights are whole percentages from 1 to 100',
        `Use ${Math.max(1, Math.floor(step.weight))} or ${Math.ceil(step.weight)} in the strategy.`);
    }
    // One repeat is Flagger's own timeline: the last weight held one interval, then the promotion gate.
    const promotionGate = i > 0 && i === last.i && isApproval(i) && !isApproval(i - 1);
    if (i > 0 && step.weight === steps[i - 1].weight && !promotionGate) {
      fail(`${where}: strategy.steps[${i}].weight`, step.weight,
        `step ${i} holds ${step.weight}% too, and Flagger moves to the next weight at every interval: a step that adds no traffic stalls it (its next step weight is 0)`,
        `Merge steps ${i} and ${i + 1} into one, or use ArgoRollout, whose steps may repeat a weight.`);
    }
  });
  let intervalSeconds: number | undefined;
  let firstTimed: { i: number; gate: StepGate } | undefined;
  for (const { step, i } of gated) {
    const gate = step.gate!;
    const prop = `${where}: strategy.steps[${i}].gate`;
    if (gate.kind === StepGateKind.MANUAL_APPROVAL) {
      approvalWithoutTimeout(prop, gate);
      if (i !== last.i) {
        fail(prop, gate.describe(),
          'Flagger holds a rollout for a person only before the promotion (its confirm-promotion webhook); its confirm-traffic-increase webhook asks before every weight increase, the first one included, and the load tester\'s gate stays open once opened, so it cannot hold one step alone',
          'Put the manual approval on the last step before 100%, or use ArgoRollout, which pauses any step for a person.');
      }
      if (i === 0 || steps[i - 1].weight !== step.weight) {
        const weight = step.weight;
        fail(prop, gate.describe(),
          `Flagger asks its promotion gate only at the end of an analysis interval at the last weight, so ${weight}% is held one interval before the approval counts, and the strategy counts the approval from the start of the step`,
          `Hold the weight one interval first, as Flagger does: { weight: ${weight}, gate: StepGate.bake(<the steps' time>) }, then { weight: ${weight}, gate: StepGate.manualApproval() }; or use ArgoRollout, whose pause waits for the approval alone.`);
      }
      continue;
    }
    const seconds = gate.duration!.toSeconds();
    if (firstTimed === undefined) {
      firstTimed = { i, gate };
      intervalSeconds = seconds;
    } else if (seconds !== intervalSeconds) {
      fail(prop, gate.describe(),
        `Flagger holds every step for one analysis interval, and step ${firstTimed.i + 1} holds ${formatSeconds(intervalSeconds!)} (${firstTimed.gate.describe()}) while step ${i + 1} holds ${formatSeconds(seconds)}`,
        `Give every step the same bake or analysis time, such as ${formatSeconds(intervalSeconds!)} (a longer hold becomes several steps), or use ArgoRollout, whose steps each pause for their own time.`);
    }
  }
  // Every expressible canary has a timed step: a manual approval follows one at its weight.
  const interval = intervalSeconds!;
  const approval = last.step.gate!.kind === StepGateKind.MANUAL_APPROVAL;
  if (strategy.kind === StrategyKind.LINEAR) {
    const below = steps.filter(s => s.weight < 100);
    return { intervalSeconds: interval, approval, steps: { stepWeight: strategy.linearStepPercent, maxWeight: below[below.length - 1].weight } };
  }
  // The approval's repeat of the last weight is Flagger's promotion gate, not a step of its own.
  return { intervalSeconds: interval, approval, steps: { stepWeights: [...new Set(gated.map(({ step }) => step.weight))] } };
}

/** A blue-green strategy: iterations with no production traffic, one interval switched, then the promotion. */
function blueGreenTimeline(where: string, strategy: Strategy): Timeline {
  if (strategy.testRoute) {
    fail(`${where}: strategy.testRoute`, strategy.testRoute.describe(),
      'Flagger routes requests by header only in its A/B flow (analysis.match), which ends by updating the primary Deployment in place, a rolling update rather than one switch, and keeps no old version to switch back to; its blue-green flow, which switches, routes no test requests',
      'Remove the test route and test the new version through the <name>-canary Service Flagger creates (load tester webhooks can drive it), or use ArgoRollout with ArgoTrafficRouting.gatewayApi(), which sends the test route to the preview Service.');
  }
  const bake = strategy.bakeTime!.toSeconds();
  if (bake === 0) {
    fail(`${where}: strategy.bakeTime`, strategy.bakeTime,
      'Flagger keeps the old version for one analysis interval after the switch, so the bake time is the interval, which is at least a second',
      'Use a bake time of at least Duration.seconds(1), such as Duration.minutes(5).');
  }
  const interval = bake;
  const promotion = strategy.promotion;
  const prop = `${where}: strategy.promotion`;
  if (promotion === undefined) {
    fail(prop, undefined,
      `Flagger runs a blue-green for at least one iteration of its analysis interval (here the bake time, ${formatSeconds(bake)}) before the switch, and the strategy switches at once`,
      `Give the strategy a promotion gate of a whole number of intervals, such as promotion: StepGate.bake(Duration.seconds(${bake})), or use ArgoRollout.`);
  }
  if (promotion.kind === StepGateKind.MANUAL_APPROVAL) {
    fail(prop, promotion.describe(),
      `Flagger asks its promotion gate only after at least one iteration of its analysis interval (here the bake time, ${formatSeconds(bake)}), and the strategy counts the approval from the start, which a blue-green's single promotion gate cannot say otherwise`,
      `Promote after a bake or an analysis of a whole number of intervals, such as promotion: StepGate.bake(Duration.seconds(${bake})), or use ArgoRollout, whose blue-green waits for the approval alone.`);
  }
  const seconds = promotion.duration!.toSeconds();
  if (seconds % interval !== 0) {
    const lower = Math.max(1, Math.floor(seconds / interval)) * interval;
    fail(prop, promotion.describe(),
      `Flagger holds a blue-green for a whole number of iterations of its analysis interval, the bake time of ${formatSeconds(interval)}, and ${formatSeconds(seconds)} is not one`,
      `Use a promotion gate of ${formatSeconds(lower)} or ${formatSeconds(lower + interval)}, or a bake time that divides ${formatSeconds(seconds)}.`);
  }
  return { intervalSeconds: interval, approval: false, steps: { iterations: seconds / interval } };
}

function approvalWithoutTimeout(prop: string, gate: StepGate): void {
  if (gate.timeout !== undefined) {
    fail(prop, gate.describe(),
      'Flagger\'s promotion gate has no timeout: it asks the load tester at every interval for as long as it takes',
      'Use StepGate.manualApproval() without a timeout; to give up on a release, roll it back with the load tester\'s rollback gate or a new revision.');
  }
}
