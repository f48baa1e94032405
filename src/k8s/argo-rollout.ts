import { ApiObject, Chart, Lazy } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { AnalysisTemplate } from './analysis-template';
import { ArgoTrafficRouting } from './argo-traffic-routing';
import { HttpRoute } from './http-route';
import { HttpRouteMatch, HttpRouteRule } from './http-route-rule';
import { MetricsSource } from './metrics-source';
import {
  ARGO_API_VERSION, argoDuration, ArgoBlueGreenStrategy, ArgoCanaryStep, ArgoCanaryStrategy, ArgoHeaderMatch,
  ArgoRolloutAnalysis, ArgoRolloutSpec, GATEWAY_API_PLUGIN,
} from './private/argo-types';
import { httpRouteMatch } from './private/gateway-match';
import { describeRouteOwner } from './private/gateway-routes';
import { CheckTargets, CheckUse, RenderedChecks, renderHealthChecks } from './private/health-check-analysis';
import { addHealthCheckTo } from './private/health-check-list';
import { QueryContext } from './private/health-check-queries';
import { recordK8sPlan } from './private/plan-annotation';
import { replicaRatioPlan, weightTolerance } from './private/replica-ratio';
import {
  containerPort, labelService, NAME_LABEL, portNumber, replicaCount, revision as checkRevision, revisionDeployment, ROLE_LABEL,
} from './private/workload';
import { KubernetesRevision } from './revision';
import { HealthCheck } from '../core/health-check';
import { Match, MatchKind } from '../core/match';
import { CapacityMode } from '../core/plan-options';
import { formatSeconds } from '../core/private/format';
import { arrayOf, dnsLabel, fail, struct } from '../core/private/validation';
import { StepGate, StepGateKind } from '../core/step-gate';
import { Strategy, TrafficPlan } from '../core/strategy';
import { StrategyKind } from '../core/strategy-kind';
import { registerGuardrailFacts } from '../guardrails/private/facts';
import type { TriggerFacts } from '../guardrails/private/facts';
import { analysisTriggers, unrestrictedRoute } from '../guardrails/private/readers';

/** Props for an `ArgoRollout`. */
export interface ArgoRolloutProps {
  /**
   * How a new revision is released. Canary and linear weights must be whole percentages (Argo's
   * `setWeight` is an integer); manual approvals cannot have a timeout (Argo's pause has none).
   */
  readonly strategy: Strategy;

  /**
   * The pod template Argo Rollouts rolls out. Change it (a new image or version) to start a
   * rollout.
   */
  readonly revision: KubernetesRevision;

  /**
   * The application's name, the value of the `app.kubernetes.io/name` label of its pods.
   *
   * @default - the construct id, which must then be a DNS label
   */
  readonly name?: string;

  /**
   * The steady-state number of pods. Without traffic routing a canary's weights are rounded to
   * whole pods, so a 10% step needs at least 7 replicas with the default `weightTolerance`.
   *
   * @default 2
   */
  readonly replicas?: number;

  /**
   * The port of the Services (and HTTPRoute backends). They forward to the first container's port.
   *
   * @default 80
   */
  readonly port?: number;

  /**
   * How traffic reaches the new version. A canary with `ArgoTrafficRouting.gatewayApi()` needs a
   * chart with a namespace, which the plugin's configuration names.
   *
   * @default ArgoTrafficRouting.replicaCount()
   */
  readonly trafficRouting?: ArgoTrafficRouting;

  /**
   * The AnalysisTemplates the strategy's analysis gates name (and `postPromotionAnalysis`), in
   * this rollout's namespace. A gate naming a template not passed here fails.
   *
   * @default - none; the strategy may have no analysis gate
   */
  readonly analysisTemplates?: AnalysisTemplate[];

  /**
   * Without traffic routing, how far (in percentage points) a canary step may land from its
   * weight once rounded to whole replicas. Only for a canary or linear strategy with
   * `ArgoTrafficRouting.replicaCount()`.
   *
   * @default 5
   */
  readonly weightTolerance?: number;

  /**
   * Blue-green only: an AnalysisTemplate to run on the new environment before the switch, for a
   * strategy whose promotion is a manual approval or a bake. It aborts the rollout if it fails.
   * With a manual approval, Argo waits for it to pass before a promotion can switch traffic. With
   * a bake, Argo switches traffic when the bake time ends even if the analysis still runs (it
   * marks the run successful), so the template must end within the bake time. Its metrics need a
   * count; its time is not in the plan. A promotion gate that is itself an analysis is Argo's
   * pre-promotion analysis already.
   *
   * @default - no analysis before the promotion gate
   */
  readonly prePromotionAnalysis?: string;

