import { Duration } from 'aws-cdk-lib/core';
import { ApiObject, Chart, Lazy } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { FlaggerMetric } from './flagger-metric';
import { GatewayReference } from './http-route-rule';
import { MetricsSource } from './metrics-source';
import { RecordedMeasurement, variantMeasurements } from './private/experiment-metrics';
import {
  FLAGGER, flaggerAppName, flaggerCanaryObjects, flaggerMetrics, flaggerThreshold, loadTesterUrl, loadTesterWebhook,
} from './private/flagger-canary-object';
import { RenderedFlaggerChecks, renderFlaggerChecks, syncMetricTemplates } from './private/flagger-health-checks';
import { flaggerDuration, FlaggerAnalysisSpec, FlaggerMatch, FlaggerMetricCheck } from './private/flagger-types';
import { gatewayReference, httpRouteMatch, routeHostnames } from './private/gateway-match';
import { addHealthCheckTo } from './private/health-check-list';
import { MeasuredTarget, QueryContext } from './private/health-check-queries';
import { EXPERIMENT_ANNOTATION, RecordedK8sExperiment, recordK8sExperiment } from './private/plan-annotation';
import { containerPort, portNumber, replicaCount, revision as checkRevision } from './private/workload';
import { KubernetesRevision } from './revision';
import { Experiment } from '../core/experiment';
import { HealthCheck } from '../core/health-check';
import { Match } from '../core/match';
import { fail, struct, validDate, wholeSeconds } from '../core/private/validation';
import { registerGuardrailFacts } from '../guardrails/private/facts';
import { declaredOrder } from '../guardrails/private/readers';

/** Props for a `FlaggerExperiment`. */
export interface FlaggerExperimentProps {
  /**
   * The A/B test: exactly one variant, selected by a header, cookie or query parameter match (all
   * matching requests), or by a whole-percent weight alone (sticky with the experiment's
   * `stickiness`). Everyone else stays on the control, the primary Flagger runs.
   */
  readonly experiment: Experiment;

  /** The variant's pod template. Flagger runs it beside the primary, which runs the control. */
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
   * The number of pods of the control and of the variant.
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
   * How often Flagger runs the checks while the experiment runs.
   *
   * @default Duration.minutes(1)
   */
  readonly interval?: Duration;

  /**
   * How many failed checks end the experiment, sending everyone back to the control. With health
   * checks it is their `failingWindows` (the same for all of them), and a different value is refused.
   *
   * @default - the health checks' failingWindows; without health checks 1
   */
  readonly threshold?: number;

  /**
   * The checks Flagger runs on the variant at every interval.
   *
   * @default - none: Flagger only watches that the variant's pods become ready
   */
  readonly metrics?: FlaggerMetric[];

  /**
   * The base URL of Flagger's load tester, whose gates promote the variant (`gate/open`) or end the
   * experiment (`rollback/open`).
   *
   * @default - "http://flagger-loadtester.<the chart's namespace, or default>/"
   */
  readonly loadTester?: string;

  /**
   * The moment whose allocations are rendered: an experiment switched off, or past its end date at
   * this moment, sends everyone to the control. Pass a fixed date for reproducible manifests.
   *
   * @default - now, when the construct is created
   */
  readonly at?: Date;

  /**
   * The health checks that end the experiment when the variant fails them, replacing the
   * experiment's (`[]` for none). Each is measured on the variant through `metricsSource` and
   * rendered as a Flagger MetricTemplate (`<name>-<check>`), which the analysis runs at every
   * interval over the check's window: a window past its bound, or quieter than the check's
   * `minimumRequests` (Flagger has no "no verdict"), counts one failed check, and `failingWindows`
   * failed checks send everyone back to the control. Their `failingWindows` must be equal (one
   * `threshold`), and no window longer than `interval`. Add more with `addHealthCheck()`.
   *
   * @default - the experiment's health checks
   */
  readonly healthChecks?: HealthCheck[];

  /**
   * Where the health checks are measured: a Prometheus server in the data plane's dialect (the
   * chart then needs a namespace), or CloudWatch with its `region` and the target groups of the
   * variant and the control (by their names). The variant's and the control's queries are recorded
   * in the experiment annotation, so the plan command lists what measures each; only the variant's
   * checks act (the control is Flagger's primary, which an experiment never rolls back).
   *
   * @default - none; the experiment must then have no health checks (`healthChecks: []` drops the experiment's)
   */
  readonly metricsSource?: MetricsSource;
}

const DEFAULT_INTERVAL_SECONDS = 60;

