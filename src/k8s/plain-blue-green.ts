import { ApiObject } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { KubernetesRevision, Slot } from './revision';
import { CapacityMode, PlanStep } from '../core/plan-options';
import { recordK8sPlan } from './private/plan-annotation';
import {
  claimPods, containerPort, exampleName, labelService, NAME_LABEL, portNumber, replicaCount, revision, revisionDeployment, ROLE_LABEL,
} from './private/workload';
import { currentStep, registerStepRollout } from '../core/private/step';
import { dnsLabel, fail, struct } from '../core/private/validation';
import { Strategy, TrafficPlan } from '../core/strategy';
import { StrategyKind } from '../core/strategy-kind';
import { registerGuardrailFacts } from '../guardrails/private/facts';

const CONTROLLER = 'plain Kubernetes';
const DEFAULT_REPLICAS = 2;
const DEFAULT_PORT = 80;

/** Props for a `PlainBlueGreen`. */
export interface PlainBlueGreenProps {
  /**
   * How the candidate is released: a blue-green strategy (`Strategy.blueGreen()`, without a test
   * route), which starts the candidate without traffic first. A canary or linear strategy splits
   * traffic by weight: use `PlainCanary` or `GatewayRollout` for it. `Strategy.ALL_AT_ONCE` is
   * refused: the commit that adds the candidate would also point Live at its slot, and Kubernetes
   * does not wait for its pods to be ready, so requests would fail until they are.
   */
  readonly strategy: Strategy;

  /**
   * The application name, the value of the `app.kubernetes.io/name` label that every pod of both
   * slots carries and the Services select by.
   *
   * @default - the construct id, which must then be a DNS label
   */
  readonly name?: string;

  /** The revision that runs now, in `stableSlot`. */
  readonly stable: KubernetesRevision;

  /**
   * The revision being released, in the slot that `stableSlot` leaves free.
   *
   * @default - none: only the stable slot runs, and the Preview Service selects no pods
   */
  readonly candidate?: KubernetesRevision;

  /**
   * The slot the stable revision runs in. The candidate takes the other one.
   *
   * @default Slot.BLUE
   */
  readonly stableSlot?: Slot;

  /**
   * Replicas of each slot's Deployment: both slots run at full size during a release.
   *
   * @default 2
   */
  readonly replicas?: number;

  /**
   * The port of the Live and Preview Services. Each forwards to the first container's port of
   * the revision it selects.
   *
   * @default 80
   */
  readonly port?: number;

  /**
   * The plan step to render, numbered from 1 as in the plan's table (`plan.toTable()`): step 1
   * keeps production traffic on the stable slot, step 2 switches it to the candidate. Only
   * meaningful with a candidate; without one a context step is ignored and this prop is refused.
   *
   * @default - the cdk8s context value `<construct path>:step` (set with `app.node.setContext()`), else step 1
   */
  readonly step?: number;
}