  /**
   * Blue-green only: the AnalysisTemplate to run after the switch, while the old environment
   * still runs. If it fails, Argo switches traffic back. Its metrics need a count, and it must
   * end within the strategy's bake time, when Argo scales the old environment down and cancels it.
   *
   * @default - no analysis after the switch
   */
  readonly postPromotionAnalysis?: string;

  /**
   * The health checks that roll this rollout back, replacing the strategy's (`[]` for none). They
   * are measured on the new version through `metricsSource` and rendered as AnalysisTemplates: a
   * canary's run as background analysis from its first step with traffic (the test phase, when the
   * strategy has a test route and a test gate) until it completes; a blue-green rollout's before
   * the switch (on the preview, when a test route reaches it and a promotion gate holds it) and
   * after it (while the bake time keeps the old environment). A failing check aborts the rollout;
   * a window quieter than the check's `minimumRequests` pauses it for a person. Add more with
   * `addHealthCheck()`.
   *
   * @default - the strategy's health checks
   */
  readonly healthChecks?: HealthCheck[];

  /**
   * Where the health checks are measured: a Prometheus server in the data plane's dialect, or
   * CloudWatch. Needed as soon as the rollout has a health check.
   *
   * @default - none; the rollout must then have no health checks (`healthChecks: []` drops the strategy's)
   */
  readonly metricsSource?: MetricsSource;
}

/** The ROLE_LABEL value of every pod of an Argo rollout: Argo's pod-template-hash tells stable from canary. */
const ROLE = 'rollout';
const DEFAULT_REPLICAS = 2;
const DEFAULT_PORT = 80;
const CONTROLLER = 'Argo Rollouts';
/** The `managedRoutes` name of a canary's test route, which `setHeaderRoute` adds. */
const TEST_ROUTE = 'test-route';

/**
 * Releases a workload with Argo Rollouts (`argoproj.io/v1alpha1` Rollout) by a `Strategy`: the
 * controller moves traffic step by step, pauses for approvals, runs analyses and rolls back on its
 * own, so one deployment of the manifests carries the whole plan.
 *
 * The pod template is a cdk8s-plus Deployment scaled to zero (id `Template`), which the Rollout
 * references with `workloadRef`: cdk8s-plus's secure defaults (non-root, read-only root file
 * system, resource limits) hold, and Argo creates and scales the ReplicaSets. Change the revision
 * to start a rollout.
 *
 * A canary, linear or all-at-once strategy renders a `canary` strategy: `setWeight` per step, `pause` for bake
 * times and manual approvals (`kubectl argo rollouts promote`), an inline `analysis` for analysis
 * gates, with the Services `StableService` and `CanaryService`. Without traffic routing the
 * weights are split by pod count behind `LiveService`; with `ArgoTrafficRouting.gatewayApi()` the
 * Argo Rollouts Gateway API plugin sets them on the HTTPRoute `Route`, which it finds by name and
 * namespace: the chart must then have a namespace.
 *
 * A canary or linear strategy with a test route (which needs `gatewayApi()`) starts with its test
 * phase: `setCanaryScale` runs the canary at the size of its first step without traffic, then
 * `setHeaderRoute` adds the managed route `test-route`, which sends the requests matching the test
 * route (a header, or a cookie as a regular expression on the `Cookie` header) to the canary, then
 * the test gate holds; `setCanaryScale: { matchTrafficWeight: true }` hands the canary's size back
 * to the weights before the first `setWeight`. Argo removes the managed route when the rollout
 * completes or aborts. The plugin renders header routes as rules of the HTTPRoute from v0.13.0.
 *
 * A blue-green strategy renders a `blueGreen` strategy with the Services `ActiveService` and
 * `PreviewService`: a manual promotion gate disables auto-promotion, a bake gate becomes
 * `autoPromotionSeconds`, an analysis gate `prePromotionAnalysis`, and the bake time after the
 * switch `scaleDownDelaySeconds`. A test route needs `gatewayApi()`: its HTTPRoute sends matching
 * requests to the preview Service.
 *
 * Health checks (the strategy's, or `healthChecks`) are measured through `metricsSource` and
 * rendered as AnalysisTemplates of the rollout (`HealthChecks` for a canary's background analysis,
 * `PrePromotionHealthChecks` and `PostPromotionHealthChecks` for blue-green), one metric per check:
 * a window past its bound fails it, `failingWindows` failures abort the rollout, and a window
 * quieter than `minimumRequests` is Inconclusive, which pauses the rollout until a person resumes
 * or aborts it.
 *
 * The plan is recorded on the Rollout (annotation `cdk-deploy-strategies.dev/plan`). While a
 * rollout runs, Argo rewrites the Services' selectors and the plugin the HTTPRoute's weights: a
 * GitOps tool that applies these manifests should ignore those fields (Argo CD: `ignoreDifferences`).
 *
 * @example
 * // The Gateway API plugin finds the HTTPRoute in the namespace of the Rollout: the chart needs one.
 * const shop = new Chart(app, 'checkout', { namespace: 'shop' });
 * const errorRate = new k8s.AnalysisTemplate(shop, 'ErrorRate', {
 *   name: 'error-rate',
 *   metrics: [k8s.AnalysisMetric.prometheus({
 *     name: 'success-rate',
 *     address: 'http://prometheus.monitoring:9090',
 *     query: 'sum(rate(http_requests_total{app="web",code!~"5.."}[1m])) / sum(rate(http_requests_total{app="web"}[1m]))',
 *     successCondition: 'result[0] >= 0.99',
 *   })],
 * });
 * new k8s.ArgoRollout(shop, 'web', {
 *   strategy: Strategy.canary({ steps: [
 *     { weight: 10, gate: StepGate.analysis({ name: 'error-rate', duration: Duration.minutes(5) }) },
 *     { weight: 50, gate: StepGate.manualApproval() },
 *   ] }),
 *   revision: { containers: [{ image: 'registry.example.com/web:1.4.2', portNumber: 8080 }], version: '1.4.2' },
 *   replicas: 4,
 *   trafficRouting: k8s.ArgoTrafficRouting.gatewayApi({ gateway: { name: 'public-gateway' } }),
 *   analysisTemplates: [errorRate],
 * });
 */
