import { Chart } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import type { Construct } from 'constructs';
import { arrayOf, fail, isDnsLabel, struct } from '../../core/private/validation';
import type { KubernetesRevision } from '../revision';

/** The label every pod of one application carries, whatever its revision or slot. */
export const NAME_LABEL = 'app.kubernetes.io/name';
/** The revision's version. */
export const VERSION_LABEL = 'app.kubernetes.io/version';
/** The role a workload plays in a rollout: `stable`, `canary`, `blue` or `green`. */
export const ROLE_LABEL = 'cdk-deploy-strategies.dev/role';

const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
// An IANA service name, the rule of a container port's name; the letter and "--" rules are checked apart.
const PORT_NAME = /^[a-z0-9]([-a-z0-9]{0,13}[a-z0-9])?$/;
// Kubernetes accepts any printable ASCII but "=" in an environment variable name (by default from 1.32, KEP-4369;
// older clusters accept letters, digits, "_", "-" and "." only, not starting with a digit).
const ENV_NAME = /^[\x20-\x3C\x3E-\x7E]+$/;
/** The name cdk8s-plus gives a container without one. */
const DEFAULT_CONTAINER_NAME = 'main';

/** Reads a revision, checking what Kubernetes would otherwise reject at apply time. */
export function revision(prop: string, value: unknown): KubernetesRevision {
  const rev = struct<KubernetesRevision>(prop, value, 'Pass { containers: [{ image: "registry/app:1.2.3", portNumber: 8080 }] }.');
  const containers = arrayOf<kplus.ContainerProps>(`${prop}.containers`, rev.containers, 'Pass a list of container props such as [{ image: "registry/app:1.2.3" }].');
  if (containers.length === 0) {
    fail(`${prop}.containers`, containers, 'a pod needs at least one container', 'Pass one, such as [{ image: "registry/app:1.2.3", portNumber: 8080 }].');
  }
  const names = new Map<string, number>();
  containers.forEach((c, i) => {
    const at = `${prop}.containers[${i}]`;
    struct(at, c, 'Pass container props such as { image: "registry/app:1.2.3" }.');
    if (typeof c.image !== 'string' || c.image.trim() === '') {
      fail(`${at}.image`, c.image, 'a container needs an image', 'Pass an image reference such as "registry/app:1.2.3".');
    }
    // cdk8s-plus names a container without a name `main`, so a second one needs a name of its own.
    const name = c.name ?? DEFAULT_CONTAINER_NAME;
    if (!isDnsLabel(name)) {
      fail(`${at}.name`, c.name, 'a container name is a DNS label: 1-63 lowercase letters, digits or "-", starting and ending with a letter or digit',
        'Use a name such as "web" or "sidecar".');
    }
    const clash = names.get(name);
    if (clash !== undefined) {
      const given = c.name === undefined ? ` (cdk8s-plus names a container without a name "${DEFAULT_CONTAINER_NAME}")` : '';
      fail(`${at}.name`, c.name, `containers[${clash}] of the pod is named "${name}" too${given}, and Kubernetes needs distinct container names`,
        'Give each container its own name, such as name: "sidecar".');
    }
    names.set(name, i);
    containerPorts(at, c);
    if (c.envVariables !== undefined) envVariables(`${at}.envVariables`, c.envVariables);
    // Named by its name, or by its image when cdk8s-plus names it.
    cdk8sPlusContainer(`${at} (${c.name !== undefined ? `named ${JSON.stringify(name)}` : `image ${JSON.stringify(c.image)}`})`, c);
  });
  if (rev.version !== undefined && (typeof rev.version !== 'string' || rev.version.length > 63 || !LABEL_VALUE.test(rev.version))) {
    fail(`${prop}.version`, rev.version, 'it becomes a label value: at most 63 letters, digits, "-", "_" or ".", starting and ending with a letter or digit',
      'Use a version such as "1.4.2".');
  }
  return { containers, version: rev.version };
}