/**
 * A blue-green release on plain Kubernetes, without a rollout controller: a Deployment per slot
 * (`Blue` and `Green`, labelled with the slot as their role), a `Live` Service that production
 * traffic reaches and a `Preview` Service for testing the other slot.
 *
 * Plain Kubernetes cannot progress a release by itself, so each step of the plan is one commit
 * (or one pipeline run) that renders it: while the rendered step sends 0% to the candidate, Live
 * selects the stable slot and Preview the candidate's; once it sends 100%, Live selects the
 * candidate's slot and Preview the stable one, still running for an instant rollback. The gates of
 * the strategy (promotion, bake time) are the pipeline's to hold between commits. The plan and the
 * rendered step are recorded on the Live Service (`cdk-deploy-strategies.dev/plan` annotation).
 *
 * Promotion workflow, with the stable revision in blue:
 * 1. Add `candidate`: its Deployment starts in green; Live still selects blue (step 1); test the
 *    candidate through the Preview Service.
 * 2. Render step 2 (one commit, `step: 2` or the context value): Live selects green, Preview blue.
 *    A rollback is the same commit reverted.
 * 3. After the bake time, set `stableSlot` to `Slot.GREEN`, `stable` to the candidate's revision,
 *    and drop `candidate`: the blue Deployment goes, and nothing else is recreated because the slots
 *    keep their names. The next release starts in blue.
 *
 * Plain Services select pods by label only, so a test route (header, cookie or query parameter) is
 * refused: test through the Preview Service, or use `GatewayRollout` or `ArgoRollout`.
 *
 * @example
 * new k8s.PlainBlueGreen(chart, 'web', {
 *   strategy: Strategy.blueGreen({ bakeTime: Duration.minutes(30) }),
 *   stable: { containers: [{ image: 'ghcr.io/example/web:1.0.0', portNumber: 8080 }], version: '1.0.0' },
 *   candidate: { containers: [{ image: 'ghcr.io/example/web:1.1.0', portNumber: 8080 }], version: '1.1.0' },
 *   step: 2,
 * });
 */
export class PlainBlueGreen extends Construct {
  /** The application name: the `app.kubernetes.io/name` label of every pod. */
  public readonly appName: string;
  /** The traffic plan of the release. */
  public readonly plan: TrafficPlan;
  /** The step rendered; undefined without a candidate, when nothing is being released. */
  public readonly step?: PlanStep;
  /** The slot the stable revision runs in. */
  public readonly stableSlot: Slot;
  /** The slot the candidate runs in: the other one. */
  public readonly candidateSlot: Slot;
  /** The slot the Live Service selects. */
  public readonly liveSlot: Slot;
  /** The Deployment of the blue slot, when a revision runs there. */
  public readonly blueDeployment?: kplus.Deployment;
  /** The Deployment of the green slot, when a revision runs there. */
  public readonly greenDeployment?: kplus.Deployment;
  /** The Service that production traffic reaches. */
  public readonly liveService: kplus.Service;
  /** The Service that selects the slot Live does not: the candidate before the switch, the previous revision after it. */
  public readonly previewService: kplus.Service;