export class ArgoRollout extends Construct {
  /** The application's name (`app.kubernetes.io/name`). */
  public readonly appName: string;
  /** The Rollout. */
  public readonly rollout: ApiObject;
  /** The Deployment holding the pod template, scaled to zero; the Rollout's `workloadRef`. */
  public readonly template: kplus.Deployment;
  /**
   * The Service production traffic takes inside the cluster: `LiveService` without traffic
   * routing, `ActiveService` for blue-green, and `StableService` with Gateway API routing (where
   * weighted traffic goes through the Gateway).
   */
  public readonly service: kplus.Service;
  /** Canary: the Service Argo points at the stable pods. */
  public readonly stableService?: kplus.Service;
  /** Canary: the Service Argo points at the canary pods. */
  public readonly canaryService?: kplus.Service;
  /** Canary without traffic routing: the Service over every pod, splitting traffic by pod count. */
  public readonly liveService?: kplus.Service;
  /** Blue-green: the Service Argo points at the live environment. */
  public readonly activeService?: kplus.Service;
  /** Blue-green: the Service Argo points at the new environment before the switch. */
  public readonly previewService?: kplus.Service;
  /** With Gateway API routing: the HTTPRoute. */
  public readonly route?: HttpRoute;
  /** The metrics source the health checks are measured through, if any. */
  public readonly metricsSource?: MetricsSource;

  private readonly where: string;
  private readonly planOptions: () => TrafficPlan;
  private readonly checks: HealthCheck[];
  private currentPlan: TrafficPlan;
  private readonly renderChecks: () => RenderedChecks;
  private rendered: RenderedChecks = { templates: [] };

