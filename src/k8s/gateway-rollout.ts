import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { HttpRoute } from './http-route';
import { GatewayReference, HttpBackendRef, HttpRouteRule } from './http-route-rule';
import { gatewayReference, httpRouteMatch, routeHostnames } from './private/gateway-match';
import { describeRouteOwner } from './private/gateway-routes';
import { KubernetesRevision } from './revision';
import { CapacityMode, PlanStep } from '../core/plan-options';
import { recordK8sPlan } from './private/plan-annotation';
import {
  claimPods, containerPort, labelService, NAME_LABEL, portNumber, replicaCount, revision, revisionDeployment, ROLE_LABEL,
} from './private/workload';
import { currentStep } from '../core/private/step';
import { dnsLabel, fail, struct } from '../core/private/validation';
import { Strategy, TrafficPlan } from '../core/strategy';
import { StrategyKind } from '../core/strategy-kind';
import { registerGuardrailFacts } from '../guardrails/private/facts';
import { unrestrictedRoute } from '../guardrails/private/readers';

/** Props for a `GatewayRollout`. */
export interface GatewayRolloutProps {
  /**
   * How traffic moves from the stable revision to the candidate: a canary, linear or blue-green
   * strategy. Each step is rendered as exact weights on the route; a test route becomes
   * a rule of its own. `Strategy.ALL_AT_ONCE` is refused: the commit that adds the candidate would
   * send it every request while its pods are still starting.
   */
  readonly strategy: Strategy;

  /** The Gateway (or one of its listeners) the route attaches to. You manage the Gateway. */
  readonly gateway: GatewayReference;

  /**
   * The application name: the value of the `app.kubernetes.io/name` label of every object.
   *
   * @default - the construct id, which must then be a DNS label
   */
  readonly name?: string;

  /** The revision serving traffic now. */
  readonly stable: KubernetesRevision;

  /**
   * The revision being rolled out. Without it only the stable revision runs and receives all
   * traffic, and a test route is not rendered.
   *
   * @default - no rollout in progress
   */
  readonly candidate?: KubernetesRevision;

  /**
   * Replicas of each revision. Both run at full size while traffic moves, so a rollback is a
   * weight change.
   *
   * @default 2
   */
  readonly replicas?: number;

  /**
   * The port of the two Services the route sends to. Each forwards to its revision's first
   * container port.
   *
   * @default 80
   */
  readonly port?: number;

  /**
   * Host names the route serves.
   *
   * @default - every host name the Gateway listener accepts
   */
  readonly hostnames?: string[];

  /**
   * The step of the plan to render, from 1, as numbered in the plan's table. Refused without a
   * candidate, when no step applies.
   *
   * @default - the context value `<construct path>:step` (set with `app.node.setContext()`), else step 1
   */
  readonly step?: number;
}

/**
 * Releases an application through a Gateway API `HTTPRoute` attached to a Gateway you name: a
 * canary, linear or blue-green strategy with exact weights, whatever the replica count.
 *
 * It renders two Deployments, `Stable` and `Canary`, each at full `replicas`, a Service over each
 * (`StableService`, `CanaryService`) and the route (`Route`). The route has one rule splitting
 * traffic by the weights of the current step, in tenths of a percent (87.5% and 12.5% are 875 and
 * 125), and, when the strategy has a test route (blue-green's, or a canary's or linear strategy's),
 * a rule before it that sends the requests it matches to the canary at every step. The plan is
 * recorded on the route (`cdk-deploy-strategies.dev/plan`).
 *
 * A route holds weights, not a timeline, so a pipeline advances the rollout one step per commit:
 * set `step`, or the context key `<construct path>:step` with `app.node.setContext()` before the
 * chart is built, and hold each step's gate (bake time, approval, analysis) before rendering the
 * next one.
 *
 * The first step's weight reaches the candidate in the same apply that starts its pods, and the
 * Gateway does not wait for them to be ready: give a canary a small first weight, or a test route
 * (its step 1, the test phase, sends the candidate only the requests the route matches), or start
 * a blue-green release at step 1, which sends the candidate nothing until the switch.
 *
 * Promotion takes two commits once the last step sends everything to the canary: first set
 * `stable` to the new revision (the stable pods roll to it while they receive no traffic), then
 * remove `candidate`, which deletes the canary and sends everything back to the stable Service.
 * Kubernetes does not order the changes of one apply, so apply the second commit so that the
 * Canary Deployment is deleted only once the Stable one is ready and the route no longer sends to
 * it (Argo CD's `PruneLast=true` sync option, or `kubectl apply`, then `kubectl rollout status` on
 * the Stable Deployment, before pruning).
 *
 * Without a candidate nothing is rolling out: the route sends all traffic to the stable Service
 * and the strategy's test route is not rendered.
 *
 * @example
 * new k8s.GatewayRollout(chart, 'checkout', {
 *   strategy: Strategy.canary({
 *     steps: [
 *       { weight: 12.5, gate: StepGate.bake(Duration.minutes(10)) },
 *       { weight: 50, gate: StepGate.manualApproval() },
 *     ],
 *   }),
 *   gateway: { name: 'public', namespace: 'gateways' },
 *   hostnames: ['shop.example.com'],
 *   stable: { containers: [{ image: 'registry.example.com/checkout:1.4.2', portNumber: 8080 }], version: '1.4.2' },
 *   candidate: { containers: [{ image: 'registry.example.com/checkout:1.5.0', portNumber: 8080 }], version: '1.5.0' },
 *   step: 2,
 * });
 */
