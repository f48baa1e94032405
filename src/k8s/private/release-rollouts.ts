import { ApiObject } from 'cdk8s';
import type * as kplus from 'cdk8s-plus-28';
import type { Construct } from 'constructs';
import { VERSION_LABEL } from './workload';
import type { PlanStep } from '../../core/plan-options';
import type { TrafficPlan } from '../../core/strategy';
import { ArgoRollout } from '../argo-rollout';
import { FlaggerCanary } from '../flagger-canary';
import { GatewayRollout } from '../gateway-rollout';
import { PlainBlueGreen } from '../plain-blue-green';
import { PlainCanary } from '../plain-canary';
import { Slot } from '../revision';

/** Argo CD's sync-wave annotation: lower waves are applied, and must be healthy, before higher ones. */
export const SYNC_WAVE_ANNOTATION = 'argocd.argoproj.io/sync-wave';
/** Argo CD's hook annotation: a `PreSync` hook runs before any object of the sync phase is applied. */
export const HOOK_ANNOTATION = 'argocd.argoproj.io/hook';
/** When Argo CD deletes a hook: `BeforeHookCreation` deletes the previous run just before the next one. */
export const HOOK_DELETE_POLICY_ANNOTATION = 'argocd.argoproj.io/hook-delete-policy';
/** The recommended label naming the higher-level application an object belongs to. */
export const PART_OF_LABEL = 'app.kubernetes.io/part-of';

/** The class names a release accepts, for error messages. */
export const RELEASE_ROLLOUT_KINDS = 'PlainBlueGreen, PlainCanary, GatewayRollout, ArgoRollout or FlaggerCanary';

/** A revision's version, as its rollout sets it on its pods, and the prop it came from. */
export interface RevisionVersion {
  /** The prop of the rollout that holds it: `candidate.version`, `stable.version` or `revision.version`. */
  readonly prop: string;
  readonly version?: string;
}

/** What a release needs to know of one rollout construct, whatever its class. */
export interface ReleaseRollout {
  readonly construct: Construct;
  /** The class name, for messages. */
  readonly kind: string;
  readonly plan: TrafficPlan;
  /** The object the rollout recorded its plan on. */
  readonly primary: ApiObject;
  /**
   * The revision being released, for a rollout that renders one step of its plan per commit and
   * has a candidate now; with the step it renders.
   */
  readonly candidate?: RevisionVersion & { readonly step: PlanStep };
  /** The revision that runs without a candidate: the stable one, or an Argo rollout's only one. */
  readonly current: RevisionVersion;
  /** True for ArgoRollout and FlaggerCanary: their controller runs the whole plan once the manifests are applied. */
  readonly controllerDriven: boolean;
  /** The Deployments of the rollout's revisions: they keep their own revision's version label. */
  readonly revisionDeployments: ApiObject[];
}

/** Reads one of the library's Kubernetes rollout constructs; undefined for anything else. */
export function releaseRollout(value: unknown): ReleaseRollout | undefined {
  const version = (prop: string, deployment: kplus.Deployment): RevisionVersion =>
    ({ prop, version: deployment.podMetadata.getLabel(VERSION_LABEL) });
  const deployments = (...all: (kplus.Deployment | undefined)[]) =>
    all.filter((d): d is kplus.Deployment => d !== undefined).map(d => ApiObject.of(d));

  if (value instanceof ArgoRollout) {
    return {
      construct: value,
      kind: 'ArgoRollout',
      plan: value.plan,
      primary: value.rollout,
      controllerDriven: true,
      current: version('revision.version', value.template),
      revisionDeployments: deployments(value.template),
    };
  }
  if (value instanceof FlaggerCanary) {
    return {
      construct: value,
      kind: 'FlaggerCanary',
      plan: value.plan,
      primary: value.canary,
      controllerDriven: true,
      current: version('revision.version', value.deployment),
      revisionDeployments: deployments(value.deployment),
    };
  }
  if (value instanceof PlainCanary || value instanceof GatewayRollout) {
    const canary = value.canaryDeployment;
    return {
      construct: value,
      kind: value instanceof PlainCanary ? 'PlainCanary' : 'GatewayRollout',
      plan: value.plan,
      primary: value instanceof PlainCanary ? ApiObject.of(value.service) : value.route,
      controllerDriven: false,
      candidate: canary && value.step && { ...version('candidate.version', canary), step: value.step },
      current: version('stable.version', value.stableDeployment),
      revisionDeployments: deployments(value.stableDeployment, canary),
    };
  }
  if (value instanceof PlainBlueGreen) {
    const slot = (s: Slot) => s === Slot.BLUE ? value.blueDeployment : value.greenDeployment;
    const stable = slot(value.stableSlot)!;
    const candidate = slot(value.candidateSlot);
    return {
      construct: value,
      kind: 'PlainBlueGreen',
      plan: value.plan,
      primary: ApiObject.of(value.liveService),
      controllerDriven: false,
      candidate: candidate && value.step && { ...version('candidate.version', candidate), step: value.step },
      current: version('stable.version', stable),
      revisionDeployments: deployments(value.blueDeployment, value.greenDeployment),
    };
  }
  return undefined;
}