  constructor(scope: Construct, id: string, props: ArgoRolloutProps) {
    super(scope, id);
    const where = `ArgoRollout ${this.node.path}`;
    struct(`${where}: props`, props, 'Pass { strategy, revision }.');
    if (!(props.strategy instanceof Strategy)) {
      fail(`${where}: strategy`, props.strategy, 'a rollout needs a Strategy', 'Pass a Strategy, for example Strategy.CANARY_10PERCENT_5MINUTES.');
    }
    const strategy = props.strategy;
    const appName = dnsLabel(props.name === undefined ? `${where}: name (the construct id, by default)` : `${where}: name`, props.name ?? id, 'web');
    const revision = checkRevision(`${where}: revision`, props.revision);
    const targetPort = containerPort(`${where}: revision`, revision);
    const replicas = props.replicas === undefined ? DEFAULT_REPLICAS : replicaCount(`${where}: replicas`, props.replicas, 1);
    const port = props.port === undefined ? DEFAULT_PORT : portNumber(`${where}: port`, props.port);
    const routing = props.trafficRouting === undefined ? ArgoTrafficRouting.replicaCount()
      : ArgoTrafficRouting._require(`${where}: trafficRouting`, props.trafficRouting);
    const namespace = Chart.of(this).namespace;
    const templates = analysisTemplates(`${where}: analysisTemplates`, props.analysisTemplates, namespace);
    const blueGreen = strategy.kind === StrategyKind.BLUE_GREEN;
    const replicaRatio = !blueGreen && !routing.usesGatewayApi && strategy.kind !== StrategyKind.ALL_AT_ONCE;
    if (props.weightTolerance !== undefined && !replicaRatio) {
      fail(`${where}: weightTolerance`, props.weightTolerance,
        `it applies to canary weights rounded to whole replicas, and this rollout (${strategy.describe()}, ${routing.describe()}) rounds none`,
        'Leave weightTolerance out.');
    }
    for (const [key, value] of [['prePromotionAnalysis', props.prePromotionAnalysis], ['postPromotionAnalysis', props.postPromotionAnalysis]]) {
      if (value !== undefined && !blueGreen) {
        fail(`${where}: ${key}`, value,
          `Argo Rollouts runs ${key === 'prePromotionAnalysis' ? 'a pre' : 'a post'}-promotion analysis only in a blue-green rollout, and the strategy is ${strategy.describe()}`,
          'Add an analysis gate to a canary step instead, such as { weight: 50, gate: StepGate.analysis({ name, duration }) }.');
      }
    }
    if (!blueGreen && routing.usesGatewayApi && namespace === undefined) {
      fail(`${where}: trafficRouting`, routing.describe(),
        'the Argo Rollouts Gateway API plugin finds the HTTPRoute in the namespace its configuration names, and the chart has no namespace to name (the plugin does not fall back to the rollout\'s)',
        'Create the rollout in a chart with a namespace, such as new Chart(app, "shop", { namespace: "shop" }).');
    }
    if (strategy.testRoute && !routing.usesGatewayApi) {
      fail(`${where}: trafficRouting`, routing.describe(),
        `Argo Rollouts without traffic routing cannot route by request: the strategy's test route (${strategy.testRoute.describe()}) needs a router that sends matching requests to the ${blueGreen ? 'preview' : 'canary'} Service`,
        blueGreen ? 'Use trafficRouting: ArgoTrafficRouting.gatewayApi({ gateway: { name: "my-gateway" } }), or remove the test route and test through the preview Service.'
          : 'Use trafficRouting: ArgoTrafficRouting.gatewayApi({ gateway: { name: "my-gateway" } }) (header routes are managed routes of the Gateway API plugin), or remove the test route.');
    }
    // Checked before anything is built: setHeaderRoute matches headers only.
    const testHeader = !blueGreen && strategy.testRoute ? headerRouteMatch(`${where}: strategy.testRoute`, strategy.testRoute) : undefined;
    const checks = props.healthChecks === undefined ? [...strategy.healthChecks]
      : HealthCheck._requireList(`${where}: healthChecks`, props.healthChecks);
    const checkProps = new Map(checks.map((check, i) => [check, props.healthChecks === undefined
      ? `${where}: strategy.healthChecks[${i}] (${check.name})` : `${where}: healthChecks[${i}]`]));
    this.metricsSource = props.metricsSource === undefined ? undefined : MetricsSource._require(`${where}: metricsSource`, props.metricsSource);

    this.appName = appName;
    this.where = where;
    this.checks = checks;
    this.planOptions = () => this.planFor(where, strategy, routing, replicas, props.weightTolerance, this.checks);
    this.currentPlan = this.planOptions();
    this.template = revisionDeployment(this, 'Template', { where, appName, role: ROLE, revision, replicas: 0 });
    const labels = { [NAME_LABEL]: appName, [ROLE_LABEL]: ROLE };
    const service = (serviceId: string) => labelService(this, serviceId, labels, port, targetPort);
    const gates = new GateRenderer(where, templates);

    let rolloutStrategy: ArgoRolloutSpec['strategy'];
    let targets: CheckTargets;
    if (blueGreen) {
      this.activeService = service('ActiveService');
      this.previewService = service('PreviewService');
      this.service = this.activeService;
      const bg = this.blueGreen(where, strategy, gates, props.prePromotionAnalysis, props.postPromotionAnalysis);
      // The health checks' templates join the user's (Argo merges the templates of one analysis).
      const withChecks = (use: CheckUse, given: ArgoRolloutAnalysis | undefined) => Lazy.any({
        produce: () => {
          const ours = this.rendered.templates.filter(t => t.use === use).map(t => ({ templateName: t.name }));
          const all = [...given?.templates ?? [], ...ours];
          return all.length === 0 ? undefined : { templates: all };
        },
      }) as ArgoRolloutAnalysis;
      rolloutStrategy = {
        blueGreen: {
          ...bg,
          prePromotionAnalysis: withChecks('pre', bg.prePromotionAnalysis),
          postPromotionAnalysis: withChecks('post', bg.postPromotionAnalysis),
        },
      };
      if (routing.usesGatewayApi) {
        const rules: HttpRouteRule[] = [];
        if (strategy.testRoute) {
          rules.push({ matches: [{ ...EVERY_PATH, ...httpRouteMatch(`${where}: strategy.testRoute`, strategy.testRoute) }], backendRefs: [{ name: this.previewService.name, port }] });
        }
        rules.push({ matches: [EVERY_PATH], backendRefs: [{ name: this.activeService.name, port }] });
        this.route = this.httpRoute(routing, rules);
      }
      const noRoute = 'without traffic routing there is no HTTPRoute';
      targets = {
        pre: {
          description: `the new version of ${appName} behind Service ${this.previewService.name}`,
          role: 'preview',
          namespace: namespace ?? '',
          app: appName,
          version: revision.version,
          service: this.previewService.name,
          routeRules: this.route && strategy.testRoute ? { route: this.route.name, rules: [0] } : undefined,
          noRouteRule: this.route ? 'no test route sends to the preview Service' : noRoute,
        },
        post: {
          description: `the new version of ${appName} behind Service ${this.activeService.name}`,
          role: 'active',
          namespace: namespace ?? '',
          app: appName,
          version: revision.version,
          service: this.activeService.name,
          routeRules: this.route ? { route: this.route.name, rules: [strategy.testRoute ? 1 : 0] } : undefined,
          noRouteRule: noRoute,
        },
      };
    } else {
      this.stableService = service('StableService');
      this.canaryService = service('CanaryService');
      if (routing.usesGatewayApi) {
        this.service = this.stableService;
        // The plugin rewrites these weights at every step; they start with everything on stable.
        this.route = this.httpRoute(routing, [{
          matches: [EVERY_PATH],
          backendRefs: [
            { name: this.stableService.name, port, weight: 100 },
            { name: this.canaryService.name, port, weight: 0 },
          ],
        }]);
      } else {
        this.liveService = service('LiveService');
        this.service = this.liveService;
      }
      const { steps, trafficStarts } = canarySteps(where, strategy, gates, testHeader);
      const canary: ArgoCanaryStrategy = {
        stableService: this.stableService.name,
        canaryService: this.canaryService.name,
        // No surge: Argo then splits exactly `replicas` pods by weight, as the plan's replica counts do.
        ...(replicaRatio ? { maxSurge: 0, maxUnavailable: 1 } : {}),
        // The plugin looks the route up in the namespace named here, with no fallback to the rollout's.
        trafficRouting: this.route ? {
          managedRoutes: testHeader ? [{ name: TEST_ROUTE }] : undefined,
          plugins: { [GATEWAY_API_PLUGIN]: { httpRoute: this.route.name, namespace: namespace! } },
        } : undefined,
        // Background analysis of the health checks, from the first step they watch until the rollout ends.
        analysis: Lazy.any({
          produce: () => {
            const template = this.rendered.templates.find(t => t.use === 'background');
            return template && { templates: [{ templateName: template.name }], startingStep: template.startingStep || undefined };
          },
        }),
        steps,
      };
      rolloutStrategy = { canary };
      targets = {
        trafficStarts,
        background: {
          description: `the canary of ${appName}`,
          role: 'canary',
          namespace: namespace ?? '',
          app: appName,
          version: revision.version,
          service: this.route ? this.canaryService.name : undefined,
          noService: this.route ? undefined : 'without traffic routing the canary\'s pods serve behind LiveService with the stable pods',
          noRouteRule: this.route ? 'the Argo Rollouts Gateway API plugin moves the canary\'s weight inside the one rule it shares with the stable Service'
            : 'without traffic routing there is no HTTPRoute',
        },
      };
    }

    const spec: ArgoRolloutSpec = {
      replicas,
      selector: { matchLabels: labels },
      workloadRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: this.template.name },
      strategy: rolloutStrategy,
    };
    this.rollout = new ApiObject(this, 'Rollout', {
      apiVersion: ARGO_API_VERSION,
      kind: 'Rollout',
      metadata: { labels: { [NAME_LABEL]: appName } },
      spec,
    });
    recordK8sPlan(where, this, this.rollout, this.plan, CONTROLLER);