/**
 * Runs an A/B test (`Experiment`) with Flagger (`flagger.app/v1beta1` Canary) on a Gateway API
 * HTTPRoute (provider `gatewayapi:v1`): the control is the primary Flagger runs, the one variant is
 * the revision given, in the Deployment (`Deployment`) the Canary (`Resource`) targets.
 *
 * - A variant with a match becomes Flagger's A/B test: `analysis.match` (a header exactly or by
 *   regular expression, a cookie as a regular expression on the `Cookie` header, a query parameter
 *   exactly) with `iterations: 1`: every matching request goes to the variant, everyone else to the
 *   control.
 * - A variant with a weight alone becomes a canary held at that weight (`stepWeights: [weight]`),
 *   with `sessionAffinity` when the experiment is sticky: a user sent to the variant gets a cookie
 *   that keeps them there for `stickiness`.
 *
 * Flagger runs the checks at every interval; `threshold` failed checks end the experiment and send
 * everyone to the control. An experiment never promotes its variant by itself: a
 * `confirm-promotion` webhook to the load tester's `gate/check` holds it, and a `rollback` webhook
 * to `rollback/check` lets a person end it. Open one with
 * `curl -d '{"name": "<name>", "namespace": "<namespace>"}' <load tester>/gate/open` (promote the
 * variant) or `.../rollback/open` (everyone back to the control).
 *
 * Health checks (the experiment's, or `healthChecks`) become MetricTemplates (`MetricTemplate-<check>`,
 * named `<name>-<check>`) measured on the variant through `metricsSource`, with the same queries
 * as `ArgoRollout`'s and `GatewayExperiment`'s, and analysis `metrics` referencing them
 * (`thresholdRange.max` the check's bound, `interval` its window, the analysis `threshold` its
 * `failingWindows`). The variant's pods are Flagger's canary (`app.kubernetes.io/name: <name>`,
 * Service `<name>-canary`), the control's its primary (Service `<name>-primary`); the Envoy Gateway
 * dialect cannot tell them apart, since Flagger's HTTPRoute rules hold both Services.
 *
 * An experiment switched off, or past its end date at `at`, renders its `rollback` webhook to the
 * load tester's `gate/approve`, which always answers yes: Flagger ends it at its next check and
 * sends everyone to the control. The Canary's `cdk-deploy-strategies.dev/experiment` annotation
 * records whether the experiment is active, why not, and its allocation table.
 *
 * @example
 * new k8s.FlaggerExperiment(chart, 'checkout', {
 *   experiment: new Experiment({
 *     name: 'one-click',
 *     variants: [{ name: 'one-click', match: Match.cookie('beta', 'true') }],
 *     endDate: new Date('2027-12-31T00:00:00Z'),
 *   }),
 *   revision: { containers: [{ image: 'registry.example.com/checkout:2.0.0-one-click', portNumber: 8080 }] },
 *   gateway: { name: 'public-gateway', namespace: 'gateways' },
 *   metrics: [k8s.FlaggerMetric.requestSuccessRate({ minPercent: 99 })],
 * });
 */
export class FlaggerExperiment extends Construct {
  /** The annotation under which the Canary records whether the experiment is active, why not, and its allocation table (JSON). */
  public static readonly ANNOTATION = EXPERIMENT_ANNOTATION;

  /** The experiment rendered. */
  public readonly experiment: Experiment;
  /** Whether the experiment runs at the moment rendered; false sends everyone to the control. */
  public readonly active: boolean;
  /** The application's name (`app.kubernetes.io/name`, the Deployment's and the Canary's name). */
  public readonly appName: string;
  /** The Canary. */
  public readonly canary: ApiObject;
  /** The Deployment of the variant, which Flagger runs beside the primary. */
  public readonly deployment: kplus.Deployment;
  /** The metrics source the health checks are measured through, if any. */
  public readonly metricsSource?: MetricsSource;

  private readonly where: string;
  private readonly checks: HealthCheck[];
  private readonly renderChecks: () => RenderedFlaggerChecks;
  private readonly record: () => void;
  private rendered: RenderedFlaggerChecks = { templates: [], metrics: [] };

