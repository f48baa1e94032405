import { ApiObject } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import type { Construct } from 'constructs';
import {
  FLAGGER, FLAGGER_API_VERSION, FlaggerAnalysisSpec, FlaggerCanarySpec, FlaggerMetricCheck, FlaggerWebhook, GATEWAY_API_PROVIDER,
} from './flagger-types';
import { claimPods, NAME_LABEL, VERSION_LABEL } from './workload';
import { arrayOf, dnsLabel, fail, struct } from '../../core/private/validation';
import { FlaggerAnalysis, FlaggerMetric } from '../flagger-metric';
import type { GatewayReference } from '../http-route-rule';
import type { KubernetesRevision } from '../revision';

/*
 * What FlaggerCanary and FlaggerExperiment share: the target Deployment, the Canary object, the
 * analysis metrics and the load tester's gates.
 */

// Flagger names the Services `<name>`, `<name>-primary` and `<name>-canary`: DNS-1035 labels of at most 63 characters.
const SERVICE_NAME = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const MAX_NAME = 63 - '-primary'.length;

/** The application's name: the target Deployment's, the Canary's, and the stem of the names Flagger gives its objects. */
export function flaggerAppName(prop: string, value: unknown, example: string): string {
  if (typeof value !== 'string' || value.length > MAX_NAME || !SERVICE_NAME.test(value)) {
    fail(prop, value,
      `Flagger names its Services after it ("<name>-primary", "<name>-canary"), and a Service name is a DNS-1035 label: so 1-${MAX_NAME} lowercase letters, digits or "-", starting with a letter and ending with a letter or digit`,
      `Use a name such as "${example}".`);
  }
  return value;
}

/** How many failed checks Flagger tolerates: a whole number from 1. */
export function flaggerThreshold(prop: string, value: unknown): number {
  if (value === undefined) return 1;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > 1000) {
    fail(prop, value, 'it is the number of failed checks that rolls the rollout back, a whole number from 1 to 1000',
      'Use 1 to roll back on the first failed check, or a few more to ride out a blip.');
  }
  return value;
}

/**
 * The base URL of Flagger's load tester, whose gate endpoints hold a rollout for a person: by default
 * the `flagger-loadtester` Service of the rollout's namespace (Flagger calls it from its own).
 */
export function loadTesterUrl(prop: string, value: unknown, namespace: string | undefined): string {
  if (value === undefined) return `http://flagger-loadtester.${namespace ?? 'default'}/`;
  let url: URL | undefined;
  try {
    url = typeof value === 'string' ? new URL(value) : undefined;
  } catch {
    url = undefined;
  }
  if (url === undefined || (url.protocol !== 'http:' && url.protocol !== 'https:') || url.search !== '' || url.hash !== '') {
    fail(prop, value, 'it is the base URL of Flagger\'s load tester, an http or https URL without a query', 'Use a URL such as "http://flagger-loadtester.shop/".');
  }
  return url.href.endsWith('/') ? url.href : `${url.href}/`;
}

/** A webhook to one of the load tester's endpoints (`gate/check`, `rollback/check`, `gate/approve`). */
export function loadTesterWebhook(name: string, type: FlaggerWebhook['type'], base: string, endpoint: string): FlaggerWebhook {
  return { name, type, url: `${base}${endpoint}` };
}

/**
 * The built-in analysis `metrics` of a Flagger rollout: the checks of every analysis its gates
 * name, each once. Flagger runs them all at the end of every interval, on every step; the
 * MetricTemplates of the health checks (flagger-health-checks.ts) join them.
 *
 * @param prop the prop of the gate (or experiment) naming the analyses, for messages
 * @param names the analyses to run, in order
 * @param analyses the analyses passed to the construct
 */
export function analysisMetrics(prop: string, names: string[], analyses: FlaggerAnalysis[], analysesProp: string): FlaggerMetricCheck[] | undefined {
  const metrics: FlaggerMetric[] = [];
  for (const name of names) {
    const analysis = analyses.find(a => a.name === name);
    if (analysis === undefined) {
      const passed = analyses.length === 0 ? 'no analyses were passed' : `${analysesProp} has ${analyses.map(a => `"${a.name}"`).join(', ')}`;
      fail(prop, name, `it names the analysis "${name}", and ${passed}`,
        `Pass { name: "${name}", metrics: [FlaggerMetric.requestSuccessRate()] } in ${analysesProp}.`);
    }
    for (const metric of analysis.metrics) {
      const twin = metrics.find(m => m.name === metric.name);
      if (twin === undefined) {
        metrics.push(metric);
      } else if (!twin._sameAs(metric)) {
        fail(prop, name,
          `analysis "${name}" checks ${metric.describe()}, and another analysis the rollout runs checks ${twin.describe()}: Flagger runs one analysis, every check at every interval, so each check is listed once`,
          'Give the two analyses the same check, or keep the check in one of them.');
      }
    }
  }
  return metrics.length === 0 ? undefined : metrics.map(m => m._render());
}