    const reserved = new Set(templates.map(t => t.templateName));
    const ctx: QueryContext = { where, checkProp: check => checkProps.get(check) ?? `${where}: addHealthCheck (${check.name})` };
    this.renderChecks = () => renderHealthChecks({
      where, appName, namespace, source: this.metricsSource, checks: this.checks, plan: this.currentPlan, strategy, targets, ctx, reserved,
    });
    this.rendered = this.renderChecks();
    this.syncTemplates();

    const self = this;
    registerGuardrailFacts(this, {
      platform: 'k8s',
      backend: CONTROLLER,
      get plan() {
        return self.plan;
      },
      rollbackTriggers: () => [...analysisTriggers(strategy, props.prePromotionAnalysis, props.postPromotionAnalysis), ...this.healthCheckTriggers()],
      testRoute: unrestrictedRoute(strategy),
      healthChecks: () => this.measuredChecks(),
    });
  }

  /** The traffic plan Argo Rollouts follows, with the health checks that watch each step. */
  public get plan(): TrafficPlan {
    return this.currentPlan;
  }

  /** The AnalysisTemplates rendered from the health checks (none without health checks). */
  public get healthCheckTemplates(): ApiObject[] {
    return this.rendered.templates.map(t => this.node.findChild(t.id) as ApiObject);
  }

  /**
   * Adds a health check that rolls this rollout back, measured through `metricsSource` like the
   * others; the plan lists it.
   */
  public addHealthCheck(check: HealthCheck): void {
    const prop = `${this.where}: addHealthCheck`;
    HealthCheck._requireAddable(prop, check, this.checks, 'rollout', 'analysis metric', 'HealthCheck.errorRate(), HealthCheck.latency() or HealthCheck.prometheus()');
    addHealthCheckTo(this.checks, check, () => {
      this.currentPlan = this.planOptions();
      this.rendered = this.renderChecks();
    });
    this.syncTemplates();
    recordK8sPlan(this.where, this, this.rollout, this.currentPlan, CONTROLLER);
  }

  /** Creates the AnalysisTemplate of each rendered use of the checks that has none yet; their specs follow the checks. */
  private syncTemplates(): void {
    for (const template of this.rendered.templates) {
      if (this.node.tryFindChild(template.id)) continue;
      const id = template.id;
      new ApiObject(this, id, {
        apiVersion: ARGO_API_VERSION,
        kind: 'AnalysisTemplate',
        metadata: { name: template.name, labels: { [NAME_LABEL]: this.appName } },
        spec: Lazy.any({ produce: () => this.rendered.templates.find(t => t.id === id)!.spec }),
      });
    }
  }

  /** The names of the checks some analysis measures (none when no step is watched). */
  private measuredChecks(): string[] {
    return this.rendered.templates.length === 0 ? [] : this.checks.map(c => c.name);
  }

  private healthCheckTriggers(): TriggerFacts[] {
    const names = this.measuredChecks();
    if (names.length === 0) return [];
    return [{
      kind: 'ANALYSIS',
      description: `health check${names.length === 1 ? '' : 's'} ${names.join(', ')} (AnalysisTemplate${this.rendered.templates.length === 1 ? '' : 's'} `
        + `${this.rendered.templates.map(t => t.name).join(', ')})`,
    }];
  }

  /** The Rollout's name, for `kubectl argo rollouts get rollout <name>` and `promote <name>`. */
  public get rolloutName(): string {
    return this.rollout.name;
  }

  private planFor(where: string, strategy: Strategy, routing: ArgoTrafficRouting, replicas: number, tolerance: unknown,
    healthChecks: HealthCheck[]): TrafficPlan {
    if (strategy.kind === StrategyKind.BLUE_GREEN) return strategy.plan({ healthChecks });
    strategy.steps.forEach((step, i) => {
      if (!Number.isInteger(step.weight)) {
        fail(`${where}: strategy.steps[${i}].weight`, step.weight,
          'Argo Rollouts\' setWeight is a whole percentage from 0 to 100',
          `Use ${Math.floor(step.weight)} or ${Math.ceil(step.weight)} in the strategy.`);
      }
    });
    if (routing.usesGatewayApi) return strategy.plan({ capacity: CapacityMode.PROPORTIONAL, healthChecks });
    if (strategy.kind === StrategyKind.ALL_AT_ONCE) return strategy.plan({ healthChecks });
    if (replicas < 2) {
      fail(`${where}: replicas`, replicas, 'without traffic routing a canary is its share of the pods, so it needs at least 2 to run both versions',
        'Run at least 2 replicas, or use ArgoTrafficRouting.gatewayApi().');
    }
    return replicaRatioPlan(`${where}: replicas`, 'Argo Rollouts without traffic routing', strategy, replicas,
      weightTolerance(`${where}: weightTolerance`, tolerance), 'ArgoTrafficRouting.gatewayApi()', healthChecks);
  }

  private blueGreen(where: string, strategy: Strategy, gates: GateRenderer, prePromotion: unknown, postPromotion: unknown): ArgoBlueGreenStrategy {
    const bakeSeconds = strategy.bakeTime!.toSeconds();
    if (bakeSeconds === 0) {
      fail(`${where}: strategy.bakeTime`, strategy.bakeTime,
        'Argo Rollouts keeps the old ReplicaSet running when scaleDownDelaySeconds is 0 instead of scaling it down at once (argoproj/argo-rollouts issue #1992)',
        'Use a bake time of at least Duration.seconds(1).');
    }
    const promotion = strategy.promotion;
    const promotionProp = `${where}: strategy.promotion`;
    // The promotion gate first: a template it names gets its duration before the post-promotion check reads it.
    const autoPromotionEnabled = promotion?.kind === StepGateKind.MANUAL_APPROVAL ? gates.approval(promotionProp, promotion) : undefined;
    let prePromotionAnalysis = promotion?.kind === StepGateKind.ANALYSIS ? gates.analysis(promotionProp, promotion) : undefined;
    if (prePromotion !== undefined) {
      const prop = `${where}: prePromotionAnalysis`;
      if (prePromotionAnalysis) {
        fail(prop, prePromotion, `the strategy's promotion gate (${promotion!.describe()}) is already Argo's pre-promotion analysis`,
          'Leave prePromotionAnalysis out, or make the promotion gate StepGate.manualApproval() or StepGate.bake().');
      }
      const template = gates.template(prop, dnsLabel(prop, prePromotion, 'smoke-test'));
      const runSeconds = template._runSeconds(prop);
      const bake = promotion?.kind === StepGateKind.BAKE ? promotion.duration!.toSeconds() : undefined;
      if (bake !== undefined && runSeconds > bake) {
        fail(prop, template.templateName,
          `AnalysisTemplate "${template.templateName}" runs ${formatSeconds(runSeconds)}, and Argo switches traffic when the promotion gate's bake of ${formatSeconds(bake)} ends, marking a pre-promotion analysis still running successful`,
          `Give the promotion gate a bake of at least ${formatSeconds(runSeconds)}, take fewer measurements, or make the promotion gate StepGate.manualApproval().`);
      }
      prePromotionAnalysis = { templates: [{ templateName: template.templateName }] };
    }
    let postPromotionAnalysis: ArgoRolloutAnalysis | undefined;
    if (postPromotion !== undefined) {
      const prop = `${where}: postPromotionAnalysis`;
      const template = gates.template(prop, dnsLabel(prop, postPromotion, 'error-rate'));
      const runSeconds = template._runSeconds(prop);
      if (runSeconds > bakeSeconds) {
        fail(prop, template.templateName,
          `AnalysisTemplate "${template.templateName}" runs ${formatSeconds(runSeconds)}, and Argo cancels a post-promotion analysis when it scales the old environment down, after the bake time of ${formatSeconds(bakeSeconds)}`,
          `Give the strategy a bakeTime of at least ${formatSeconds(runSeconds)}, or take fewer measurements.`);
      }
      postPromotionAnalysis = { templates: [{ templateName: template.templateName }] };
    }
    return {
      activeService: this.activeService!.name,
      previewService: this.previewService!.name,
      autoPromotionEnabled,
      autoPromotionSeconds: promotion?.kind === StepGateKind.BAKE ? promotion.duration!.toSeconds() : undefined,
      prePromotionAnalysis,
      postPromotionAnalysis,
      scaleDownDelaySeconds: bakeSeconds,
    };
  }

  private httpRoute(routing: ArgoTrafficRouting, rules: HttpRouteRule[]): HttpRoute {
    const route = new HttpRoute(this, 'Route', {
      metadata: { labels: { [NAME_LABEL]: this.appName } },
      parentRefs: [routing.gateway!],
      hostnames: routing.hostnames,
      rules,
    });
    describeRouteOwner(route, `ArgoRollout ${this.node.path}`);
    return route;
  }
}