  constructor(scope: Construct, id: string, props: PlainBlueGreenProps) {
    super(scope, id);
    const where = `PlainBlueGreen ${this.node.path}`;
    struct(`${where}: props`, props, 'Pass { strategy, stable: { containers: [{ image: "registry/app:1.2.3", portNumber: 8080 }] } }.');
    this.plan = blueGreenPlan(where, props.strategy);
    this.appName = props.name === undefined
      ? dnsLabel(`${where}: name (the construct id, by default)`, id, exampleName(id))
      : dnsLabel(`${where}: name`, props.name, exampleName(props.name));
    const stable = revision(`${where}: stable`, props.stable);
    const candidate = props.candidate === undefined ? undefined : revision(`${where}: candidate`, props.candidate);
    this.stableSlot = slot(`${where}: stableSlot`, props.stableSlot ?? Slot.BLUE);
    this.candidateSlot = this.stableSlot === Slot.BLUE ? Slot.GREEN : Slot.BLUE;
    const replicas = props.replicas === undefined ? DEFAULT_REPLICAS : replicaCount(`${where}: replicas`, props.replicas, 1);
    const port = portNumber(`${where}: port`, props.port ?? DEFAULT_PORT);
    const stablePort = containerPort(`${where}: stable`, stable);
    const candidatePort = candidate === undefined ? undefined : containerPort(`${where}: candidate`, candidate);

    if (candidate === undefined && props.step !== undefined) {
      fail(`${where}: step`, props.step, 'there is no candidate, so no step of the plan applies',
        'Add the candidate revision to release, or leave step out.');
    }
    // Without a candidate nothing is being released: a context step left by the pipeline does not
    // apply, but the key still names this rollout.
    this.step = candidate === undefined ? undefined : currentStep(this, where, props.step, this.plan);
    if (candidate === undefined) registerStepRollout(this);
    this.liveSlot = this.step !== undefined && this.step.candidateWeight === 100 ? this.candidateSlot : this.stableSlot;

    // Both slots, even an empty one: the Preview Service selects it.
    claimPods(this, where, this.appName, Slot.BLUE);
    claimPods(this, where, this.appName, Slot.GREEN);
    const revisions = new Map<Slot, KubernetesRevision>([[this.stableSlot, stable]]);
    if (candidate) revisions.set(this.candidateSlot, candidate);
    const deployment = (s: Slot, deploymentId: string) => {
      const rev = revisions.get(s);
      return rev && revisionDeployment(this, deploymentId, { where, appName: this.appName, role: s, revision: rev, replicas });
    };
    this.blueDeployment = deployment(Slot.BLUE, 'Blue');
    this.greenDeployment = deployment(Slot.GREEN, 'Green');

    // Each Service forwards to the port of the revision it selects; an empty slot gets the stable port.
    const targetPort = (s: Slot) => s === this.candidateSlot ? candidatePort ?? stablePort : stablePort;
    const selecting = (s: Slot) => ({ [NAME_LABEL]: this.appName, [ROLE_LABEL]: s });
    const previewSlot = this.liveSlot === Slot.BLUE ? Slot.GREEN : Slot.BLUE;
    this.liveService = labelService(this, 'Live', selecting(this.liveSlot), port, targetPort(this.liveSlot));
    this.previewService = labelService(this, 'Preview', selecting(previewSlot), port, targetPort(previewSlot));

    recordK8sPlan(where, this, ApiObject.of(this.liveService), this.plan, CONTROLLER, this.step?.index);
    // Without a candidate nothing is being released: only the stable slot serves.
    // Nothing measures the slots: the strategy's health checks, if any, are declared but not rendered (CDS-R8 says so).
    registerGuardrailFacts(this, { platform: 'k8s', backend: CONTROLLER, plan: candidate && this.plan, healthChecks: () => [] });
  }
}

function blueGreenPlan(where: string, strategy: unknown): TrafficPlan {
  if (!(strategy instanceof Strategy)) {
    fail(`${where}: strategy`, strategy, 'a release needs a Strategy', 'Pass a Strategy, for example Strategy.BLUE_GREEN.');
  }
  if (strategy.kind === StrategyKind.CANARY || strategy.kind === StrategyKind.LINEAR) {
    fail(`${where}: strategy`, strategy.describe(), 'PlainBlueGreen switches all traffic from one slot to the other, so it cannot split traffic by weight',
      'Use PlainCanary for a canary by replica count, or GatewayRollout for exact weights.');
  }
  if (strategy.kind === StrategyKind.ALL_AT_ONCE) {
    fail(`${where}: strategy`, strategy.describe(),
      'plain Kubernetes would point the Live Service at the candidate in the same commit that starts its pods, and does not wait for them to be ready',
      'Use Strategy.BLUE_GREEN, whose first step starts the candidate without traffic; or update the revision of a single Deployment for a rolling update.');
  }
  if (strategy.testRoute) {
    fail(`${where}: strategy`, strategy.describe(),
      `plain Kubernetes Services select pods by label only, so they cannot route by header, cookie or query parameter (test route ${strategy.testRoute.describe()})`,
      'Remove the test route and test the candidate through the Preview Service, or use GatewayRollout or ArgoRollout for a test route.');
  }
  // Both slots run at full size while the release lasts.
  return strategy.plan({ capacity: CapacityMode.FULL_COPY });
}

function slot(prop: string, value: unknown): Slot {
  if (!Object.values(Slot).includes(value as Slot)) {
    fail(prop, value, 'a slot is Slot.BLUE or Slot.GREEN', 'Pass Slot.BLUE or Slot.GREEN.');
  }
  return value as Slot;
}
