import { Duration } from 'aws-cdk-lib';
import { ApiObject, Chart } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { FlaggerMetric } from './flagger-metric';
import { GatewayReference } from './http-route-rule';
import {
  FLAGGER, flaggerAppName, flaggerCanaryObjects, flaggerMetrics, flaggerThreshold, loadTesterUrl, loadTesterWebhook,
} from './private/flagger-canary-object';
import { flaggerDuration, FlaggerAnalysisSpec, FlaggerMatch } from './private/flagger-types';
import { gatewayReference, httpRouteMatch, routeHostnames } from './private/gateway-match';
import { EXPERIMENT_ANNOTATION } from './private/plan-annotation';
import { containerPort, portNumber, replicaCount, revision as checkRevision } from './private/workload';
import { KubernetesRevision } from './revision';
import { Experiment } from '../core/experiment';
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
   * How many failed checks end the experiment, sending everyone back to the control.
   *
   * @default 1
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
}

/** What the experiment annotation holds, as JSON. */
interface RecordedExperiment {
  /** The experiment construct's path, which readers title it by. */
  readonly path: string;
  readonly active: boolean;
  readonly reason?: string;
  readonly table: string;
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
    const threshold = flaggerThreshold(`${where}: threshold`, props.threshold);
    const metrics = props.metrics === undefined ? [] : flaggerMetrics(`${where}: metrics`, props.metrics);
    const loadTester = loadTesterUrl(`${where}: loadTester`, props.loadTester, Chart.of(this).namespace);
    const at = props.at === undefined ? new Date() : validDate(`${where}: at`, props.at, 'Pass the moment to render, such as new Date("2027-01-01T00:00:00Z"), or leave it out for now.');

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
    const analysis: FlaggerAnalysisSpec = {
      interval: flaggerDuration(interval),
      threshold,
      ...routing,
      metrics: metrics.length === 0 ? undefined : metrics.map(m => m._render()),
      webhooks: [
        loadTesterWebhook('promote-variant', 'confirm-promotion', loadTester, 'gate/check'),
        // Inactive: a rollback gate that always answers yes ends the experiment at Flagger's next check.
        loadTesterWebhook('end-experiment', 'rollback', loadTester, this.active ? 'rollback/check' : 'gate/approve'),
      ],
    };
    const objects = flaggerCanaryObjects(this, { where, appName: this.appName, revision, replicas, port, targetPort, gateway, hostnames, analysis });
    this.deployment = objects.deployment;
    this.canary = objects.canary;
    const recorded: RecordedExperiment = { path: this.node.path, active: this.active, reason, table: experiment.toTable(at) };
    this.canary.metadata.addAnnotation(FlaggerExperiment.ANNOTATION, JSON.stringify(recorded));
    registerGuardrailFacts(this, { platform: 'k8s', backend: FLAGGER, experiment, evaluationOrder: declaredOrder(experiment) });
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