/** Every request: the base match the plugin copies into header routes, explicit so it is the same everywhere. */
const EVERY_PATH: HttpRouteMatch = { path: { type: 'PathPrefix', value: '/' } };

/** Renders gates as Argo reads them, checking what Argo cannot express. */
class GateRenderer {
  constructor(private readonly where: string, private readonly templates: AnalysisTemplate[]) {}

  /** A manual approval waits for `kubectl argo rollouts promote`; Argo has no timeout to roll back on. Returns `autoPromotionEnabled`. */
  public approval(prop: string, gate: StepGate): false {
    if (gate.timeout !== undefined) {
      fail(prop, gate.describe(),
        'Argo Rollouts\' pause has no timeout: a paused rollout waits for `kubectl argo rollouts promote` or `abort` however long it takes',
        'Use StepGate.manualApproval() without a timeout, or a StepGate.bake() or StepGate.analysis() gate that ends by itself.');
    }
    return false;
  }

  public analysis(prop: string, gate: StepGate): ArgoRolloutAnalysis {
    const template = this.template(prop, gate.analysisName!);
    template._bindGate(prop, gate.describe(), gate.duration!.toSeconds());
    return { templates: [{ templateName: template.templateName }] };
  }

  public step(prop: string, gate: StepGate): ArgoCanaryStep {
    switch (gate.kind) {
      case StepGateKind.BAKE:
        return { pause: { duration: argoDuration(gate.duration!.toSeconds()) } };
      case StepGateKind.MANUAL_APPROVAL:
        this.approval(prop, gate);
        return { pause: {} };
      case StepGateKind.ANALYSIS:
        return { analysis: this.analysis(prop, gate) };
    }
  }