export interface FlaggerCanaryOptions {
  readonly where: string;
  readonly appName: string;
  readonly revision: KubernetesRevision;
  readonly replicas: number;
  readonly port: number;
  readonly targetPort: number;
  readonly gateway: GatewayReference;
  readonly hostnames?: string[];
  readonly analysis: FlaggerAnalysisSpec;
}

/**
 * The target Deployment (id `Deployment`, cdk8s-plus with its secure defaults) and the Canary that
 * points at it (id `Resource`). The Deployment is named after the application and selects its pods
 * by `app.kubernetes.io/name` alone, the label Flagger rewrites to `<name>-primary` on the primary
 * Deployment it creates.
 */
export function flaggerCanaryObjects(scope: Construct, options: FlaggerCanaryOptions): { deployment: kplus.Deployment; canary: ApiObject } {
  const { appName, revision } = options;
  // Flagger's primary and canary Services select by the name label alone, so no other workload of the chart may carry it.
  claimPods(scope, options.where, appName);
  const labels: Record<string, string> = { [NAME_LABEL]: appName };
  if (revision.version !== undefined) labels[VERSION_LABEL] = revision.version;
  const deployment = new kplus.Deployment(scope, 'Deployment', {
    metadata: { name: appName, labels },
    select: false,
    replicas: options.replicas,
    containers: revision.containers,
    podMetadata: { labels },
  });
  deployment.select(kplus.LabelSelector.of({ labels: { [NAME_LABEL]: appName } }));
  const spec: FlaggerCanarySpec = {
    provider: GATEWAY_API_PROVIDER,
    targetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: deployment.name },
    service: {
      port: options.port,
      targetPort: options.targetPort,
      gatewayRefs: [options.gateway],
      hosts: options.hostnames,
    },
    analysis: options.analysis,
  };
  const canary = new ApiObject(scope, 'Resource', {
    apiVersion: FLAGGER_API_VERSION,
    kind: 'Canary',
    metadata: { name: appName, labels: { [NAME_LABEL]: appName } },
    spec,
  });
  return { deployment, canary };
}

/** Reads a list of analyses: each a DNS-label name, once, with at least one metric. */
export function flaggerAnalyses(prop: string, value: unknown): FlaggerAnalysis[] {
  if (value === undefined) return [];
  const list = arrayOf<unknown>(prop, value, 'Pass analyses such as [{ name: "error-rate", metrics: [FlaggerMetric.requestSuccessRate()] }].');
  const names = new Set<string>();
  return list.map((raw, i) => {
    const analysis = struct<FlaggerAnalysis>(`${prop}[${i}]`, raw, 'Pass { name, metrics }.');
    const name = dnsLabel(`${prop}[${i}].name`, analysis.name, 'error-rate');
    if (names.has(name)) {
      fail(`${prop}[${i}].name`, name, 'two analyses have this name, and a gate names one analysis', 'Pass each analysis once, with distinct names.');
    }
    names.add(name);
    const metrics = flaggerMetrics(`${prop}[${i}].metrics`, analysis.metrics);
    if (metrics.length === 0) {
      fail(`${prop}[${i}].metrics`, metrics, 'an analysis needs at least one metric', 'Add a metric such as FlaggerMetric.requestSuccessRate().');
    }
    return { name, metrics };
  });
}

/** Reads a list of metrics, refusing two checks of one name (Flagger lists each check once). */
export function flaggerMetrics(prop: string, value: unknown): FlaggerMetric[] {
  const metrics = arrayOf<unknown>(prop, value, 'Pass metrics such as [FlaggerMetric.requestSuccessRate()].')
    .map((m, i) => FlaggerMetric._require(`${prop}[${i}]`, m));
  metrics.forEach((m, i) => {
    const twin = metrics.findIndex(other => other.name === m.name);
    if (twin < i) {
      fail(`${prop}[${i}]`, m.describe(), `${prop}[${twin}] is a ${m.name} check too, and Flagger runs each check once`,
        'Keep one check of each kind.');
    }
  });
  return metrics;
}

export { FLAGGER };