/**
 * Reads a container's environment variables: names Kubernetes accepts (no schema checks them, and
 * the API server refuses them at apply time), each to an EnvValue (cdk8s-plus renders anything
 * else as a variable without a value).
 */
export function envVariables(prop: string, value: unknown): Record<string, kplus.EnvValue> {
  const env = struct<Record<string, unknown>>(prop, value, 'Pass { LOG_LEVEL: kplus.EnvValue.fromValue("info") }.');
  for (const [name, envValue] of Object.entries(env)) {
    if (!ENV_NAME.test(name)) {
      fail(`${prop} key`, name,
        'an environment variable name is 1 or more printable ASCII characters other than "=" on Kubernetes 1.32 and later; '
        + 'older clusters take letters, digits, "_", "-" and "." only, not starting with a digit',
        'Use a name such as "LOG_LEVEL".');
    }
    if (!(envValue instanceof kplus.EnvValue)) {
      fail(`${prop}.${name}`, envValue, 'it must be an EnvValue', 'Use kplus.EnvValue.fromValue("...") or kplus.EnvValue.fromSecretValue(...).');
    }
  }
  return env as Record<string, kplus.EnvValue>;
}

/** Fixes for what cdk8s-plus's Container refuses, by its message. */
const CDK8S_PLUS_FIXES: Array<[RegExp, string]> = [
  [/^localhostProfile must only be set if type is "Localhost"$/,
    'Set securityContext.seccompProfile.type to kplus.SeccompProfileType.LOCALHOST, or leave localhostProfile out.'],
];

/**
 * Builds the container as cdk8s-plus will, so that what it checks beyond this library (such as the
 * security context) fails here, naming the container. Only cdk8s-plus's own refusals, plain
 * `Error`s, become the library's error: a TypeError or RangeError is a bug, in the library's checks
 * or in cdk8s-plus, and is thrown as it is.
 */
function cdk8sPlusContainer(prop: string, c: kplus.ContainerProps): void {
  try {
    new kplus.Container(c);
  } catch (e) {
    if (!(e instanceof Error) || e.constructor !== Error) throw e;
    const fix = CDK8S_PLUS_FIXES.find(([message]) => message.test(e.message))?.[1]
      ?? 'Change the container prop that message is about, as cdk8s-plus\'s ContainerProps document it.';
    fail(prop, c, `cdk8s-plus refuses the container with '${e.message}'`, fix);
  }
}

/**
 * Checks a container's ports as the pod's API does: each a port number, named (when named) by an
 * IANA service name, no name or number and protocol twice. cdk8s-plus adds `portNumber` (or the
 * deprecated `port`) to `ports`, so it counts among them.
 */