  constructor(scope: Construct, id: string, props: FlaggerExperimentProps) {
    super(scope, id);
    const where = `FlaggerExperiment ${this.node.path}`;
    struct(`${where}: props`, props, 'Pass { experiment, revision, gateway }.');
    if (!(props.experiment instanceof Experiment)) {
      fail(`${where}: experiment`, props.experiment, 'it must be an Experiment', 'Pass new Experiment({ name, variants }).');
    }
    const experiment = props.experiment;
    this.appName = flaggerAppName(props.name === undefined ? `${where}: name (the construct id, by default)` : `${where}: name`, props.name ?? id, 'checkout');
    const revision = checkRevision(`${where}: revision`, props.revision);
    const targetPort = containerPort(`${where}: revision`, revision);
    const replicas = props.replicas === undefined ? 2 : replicaCount(`${where}: replicas`, props.replicas, 1);
    const port = props.port === undefined ? 80 : portNumber(`${where}: port`, props.port);
    const gateway = gatewayReference(`${where}: gateway`, props.gateway);
    const hostnames = routeHostnames(`${where}: hostnames`, props.hostnames);
    const interval = props.interval === undefined ? DEFAULT_INTERVAL_SECONDS : wholeSeconds(`${where}: interval`, props.interval, {
      minSeconds: 1, fix: 'Use at least Duration.seconds(1), such as Duration.minutes(1).',
    });
    const threshold = props.threshold === undefined ? undefined : flaggerThreshold(`${where}: threshold`, props.threshold);
    const metrics = props.metrics === undefined ? [] : flaggerMetrics(`${where}: metrics`, props.metrics);
    const loadTester = loadTesterUrl(`${where}: loadTester`, props.loadTester, Chart.of(this).namespace);
    const at = props.at === undefined ? new Date() : validDate(`${where}: at`, props.at, 'Pass the moment to render, such as new Date("2027-01-01T00:00:00Z"), or leave it out for now.');
    const checks = props.healthChecks === undefined ? [...experiment.healthChecks]
      : HealthCheck._requireList(`${where}: healthChecks`, props.healthChecks);
    const checkProps = new Map(checks.map((check, i) => [check, props.healthChecks === undefined
      ? `${where}: experiment "${experiment.name}" healthChecks[${i}]` : `${where}: healthChecks[${i}]`]));
    this.metricsSource = props.metricsSource === undefined ? undefined : MetricsSource._require(`${where}: metricsSource`, props.metricsSource);
    const namespace = Chart.of(this).namespace;

    const prefix = `${where}: experiment "${experiment.name}"`;
    if (experiment.variants.length !== 1) {
      fail(`${prefix} variants`, experiment.variants.map(v => v.name).join(', '),
        `Flagger runs one new version beside the primary (fluxcd/flagger issue #456), so its A/B test has one variant, and the experiment has ${experiment.variants.length}`,
        'Run one experiment per variant, each with its own FlaggerExperiment, or use GatewayExperiment, which routes to a Service per variant.');
    }
    const variant = experiment.variants[0];
    let routing: Pick<FlaggerAnalysisSpec, 'match' | 'iterations' | 'stepWeights' | 'sessionAffinity'>;
    if (variant.match) {
      if (variant.weight! < 100) {
        fail(`${prefix} variants[0].weight`, variant.weight,
          'Flagger\'s A/B test sends every request its match selects to the variant; it cannot split them by weight',
          'Leave the weight out (all matching requests), or use GatewayExperiment, which splits matching requests by weight.');
      }
      routing = { match: [flaggerMatch(`${prefix} variants[0].match`, variant.match)], iterations: 1 };
    } else {
      if (!Number.isInteger(variant.weight)) {
        fail(`${prefix} variants[0].weight`, variant.weight, 'Flagger\'s weights are whole percentages',
          `Use ${Math.max(1, Math.floor(variant.weight!))} or ${Math.ceil(variant.weight!)}.`);
      }
      const stickiness = experiment.stickiness?.toSeconds();
      routing = {
        stepWeights: [variant.weight!],
        sessionAffinity: stickiness === undefined ? undefined : { cookieName: `flagger-${experiment.name}`, maxAge: stickiness },
      };
    }

    const reason = experiment.inactiveReason(at);
    this.experiment = experiment;
    this.active = reason === undefined;
    this.where = where;
    this.checks = checks;
    const appName = this.appName;
    const variantTarget: MeasuredTarget = {
      description: `variant "${variant.name}" (Flagger's canary, Deployment ${appName})`,
      role: variant.name,
      namespace: namespace ?? '',
      app: appName,
      version: revision.version,
      service: `${appName}-canary`,
      noRouteRule: `Flagger writes the HTTPRoute ${appName} itself, with the primary and canary Services in each rule`,
    };
    // The primary runs whichever revision was promoted last: its version is not known here, its Service is.
    const controlTarget: MeasuredTarget = {
      description: `the control "${experiment.control}" (Flagger's primary, Service ${appName}-primary)`,
      role: experiment.control,
      namespace: namespace ?? '',
      service: `${appName}-primary`,
      noRouteRule: variantTarget.noRouteRule,
    };
    const ctx: QueryContext = { where, checkProp: check => checkProps.get(check) ?? `${where}: addHealthCheck (${check.name})` };
    const builtin = metrics.map(m => m._render());
    let measurement: RecordedMeasurement | undefined;
    this.renderChecks = () => {
      const rendered = renderFlaggerChecks({
        where,
        subject: 'experiment',
        appName,
        namespace,
        source: this.metricsSource,
        checks: this.checks,
        ctx,
        target: variantTarget,
        intervalSeconds: interval,
        intervalSource: `${where}: interval`,
        threshold,
        builtinNames: builtin.map(m => m.name),
      });
      // The variant's and the control's queries, recorded for the plan command (the variant's must be measurable, as its checks act).
      measurement = this.metricsSource && variantMeasurements(this.metricsSource, this.checks, [
        { variant: variant.name, target: variantTarget, required: true },
        { variant: experiment.control, target: controlTarget, required: false },
      ], ctx, `${where}: metricsSource`);
      return rendered;
    };
    this.rendered = this.renderChecks();
    const analysis: FlaggerAnalysisSpec = {
      interval: flaggerDuration(interval),
      threshold: Lazy.any({ produce: () => this.rendered.threshold ?? threshold ?? 1 }) as unknown as number,
      ...routing,
      metrics: Lazy.any({
        produce: () => {
          const all = [...builtin, ...this.rendered.metrics];
          return all.length === 0 ? undefined : all;
        },
      }) as unknown as FlaggerMetricCheck[],
      webhooks: [
        loadTesterWebhook('promote-variant', 'confirm-promotion', loadTester, 'gate/check'),
        // Inactive: a rollback gate that always answers yes ends the experiment at Flagger's next check.
        loadTesterWebhook('end-experiment', 'rollback', loadTester, this.active ? 'rollback/check' : 'gate/approve'),
      ],
    };
    const objects = flaggerCanaryObjects(this, { where, appName: this.appName, revision, replicas, port, targetPort, gateway, hostnames, analysis });
    this.deployment = objects.deployment;
    this.canary = objects.canary;
    syncMetricTemplates(this, appName, () => this.rendered);
    this.record = () => {
      const measured = (name: string) => (measurement?.variants[name] ? this.checks.map(c => c.name) : []);
      const recorded: RecordedK8sExperiment = {
        path: this.node.path,
        active: this.active,
        reason,
        table: experiment.toTable(at),
        watchedBy: measurement && Object.fromEntries([experiment.control, variant.name].map(v => [v, measured(v)])),
        measurement,
      };
      recordK8sExperiment(this.canary, recorded, limit => fail(`${where}: healthChecks`, this.checks.length,
        `the variant's and the control's queries make ${limit}`, 'Measure the variant with fewer health checks.'));
    };
    this.record();
    registerGuardrailFacts(this, {
      platform: 'k8s',
      backend: FLAGGER,
      experiment,
      evaluationOrder: declaredOrder(experiment),
      // What the analysis measures: the control is recorded, but only the variant's checks act.
      healthChecks: () => (this.rendered.templates.length === 0 ? [] : this.checks.map(c => c.name)),
    });
  }

