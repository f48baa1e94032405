import { ApiObject } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { KubernetesRevision } from './revision';
import { PlanStep } from '../core/plan-options';
import { recordK8sPlan } from './private/plan-annotation';
import { replicaRatioPlan, weightTolerance } from './private/replica-ratio';
import {
  claimPods, containerPort, exampleName, labelService, NAME_LABEL, portNumber, replicaCount, revision, revisionDeployment,
} from './private/workload';
import { currentStep, registerStepRollout } from '../core/private/step';
import { dnsLabel, fail, struct } from '../core/private/validation';
import { Strategy, TrafficPlan } from '../core/strategy';
import { StrategyKind } from '../core/strategy-kind';
import { registerGuardrailFacts } from '../guardrails/private/facts';

const CONTROLLER = 'plain Kubernetes';
const DEFAULT_REPLICAS = 10;
const DEFAULT_PORT = 80;

/** Props for a `PlainCanary`. */
export interface PlainCanaryProps {
  /**
   * How the candidate is released: a canary or linear strategy. A blue-green strategy switches
   * between two full environments: use `PlainBlueGreen` for it. `Strategy.ALL_AT_ONCE` is refused:
   * every stable pod would go at once and requests would fail until the candidate's are ready.
   *
   * A step changes both Deployments at once, and Kubernetes removes stable pods without waiting
   * for the candidate's to be ready, so capacity dips briefly while they start.
   */
  readonly strategy: Strategy;

  /**
   * The application name, the value of the `app.kubernetes.io/name` label that the pods of both
   * revisions carry and the Service selects by.
   *
   * @default - the construct id, which must then be a DNS label
   */
  readonly name?: string;

  /** The revision that runs now. */
  readonly stable: KubernetesRevision;

  /**
   * The revision being released. Its first container must serve on the stable revision's port,
   * since one Service spans both.
   *
   * @default - none: every replica runs the stable revision and there is no Canary Deployment
   */
  readonly candidate?: KubernetesRevision;

  /**
   * Replicas of both revisions together. The Service spreads requests evenly over ready pods, so
   * the candidate's share of traffic is its share of the replicas.
   *
   * @default 10
   */
  readonly replicas?: number;

  /**
   * How far, in percentage points, the replica split may land from a step's weight. A step that
   * cannot come this close with whole replicas fails, naming the replica count that would.
   *
   * @default 5
   */
  readonly weightTolerance?: number;

  /**
   * The port of the Service, which forwards to the first container's port.
   *
   * @default 80
   */
  readonly port?: number;

  /**
   * The plan step to render, numbered from 1 as in the plan's table (`plan.toTable()`). Only
   * meaningful with a candidate; without one a context step is ignored and this prop is refused.
   *
   * @default - the cdk8s context value `<construct path>:step` (set with `app.node.setContext()`), else step 1
   */
  readonly step?: number;
}

/**
 * A canary on plain Kubernetes, without a rollout controller: the traffic split follows the
 * replica split. A `Stable` and a `Canary` Deployment (roles `stable` and `canary`) share the
 * application's name label, and one `Service` selects that label alone, so it spans both; each
 * step of the plan sets how many of `replicas` run the candidate. Weights are approximated by whole
 * replicas within `weightTolerance`; use `GatewayRollout` for exact weights.
 *
 * Plain Kubernetes cannot progress a release by itself, so each step is one commit (or one
 * pipeline run) that renders it, and the strategy's gates are the pipeline's to hold between
 * commits. A rollback is the commit of an earlier step, or dropping the candidate. The plan and the
 * rendered step are recorded on the Service (`cdk-deploy-strategies.dev/plan` annotation).
 *
 * Promotion workflow, once the last step runs every replica as the candidate:
 * 1. Set `stable` to the candidate's revision. The Stable Deployment has no replicas at the last
 *    step, so this changes no pod, and traffic stays on the Canary Deployment.
 * 2. Drop `candidate`: the Stable Deployment scales back to `replicas` and the Canary Deployment
 *    goes. Kubernetes does not wait for one before the other, so apply this commit so that the
 *    Canary Deployment is deleted only once the Stable one is ready (Argo CD's `PruneLast=true`
 *    sync option, or `kubectl apply` and `kubectl rollout status` before pruning).
 *
 * Plain Services select pods by label only, so a strategy with a test route is refused: use
 * `GatewayRollout` or `ArgoRollout` for it.
 *
 * @example
 * new k8s.PlainCanary(chart, 'web', {
 *   strategy: Strategy.canary({ steps: [
 *     { weight: 10, gate: StepGate.bake(Duration.minutes(10)) },
 *     { weight: 50, gate: StepGate.manualApproval() },
 *   ] }),
 *   stable: { containers: [{ image: 'ghcr.io/example/web:1.0.0', portNumber: 8080 }], version: '1.0.0' },
 *   candidate: { containers: [{ image: 'ghcr.io/example/web:1.1.0', portNumber: 8080 }], version: '1.1.0' },
 *   replicas: 10,
 *   step: 1,
 * });
 */