function containerPorts(at: string, c: kplus.ContainerProps): void {
  // Stricter than cdk8s-plus, which refuses the two only when both are truthy: on purpose, as a port of 0 is no port and is refused below.
  if (c.portNumber !== undefined && c.port !== undefined) {
    fail(`${at}.port`, c.port, 'it is the deprecated name of portNumber, and the container sets portNumber too', 'Leave port out and set portNumber alone.');
  }
  // `field` is the port's prop within the container, for messages.
  const declared: Array<{ field: string; number: number; name?: string; protocol: kplus.Protocol }> = [];
  const own = c.portNumber !== undefined ? ['portNumber', c.portNumber] : c.port !== undefined ? ['port', c.port] : undefined;
  if (own) declared.push({ field: own[0] as string, number: portNumber(`${at}.${own[0]}`, own[1], 8080), protocol: kplus.Protocol.TCP });
  const ports = c.ports === undefined ? [] : arrayOf<unknown>(`${at}.ports`, c.ports, 'Pass ports such as [{ number: 8080 }].');
  ports.forEach((raw, j) => {
    const p = struct<kplus.ContainerPort>(`${at}.ports[${j}]`, raw, 'Pass a port such as { number: 8080 }.');
    const number = portNumber(`${at}.ports[${j}].number`, p.number, 8080);
    if (p.name !== undefined && (typeof p.name !== 'string' || !PORT_NAME.test(p.name) || !/[a-z]/.test(p.name) || p.name.includes('--'))) {
      fail(`${at}.ports[${j}].name`, p.name,
        'a port name is an IANA service name: 1-15 lowercase letters, digits or "-", with at least one letter, no "--", starting and ending with a letter or digit',
        'Use a name such as "http" or "metrics".');
    }
    // Kubernetes reads a hostPort of 0 as none.
    if (p.hostPort !== undefined && p.hostPort !== 0) portNumber(`${at}.ports[${j}].hostPort`, p.hostPort, 8080);
    const protocol = p.protocol ?? kplus.Protocol.TCP;
    if (!Object.values(kplus.Protocol).includes(protocol)) {
      fail(`${at}.ports[${j}].protocol`, protocol, 'a port\'s protocol is TCP, UDP or SCTP', 'Use kplus.Protocol.TCP, kplus.Protocol.UDP or kplus.Protocol.SCTP.');
    }
    const twin = declared.find(d => (p.name !== undefined && d.name === p.name) || (d.number === number && d.protocol === protocol));
    if (twin) {
      const sameName = twin.name !== undefined && twin.name === p.name;
      fail(`${at}.ports[${j}]${sameName ? '.name' : '.number'}`, sameName ? p.name : number,
        `the container's ${twin.field} declares the port ${sameName ? `name "${p.name}"` : `number ${number} (${protocol})`} already, and a container declares each port once`,
        twin.field.startsWith('ports[') ? 'Remove one of the two.' : `Remove it: ${twin.field} is already one of the container's ports.`);
    }
    declared.push({ field: `ports[${j}]`, number, name: p.name, protocol });
  });
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
  // The deprecated name of portNumber, which cdk8s-plus still reads.
  if (first.port !== undefined) return portNumber(`${prop}.containers[0].port`, first.port, 8080);
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

/** The claims of each chart, by application name: each rollout compares itself with its own name's claims only. */
const CLAIMS = new WeakMap<Chart, Map<string, PodClaim[]>>();

/**
 * Records that `owner` selects the pods labelled `appName` (and `role`, when given) in its chart,
 * failing when another construct there already selects an overlapping set. Selectors are shared
 * labels rather than cdk8s-plus's unique one, so two constructs with the same application name
 * would otherwise scale, replace or serve each other's pods.
 */
export function claimPods(owner: Construct, where: string, appName: string, role?: string): void {
  const chart = Chart.of(owner);
  let byName = CLAIMS.get(chart);
  if (byName === undefined) {
    byName = new Map();
    CLAIMS.set(chart, byName);
  }
  const claims = byName.get(appName) ?? [];
  const clash = claims.find(c => c.owner !== owner && (c.role === undefined || role === undefined || c.role === role));
  if (clash) {
    const selector = clash.role !== undefined && role !== undefined ? `${NAME_LABEL}=${appName}, ${ROLE_LABEL}=${role}` : `${NAME_LABEL}=${appName}`;
    fail(`${where}: name`, appName,
      `${clash.where} in the same chart has this application name, and their selectors overlap (${selector}), so each would select the other's pods`,
      'Give one of them a distinct name (the name prop, which defaults to the construct id).');
  }
  claims.push({ owner, where, appName, role });
  byName.set(appName, claims);
}

/** A ClusterIP Service over the pods carrying `labels`, on `port`, forwarding to `targetPort`. */
export function labelService(scope: Construct, id: string, labels: Record<string, string>, port: number, targetPort: number): kplus.Service {
  const service = new kplus.Service(scope, id, { ports: [{ port, targetPort }] });
  for (const [key, value] of Object.entries(labels)) service.selectLabel(key, value);
  return service;
}