  public template(prop: string, name: string): AnalysisTemplate {
    const found = this.templates.find(t => t.templateName === name);
    if (!found) {
      const passed = this.templates.length === 0 ? 'no analysisTemplates were passed'
        : `analysisTemplates has ${this.templates.map(t => `"${t.templateName}"`).join(', ')}`;
      fail(prop, name, `it names AnalysisTemplate "${name}", and ${passed}`,
        `Pass the AnalysisTemplate named "${name}" in ${this.where}'s analysisTemplates.`);
    }
    return found;
  }
}

/**
 * The canary's Argo steps, and for each step of the plan the index of the Argo step from which the
 * new version gets its traffic (the `setHeaderRoute` of a test phase, the `setWeight` of a step).
 */
function canarySteps(where: string, strategy: Strategy, gates: GateRenderer, testHeader: ArgoHeaderMatch | undefined):
{ steps: ArgoCanaryStep[]; trafficStarts: number[] } {
  const steps: ArgoCanaryStep[] = [];
  const trafficStarts: number[] = [];
  strategy.steps.forEach((step, i) => {
    if (step.weight === 0 && testHeader) {
      // The test phase: the canary runs at its first step's size (at 0% Argo would run none), the test route reaches it.
      steps.push({ setCanaryScale: { weight: strategy.steps[i + 1].weight } });
      trafficStarts.push(steps.length);
      steps.push({ setHeaderRoute: { name: TEST_ROUTE, match: [testHeader] } });
      if (step.gate) steps.push(gates.step(`${where}: strategy.testGate`, step.gate));
      steps.push({ setCanaryScale: { matchTrafficWeight: true } });
      return;
    }
    trafficStarts.push(steps.length);
    steps.push({ setWeight: step.weight });
    if (step.gate) steps.push(gates.step(`${where}: strategy.steps[${i}].gate`, step.gate));
  });
  return { steps, trafficStarts };
}

