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

/** The port the revision's first container serves on: its `portNumber`, else its first port. */
export function containerPort(prop: string, rev: KubernetesRevision): number {
  const first = rev.containers[0];
  const port = first.portNumber ?? first.ports?.[0]?.number;
  if (port === undefined) {
    fail(`${prop}.containers[0].portNumber`, undefined, 'traffic is routed to the first container\'s port, and it declares none',
      'Set portNumber on the first container, such as portNumber: 8080.');
  }
  return port;
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

/** A ClusterIP Service over the pods carrying `labels`, on `port`, forwarding to `targetPort`. */
export function labelService(scope: Construct, id: string, labels: Record<string, string>, port: number, targetPort: number): kplus.Service {
  const service = new kplus.Service(scope, id, { ports: [{ port, targetPort }] });
  for (const [key, value] of Object.entries(labels)) service.selectLabel(key, value);
  return service;
}