  /** The MetricTemplates rendered from the health checks (none without health checks). */
  public get healthCheckTemplates(): ApiObject[] {
    return this.rendered.templates.map(t => this.node.findChild(t.id) as ApiObject);
  }

  /**
   * Adds a health check that ends the experiment when the variant fails it, measured through
   * `metricsSource` like the others, as a MetricTemplate of its own; the experiment annotation lists it.
   */
  public addHealthCheck(check: HealthCheck): void {
    const prop = `${this.where}: addHealthCheck`;
    HealthCheck._requireAddable(prop, check, this.checks, 'experiment', 'MetricTemplate', 'HealthCheck.errorRate() or HealthCheck.latency()');
    addHealthCheckTo(this.checks, check, () => {
      this.rendered = this.renderChecks();
      this.record();
    });
    syncMetricTemplates(this, this.appName, () => this.rendered);
  }

  /** The Canary's name, for `kubectl describe canary <name>`. */
  public get canaryName(): string {
    return this.canary.name;
  }
}

/** A core match as one match of Flagger's A/B test, checked against the HTTPRoute limits Flagger's router writes it into. */
function flaggerMatch(prop: string, match: Match): FlaggerMatch {
  const route = httpRouteMatch(prop, match);
  const entries = (list: Array<{ type: string; name: string; value: string }> | undefined) => list && Object.fromEntries(list.map(c =>
    [c.name, c.type === 'Exact' ? { exact: c.value } : { regex: c.value }]));
  return { headers: entries(route.headers), queryParams: entries(route.queryParams) };
}
