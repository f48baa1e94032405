import { Chart } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import type { Construct } from 'constructs';
import { arrayOf, fail, struct } from './validation';
import type { KubernetesRevision } from '../k8s/revision';

/** The label every pod of one application carries, whatever its revision or slot. */
export const NAME_LABEL = 'app.kubernetes.io/name';
/** The revision's version. */
export const VERSION_LABEL = 'app.kubernetes.io/version';
/** The role a workload plays in a rollout: `stable`, `canary`, `blue` or `green`. */
export const ROLE_LABEL = 'cdk-deploy-strategies.dev/role';

const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

/** Reads a revision, checking what Kubernetes would otherwise reject at apply time. */
export function revision(prop: string, value: unknown): KubernetesRevision {
  const rev = struct<KubernetesRevision>(prop, value, 'Pass { containers: [{ image: "registry/app:1.2.3", portNumber: 8080 }] }.');
  const containers = arrayOf<kplus.ContainerProps>(`${prop}.containers`, rev.containers, 'Pass a list of container props such as [{ image: "registry/app:1.2.3" }].');
  if (containers.length === 0) {
    fail(`${prop}.containers`, containers, 'a pod needs at least one container', 'Pass one, such as [{ image: "registry/app:1.2.3", portNumber: 8080 }].');
  }
  containers.forEach((c, i) => {
    struct(`${prop}.containers[${i}]`, c, 'Pass container props such as { image: "registry/app:1.2.3" }.');
    if (typeof c.image !== 'string' || c.image.trim() === '') {
      fail(`${prop}.containers[${i}].image`, c.image, 'a container needs an image', 'Pass an image reference such as "registry/app:1.2.3".');
    }
  });
  if (rev.version !== undefined && (typeof rev.version !== 'string' || rev.version.length > 63 || !LABEL_VALUE.test(rev.version))) {
    fail(`${prop}.version`, rev.version, 'it becomes a label value: at most 63 letters, digits, "-", "_" or ".", starting and ending with a letter or digit',
      'Use a version such as "1.4.2".');
  }
  return { containers, version: rev.version };
}

/**
 * A port number: a whole number from 1 to 65535, for a Service, a route backend or a container.
 * cdk8s-plus reads a container port of 0 or NaN as no port at all, so it is checked rather than passed on.
 */
export function portNumber(prop: string, value: unknown, example: number = 80): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > 65535) {
    fail(prop, value, 'a port is a whole number from 1 to 65535', `Use a port such as ${example}.`);
  }
  return value;
}

/** The port the revision's first container serves on: its `portNumber`, else its first port. */
export function containerPort(prop: string, rev: KubernetesRevision): number {
  const first = rev.containers[0];
  if (first.portNumber !== undefined) return portNumber(`${prop}.containers[0].portNumber`, first.portNumber, 8080);
  const ports: unknown = first.ports;
  const declared = Array.isArray(ports) && ports.length > 0 ? ports[0] : undefined;
  if (declared === undefined) {
    fail(`${prop}.containers[0].portNumber`, undefined, 'traffic is routed to the first container\'s port, and it declares none',
      'Set portNumber on the first container, such as portNumber: 8080.');
  }
  const port = struct<kplus.ContainerPort>(`${prop}.containers[0].ports[0]`, declared, 'Pass a port such as { number: 8080 }.');
  return portNumber(`${prop}.containers[0].ports[0].number`, port.number, 8080);
}

/** A DNS label close to the name given (or the construct id), for the fix of the error when it is not one. */
export function exampleName(given: unknown): string {
  const label = String(typeof given === 'string' ? given : '').toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 63).replace(/-+$/, '');
  return label === '' ? 'web' : label;
}

/**
 * A replica count. Zero is allowed where a workload is scaled away (the idle side of a canary at 100%).
 */
export function replicaCount(prop: string, value: unknown, min: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > 10_000) {
    fail(prop, value, `a replica count is a whole number from ${min} to 10000`, 'Use a whole number such as 4.');
  }
  return value;
}

export interface RevisionDeploymentOptions {
  /** The construct, as error messages name it: `<ClassName> <construct path>`. */
  readonly where: string;
  readonly appName: string;
  readonly role: string;
  readonly revision: KubernetesRevision;
  readonly replicas: number;
}

/**
 * A Deployment whose pods carry the application's shared labels. cdk8s-plus selects a workload's
 * pods by a label unique to it (`cdk8s.io/metadata.addr`); two revisions of one application must
 * instead be selectable together by a Service, so the Deployment selects by name and role.
 */
export function revisionDeployment(scope: Construct, id: string, options: RevisionDeploymentOptions): kplus.Deployment {
  claimPods(scope, options.where, options.appName, options.role);
  const labels: Record<string, string> = { [NAME_LABEL]: options.appName, [ROLE_LABEL]: options.role };
  if (options.revision.version !== undefined) labels[VERSION_LABEL] = options.revision.version;
  const deployment = new kplus.Deployment(scope, id, {
    select: false,
    replicas: options.replicas,
    containers: options.revision.containers,
    metadata: { labels },
    podMetadata: { labels },
  });
  deployment.select(kplus.LabelSelector.of({ labels: { [NAME_LABEL]: options.appName, [ROLE_LABEL]: options.role } }));
  return deployment;
}

interface PodClaim {
  readonly owner: Construct;
  readonly where: string;
  readonly appName: string;
  /** Undefined for a selector by the name label alone, which spans every role. */
  readonly role?: string;
}

const CLAIMS = new WeakMap<Chart, PodClaim[]>();

/**
 * Records that `owner` selects the pods labelled `appName` (and `role`, when given) in its chart,
 * failing when another construct there already selects an overlapping set. Selectors are shared
 * labels rather than cdk8s-plus's unique one, so two constructs with the same application name
 * would otherwise scale, replace or serve each other's pods.
 */
export function claimPods(owner: Construct, where: string, appName: string, role?: string): void {
  const chart = Chart.of(owner);
  const claims = CLAIMS.get(chart) ?? [];
  const clash = claims.find(c => c.owner !== owner && c.appName === appName
    && (c.role === undefined || role === undefined || c.role === role));
  if (clash) {
    const selector = clash.role !== undefined && role !== undefined ? `${NAME_LABEL}=${appName}, ${ROLE_LABEL}=${role}` : `${NAME_LABEL}=${appName}`;
    fail(`${where}: name`, appName,
      `${clash.where} in the same chart has this application name, and their selectors overlap (${selector}), so each would select the other's pods`,
      'Give one of them a distinct name (the name prop, which defaults to the construct id).');
  }
  claims.push({ owner, where, appName, role });
  CLAIMS.set(chart, claims);
}

/** A ClusterIP Service over the pods carrying `labels`, on `port`, forwarding to `targetPort`. */
export function labelService(scope: Construct, id: string, labels: Record<string, string>, port: number, targetPort: number): kplus.Service {
  const service = new kplus.Service(scope, id, { ports: [{ port, targetPort }] });
  for (const [key, value] of Object.entries(labels)) service.selectLabel(key, value);
  return service;
}