export class PlainCanary extends Construct {
  /** The application name: the `app.kubernetes.io/name` label of every pod. */
  public readonly appName: string;
  /** The traffic plan of the release, in whole replicas. */
  public readonly plan: TrafficPlan;
  /** The step rendered; undefined without a candidate, when nothing is being released. */
  public readonly step?: PlanStep;
  /** The Deployment of the stable revision. */
  public readonly stableDeployment: kplus.Deployment;
  /** The Deployment of the candidate, when there is one. */
  public readonly canaryDeployment?: kplus.Deployment;
  /** The Service over both Deployments' pods. */
  public readonly service: kplus.Service;

  constructor(scope: Construct, id: string, props: PlainCanaryProps) {
    super(scope, id);
    const where = `PlainCanary ${this.node.path}`;
    struct(`${where}: props`, props, 'Pass { strategy, stable: { containers: [{ image: "registry/app:1.2.3", portNumber: 8080 }] } }.');
    const strategy = canaryStrategy(where, props.strategy);
    this.appName = props.name === undefined
      ? dnsLabel(`${where}: name (the construct id, by default)`, id, exampleName(id))
      : dnsLabel(`${where}: name`, props.name, exampleName(props.name));
    const stable = revision(`${where}: stable`, props.stable);
    const candidate = props.candidate === undefined ? undefined : revision(`${where}: candidate`, props.candidate);
    const replicas = props.replicas === undefined ? DEFAULT_REPLICAS : replicaCount(`${where}: replicas`, props.replicas, 2);
    const tolerance = weightTolerance(`${where}: weightTolerance`, props.weightTolerance);
    const port = portNumber(`${where}: port`, props.port ?? DEFAULT_PORT);
    const targetPort = containerPort(`${where}: stable`, stable);
    if (candidate !== undefined) {
      const candidatePort = containerPort(`${where}: candidate`, candidate);
      if (candidatePort !== targetPort) {
        fail(`${where}: candidate.containers[0].portNumber`, candidatePort,
          `one Service spans both revisions, so the candidate must serve on the stable revision's port (${targetPort})`,
          `Serve the candidate on port ${targetPort}, or release the port change with PlainBlueGreen, whose Services follow their slot.`);
      }
    }
    // Checked even without a candidate, so a strategy that cannot be approximated fails before the release.
    this.plan = replicaRatioPlan(`${where}: replicas`, CONTROLLER, strategy, replicas, tolerance, 'GatewayRollout for exact weights');

    if (candidate === undefined && props.step !== undefined) {
      fail(`${where}: step`, props.step, 'there is no candidate, so no step of the plan applies',
        'Add the candidate revision to release, or leave step out.');
    }
    // Without a candidate nothing is being released: a context step left by the pipeline does not
    // apply, but the key still names this rollout.
    this.step = candidate === undefined ? undefined : currentStep(this, where, props.step, this.plan);
    if (candidate === undefined) registerStepRollout(this);
    const candidateReplicas = this.step?.candidateReplicas ?? 0;

    // The Service selects the name label alone, so it claims every pod of that name.
    claimPods(this, where, this.appName);
    this.stableDeployment = revisionDeployment(this, 'Stable', {
      where, appName: this.appName, role: 'stable', revision: stable, replicas: replicas - candidateReplicas,
    });
    this.canaryDeployment = candidate && revisionDeployment(this, 'Canary', {
      where, appName: this.appName, role: 'canary', revision: candidate, replicas: candidateReplicas,
    });
    // The name label alone, so the Service spreads requests over the pods of both revisions.
    this.service = labelService(this, 'Service', { [NAME_LABEL]: this.appName }, port, targetPort);

    recordK8sPlan(where, this, ApiObject.of(this.service), this.plan, CONTROLLER, this.step?.index);
    // Without a candidate nothing is being released: only the stable revision serves.
    // Nothing measures the replicas: the strategy's health checks, if any, are declared but not rendered (CDS-R8 says so).
    registerGuardrailFacts(this, { platform: 'k8s', backend: CONTROLLER, plan: candidate && this.plan, healthChecks: () => [] });
  }
}

function canaryStrategy(where: string, strategy: unknown): Strategy {
  if (!(strategy instanceof Strategy)) {
    fail(`${where}: strategy`, strategy, 'a release needs a Strategy', 'Pass a Strategy, for example Strategy.CANARY_10PERCENT_5MINUTES.');
  }
  if (strategy.testRoute) {
    fail(`${where}: strategy`, strategy.describe(),
      `plain Kubernetes Services select pods by label only, so they cannot route by header, cookie or query parameter (test route ${strategy.testRoute.describe()})`,
      'Remove the test route and test the candidate through the Preview Service of a PlainBlueGreen, or use GatewayRollout or ArgoRollout for a test route.');
  }
  if (strategy.kind === StrategyKind.BLUE_GREEN) {
    fail(`${where}: strategy`, strategy.describe(), 'PlainCanary splits traffic by replica count, and blue-green runs two full environments with one switch',
      'Use PlainBlueGreen for a blue-green release, or a canary strategy such as Strategy.CANARY_10PERCENT_5MINUTES.');
  }
  if (strategy.kind === StrategyKind.ALL_AT_ONCE) {
    fail(`${where}: strategy`, strategy.describe(),
      'plain Kubernetes would scale every stable pod away in the same commit that starts the candidate\'s, and does not wait for them to be ready',
      'Update the stable revision instead (a Deployment rolling update keeps pods serving), or use a canary such as Strategy.CANARY_10PERCENT_5MINUTES.');
  }
  return strategy;
}