export class GatewayRollout extends Construct {
  /** The application name (`app.kubernetes.io/name`). */
  public readonly appName: string;
  /** The traffic plan the route follows, one step per render. */
  public readonly plan: TrafficPlan;
  /**
   * The step of the plan the route renders.
   *
   * @default - undefined without a candidate: all traffic goes to the stable revision
   */
  public readonly step?: PlanStep;
  /** The Deployment of the stable revision. */
  public readonly stableDeployment: kplus.Deployment;
  /** The Service over the stable revision's pods. */
  public readonly stableService: kplus.Service;
  /**
   * The Deployment of the candidate.
   *
   * @default - undefined without a candidate
   */
  public readonly canaryDeployment?: kplus.Deployment;
  /**
   * The Service over the candidate's pods.
   *
   * @default - undefined without a candidate
   */
  public readonly canaryService?: kplus.Service;
  /** The HTTPRoute that splits traffic between the two Services. */
  public readonly route: HttpRoute;

  constructor(scope: Construct, id: string, props: GatewayRolloutProps) {
    super(scope, id);
    const where = `GatewayRollout ${this.node.path}`;
    struct(`${where}: props`, props, 'Pass { strategy, gateway, stable }.');
    if (!(props.strategy instanceof Strategy)) {
      fail(`${where}: strategy`, props.strategy, 'a rollout needs a Strategy', 'Pass a Strategy, for example Strategy.CANARY_10PERCENT_5MINUTES.');
    }
    const strategy = props.strategy;
    if (strategy.kind === StrategyKind.ALL_AT_ONCE) {
      fail(`${where}: strategy`, strategy.describe(),
        'the route would send every request to the candidate in the same commit that starts its pods, and the Gateway does not wait for them to be ready',
        'Use a canary with a small first weight, such as Strategy.CANARY_10PERCENT_5MINUTES, or Strategy.BLUE_GREEN, whose first step sends the candidate nothing.');
    }
    const gateway = gatewayReference(`${where}: gateway`, props.gateway);
    this.appName = props.name === undefined ? dnsLabel(`${where}: name (the construct id, by default)`, id, 'checkout')
      : dnsLabel(`${where}: name`, props.name, 'checkout');
    const stable = revision(`${where}: stable`, props.stable);
    const candidate = props.candidate === undefined ? undefined : revision(`${where}: candidate`, props.candidate);
    const replicas = props.replicas === undefined ? 2 : replicaCount(`${where}: replicas`, props.replicas, 1);
    const port = props.port === undefined ? 80 : portNumber(`${where}: port`, props.port);
    const hostnames = routeHostnames(`${where}: hostnames`, props.hostnames);
    const stablePort = containerPort(`${where}: stable`, stable);
    const candidatePort = candidate && containerPort(`${where}: candidate`, candidate);
    const testMatch = strategy.testRoute && httpRouteMatch(`${where}: strategy.testRoute`, strategy.testRoute);

    // Both revisions run at full size behind their own Service: the route moves traffic, not replicas.
    this.plan = strategy.plan({ capacity: CapacityMode.FULL_COPY, replicas });
    if (candidate === undefined && props.step !== undefined) {
      fail(`${where}: step`, props.step, 'there is no candidate, so no step of the plan applies',
        'Add the candidate revision to release, or leave step out.');
    }
    // Checked even without a candidate, so a wrong context step fails now rather than when the next rollout starts.
    const step = currentStep(this, where, props.step, this.plan);

    // The canary role too, even without a candidate, so a clash fails before a release starts.
    claimPods(this, where, this.appName, 'canary');
    this.stableDeployment = revisionDeployment(this, 'Stable', { where, appName: this.appName, role: 'stable', revision: stable, replicas });
    this.stableService = labelService(this, 'StableService', { [NAME_LABEL]: this.appName, [ROLE_LABEL]: 'stable' }, port, stablePort);
    const rules: HttpRouteRule[] = [];
    if (candidate) {
      this.step = step;
      this.canaryDeployment = revisionDeployment(this, 'Canary', { where, appName: this.appName, role: 'canary', revision: candidate, replicas });
      this.canaryService = labelService(this, 'CanaryService', { [NAME_LABEL]: this.appName, [ROLE_LABEL]: 'canary' }, port, candidatePort!);
      const canaryRef: HttpBackendRef = { name: this.canaryService.name, port };
      // Listed first for readers; a rule with a match takes precedence over one without, whatever the order.
      if (testMatch) rules.push({ matches: [testMatch], backendRefs: [canaryRef] });
      // Tenths of a percent, so 12.5% is exact. The zero-weight backend stays listed, so every step has the same shape.
      rules.push({
        backendRefs: [
          { name: this.stableService.name, port, weight: Math.round(step.stableWeight * 10) },
          { ...canaryRef, weight: Math.round(step.candidateWeight * 10) },
        ],
      });
    } else {
      rules.push({ backendRefs: [{ name: this.stableService.name, port }] });
    }

    this.route = new HttpRoute(this, 'Route', {
      metadata: { labels: { [NAME_LABEL]: this.appName } },
      parentRefs: [gateway],
      hostnames,
      rules,
    });
    describeRouteOwner(this.route, where);
    recordK8sPlan(where, this, this.route, this.plan, 'Gateway API', this.step?.index);
    // Without a candidate nothing is being released: only the stable revision serves.
    registerGuardrailFacts(this, {
      platform: 'k8s',
      backend: 'Gateway API',
      plan: candidate && this.plan,
      testRoute: candidate && unrestrictedRoute(strategy),
      // A route without a controller measures nothing: the strategy's health checks are declared but not rendered (CDS-R8 says so).
      healthChecks: () => [],
    });
  }
}