/**
 * A canary's test route as a `setHeaderRoute` condition: a header (exact or regular expression),
 * or a cookie as a regular expression on the `Cookie` header, as on an HTTPRoute. Argo's header
 * routes match headers only, so a query parameter is refused.
 */
function headerRouteMatch(prop: string, match: Match): ArgoHeaderMatch {
  if (match.kind === MatchKind.QUERY_PARAMETER) {
    fail(prop, match.describe(), `${CONTROLLER}' setHeaderRoute sends requests to the canary by their headers only, and this test route matches a query parameter`,
      'Use a header test route, such as Match.header("x-env", "qa"), or Match.cookie() (matched on the Cookie header).');
  }
  const header = httpRouteMatch(prop, match).headers![0];
  return { headerName: header.name, headerValue: header.type === 'Exact' ? { exact: header.value } : { regex: header.value } };
}

function analysisTemplates(prop: string, value: unknown, namespace: string | undefined): AnalysisTemplate[] {
  if (value === undefined) return [];
  const templates = arrayOf<AnalysisTemplate>(prop, value, 'Pass the AnalysisTemplates the strategy\'s analysis gates name.');
  const names = new Set<string>();
  templates.forEach((t, i) => {
    if (!(t instanceof AnalysisTemplate)) {
      fail(`${prop}[${i}]`, t, 'it must be an AnalysisTemplate', 'Create one with new AnalysisTemplate(chart, id, { name, metrics }).');
    }
    if (names.has(t.templateName)) {
      fail(`${prop}[${i}]`, t.templateName, 'two templates have this name, and Argo finds a template by name', 'Pass each template once, with distinct names.');
    }
    if (t.metadata.namespace !== namespace) {
      fail(`${prop}[${i}]`, t.templateName,
        `the template is in namespace ${t.metadata.namespace ?? '(the default)'}, and Argo looks for it in the rollout's namespace, ${namespace ?? '(the default)'}`,
        'Create the template in a chart with the rollout\'s namespace.');
    }
    names.add(t.templateName);
  });
  return templates;
}
