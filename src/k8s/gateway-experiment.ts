import { createHash } from 'crypto';
import { Chart } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { HttpRoute } from './http-route';
import { GatewayReference, HttpBackendRef, HttpRouteRule } from './http-route-rule';
import { MetricsSource, MetricsSourceKind } from './metrics-source';
import { grafanaDashboard, RecordedMeasurement, variantMeasurements, VariantTarget } from './private/experiment-metrics';
import { describeRouteOwner } from './private/gateway-routes';
import { QueryContext } from './private/health-check-queries';
import { Experiment } from '../core/experiment';
import type { Match } from '../core/match';
import { gatewayReference, headerConditions, httpRouteMatch, routeHostnames } from './private/gateway-match';
import { EXPERIMENT_ANNOTATION, RecordedK8sExperiment, recordK8sExperiment } from './private/plan-annotation';
import { portNumber } from './private/workload';
import { allocationGroups } from '../core/private/allocation-groups';
import { fail, struct, validDate } from '../core/private/validation';
import { registerGuardrailFacts } from '../guardrails/private/facts';
import { declaredOrder } from '../guardrails/private/readers';

/** An HTTPRoute holds at most 16 rules, and a rule at most 16 backends. */
const MAX_RULES = 16;
const MAX_BACKENDS = 16;
// A Service name is a DNS-1035 label: it starts with a letter.
const SERVICE_NAME = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;

/** The Service that serves one variant (or the control) of an experiment. */
export interface GatewayBackend {
  /** The Service's name, in the route's namespace. */
  readonly serviceName: string;
  /** The Service port. */
  readonly port: number;
}

/** Props for a `GatewayExperiment`. */
export interface GatewayExperimentProps {
  /**
   * The A/B test to render. Variants with a match become rules of their own; variants with only a
   * weight share the last rule with the control. Stickiness is possible only when every variant is
   * selected by a match alone, since the standard HTTPRoute has no session persistence.
   */
  readonly experiment: Experiment;

  /** The Gateway (or one of its listeners) the route attaches to. You manage the Gateway. */
  readonly gateway: GatewayReference;

  /** The Service of each variant and of the control, by name: exactly one per variant and one for the control. */
  readonly backends: { [variant: string]: GatewayBackend };

  /**
   * Host names the route serves.
   *
   * @default - every host name the Gateway listener accepts
   */
  readonly hostnames?: string[];

  /**
   * The moment whose allocations are rendered: an experiment switched off, before its start date
   * or past its end date at this moment, sends everyone to the control. Pass a fixed date for
   * reproducible manifests.
   *
   * @default - now, when the construct is created
   */
  readonly at?: Date;

  /**
   * Where each variant and the control are measured by the experiment's health checks: the
   * requests, and each check's query (error rate, latency), per variant, are recorded in the
   * route's experiment annotation, and the `plan` command lists them. The Istio dialect measures a
   * variant by its Service; the Envoy Gateway dialect by the route rules that send to it alone (a
   * variant sharing its rule with the control, in a weighted split, cannot be measured by it); a
   * CloudWatch source by the target groups it names for each variant and `control`.
   *
   * @default - none: nothing measures the variants (the guardrails' CDS-R8 reports it)
   */
  readonly metricsSource?: MetricsSource;

  /**
   * Whether to render a Grafana dashboard of the variants (requests, and each health check, with a
   * line per variant and the control): a ConfigMap `Dashboard` labelled `grafana_dashboard: "1"`,
   * which the Grafana sidecar (the Grafana Helm chart's and kube-prometheus-stack's
   * `sidecar.dashboards`) loads when it watches the route's namespace. Needs a Prometheus
   * `metricsSource`.
   *
   * @default false
   */
  readonly grafanaDashboard?: boolean;
}

/** The label the Grafana sidecar loads dashboards by, and its value. */
const GRAFANA_DASHBOARD_LABEL = 'grafana_dashboard';

/**
 * Renders an A/B test (`Experiment`) as a Gateway API `HTTPRoute` (`Route`) over Services you
 * already run, one per variant and one for the control.
 *
 * Each variant with a match has a rule of its own: the requests it matches go to the variant, or,
 * when the variant has a weight below 100, are split between the variant and the control. A last
 * rule without a match splits everyone else between the variants that have only a weight and the
 * control, which keeps the remainder. Weights are in tenths of a percent, so 12.5% is exact. A
 * header or a query parameter is matched exactly; a cookie becomes a regular expression on the
 * `Cookie` header.
 *
 * With a `metricsSource`, every variant and the control are measured by the experiment's health
 * checks: their queries are recorded with the experiment (and, with `grafanaDashboard`, drawn in
 * a Grafana dashboard), so the variants can be compared.
 *
 * An experiment switched off, before its start date or past its end date at `at`, renders a
 * single rule to the control. The route's `cdk-deploy-strategies.dev/experiment` annotation records
 * whether the experiment is active, why not, and its allocation table. Since the rendered
 * allocations depend on the date, synthesize again (or pass `at`) to start and end an experiment
 * on time.
 *
 * The Gateway API gives a rule with a header condition (a header or cookie match) precedence over
 * one with a query parameter condition, whatever their order, so declare variants matched by header
 * or cookie before those matched by query parameter.
 *
 * @example
 * new k8s.GatewayExperiment(chart, 'Checkout', {
 *   experiment: new Experiment({
 *     name: 'new-checkout',
 *     variants: [
 *       { name: 'beta', match: Match.cookie('beta', 'true') },
 *       { name: 'one-click', weight: 10 },
 *     ],
 *     endDate: new Date('2027-12-31T00:00:00Z'),
 *   }),
 *   gateway: { name: 'public', namespace: 'gateways' },
 *   backends: {
 *     'control': { serviceName: 'checkout', port: 80 },
 *     'beta': { serviceName: 'checkout-beta', port: 80 },
 *     'one-click': { serviceName: 'checkout-one-click', port: 80 },
 *   },
 * });
 */
export class GatewayExperiment extends Construct {
  /** The annotation under which the route records whether the experiment is active, why not, and its allocation table (JSON). */
  public static readonly ANNOTATION = EXPERIMENT_ANNOTATION;

  /** The experiment rendered. */
  public readonly experiment: Experiment;
  /** Whether the experiment runs at the moment rendered; false sends everyone to the control. */
  public readonly active: boolean;
  /** The HTTPRoute that allocates requests to the variants. */
  public readonly route: HttpRoute;
  /** With `grafanaDashboard`: the ConfigMap holding the Grafana dashboard. */
  public readonly dashboard?: kplus.ConfigMap;

  constructor(scope: Construct, id: string, props: GatewayExperimentProps) {
    super(scope, id);
    const where = `GatewayExperiment ${this.node.path}`;
    struct(`${where}: props`, props, 'Pass { experiment, gateway, backends }.');
    if (!(props.experiment instanceof Experiment)) {
      fail(`${where}: experiment`, props.experiment, 'it must be an Experiment', 'Pass new Experiment({ name, variants }).');
    }
    const experiment = props.experiment;
    const gateway = gatewayReference(`${where}: gateway`, props.gateway);
    const backends = backendsOf(where, experiment, props.backends);
    const hostnames = routeHostnames(`${where}: hostnames`, props.hostnames);
    const at = props.at === undefined ? new Date() : validDate(`${where}: at`, props.at, 'Pass the moment to render, such as new Date("2027-01-01T00:00:00Z"), or leave it out for now.');
    checkExpressible(where, experiment);
    const matches = new Map<Match, ReturnType<typeof httpRouteMatch>>();
    experiment.variants.forEach((v, i) => {
      if (v.match) matches.set(v.match, httpRouteMatch(`${where}: experiment "${experiment.name}" variants[${i}].match`, v.match));
    });

    const reason = experiment.inactiveReason(at);
    this.experiment = experiment;
    this.active = reason === undefined;

    const groups = allocationGroups(experiment, at);
    const rules: HttpRouteRule[] = groups.map(group => ({
      matches: group.match && [matches.get(group.match)!],
      backendRefs: group.allocations.map((a): HttpBackendRef => {
        const backend = backends[a.variant];
        const ref = { name: backend.serviceName, port: backend.port };
        // Tenths of a percent, so 12.5% is exact; a lone backend takes every request without a weight.
        return group.allocations.length === 1 ? ref : { ...ref, weight: Math.round(a.weight * 10) };
      }),
    }));

    this.route = new HttpRoute(this, 'Route', { parentRefs: [gateway], hostnames, rules });
    describeRouteOwner(this.route, where);

    const source = props.metricsSource === undefined ? undefined : MetricsSource._require(`${where}: metricsSource`, props.metricsSource);
    const sourceProp = `${where}: metricsSource`;
    if (props.grafanaDashboard !== undefined && typeof props.grafanaDashboard !== 'boolean') {
      fail(`${where}: grafanaDashboard`, props.grafanaDashboard, 'it is true or false', 'Pass true to render a Grafana dashboard ConfigMap, or leave it out.');
    }
    if (props.grafanaDashboard && source?.kind !== MetricsSourceKind.PROMETHEUS) {
      fail(`${where}: grafanaDashboard`, true,
        source === undefined ? 'a dashboard draws the variants\' queries, and the experiment has no metricsSource'
          : `the dashboard's panels are PromQL, and the metrics source is ${source.describe()}`,
        source === undefined ? 'Pass metricsSource: MetricsSource.prometheus({ address, dialect }), or leave grafanaDashboard out.'
          : 'Use a Prometheus metrics source, or leave grafanaDashboard out (CloudWatch dashboards are the AWS constructs\' part).');
    }
    const namespace = Chart.of(this).namespace;
    let measurement: RecordedMeasurement | undefined;
    if (source !== undefined) {
      if (source.kind === MetricsSourceKind.PROMETHEUS && namespace === undefined) {
        fail(sourceProp, source.describe(), 'Prometheus queries select the variants\' metrics by namespace, and the chart has no namespace (the manifests go to whatever namespace kubectl uses)',
          'Create the experiment in a chart with a namespace, such as new Chart(app, "shop", { namespace: "shop" }).');
      }
      const checks = experiment.healthChecks;
      const ctx: QueryContext = { where, checkProp: check => `${where}: experiment "${experiment.name}" healthChecks[${checks.indexOf(check)}]` };
      const targets = variantTargets(experiment, backends, rules, this.route.name, namespace ?? '');
      measurement = variantMeasurements(source, checks, targets, ctx, sourceProp);
      if (props.grafanaDashboard) {
        const uid = `cds-${experiment.name.slice(0, 26)}-${createHash('sha256').update(`${namespace}/${this.node.path}`).digest('hex').slice(0, 8)}`;
        const dashboard = grafanaDashboard(`A/B experiment ${experiment.name}`, uid, source, checks, targets, ctx, sourceProp);
        this.dashboard = new kplus.ConfigMap(this, 'Dashboard', {
          metadata: { labels: { [GRAFANA_DASHBOARD_LABEL]: '1' } },
          data: { [`${experiment.name}.json`]: JSON.stringify(dashboard) },
        });
      }
    }
    const measured = (variant: string) => (measurement?.variants[variant] ? experiment.healthChecks.map(c => c.name) : []);
    const recorded: RecordedK8sExperiment = {
      path: this.node.path,
      active: this.active,
      reason,
      table: experiment.toTable(at),
      watchedBy: source === undefined ? undefined
        : Object.fromEntries([experiment.control, ...experiment.variants.map(v => v.name)].map(v => [v, measured(v)])),
      measurement,
    };
    recordK8sExperiment(this.route, recorded, limit => fail(`${where}: experiment "${experiment.name}" healthChecks`, experiment.healthChecks.length,
      `the queries of ${Object.keys(measurement?.variants ?? {}).length} variants make ${limit}`, 'Measure the variants with fewer health checks, or split the experiment.'));
    registerGuardrailFacts(this, {
      platform: 'k8s',
      backend: 'Gateway API',
      experiment,
      evaluationOrder: declaredOrder(experiment),
      // Without a metrics source the route only routes: nothing measures the variants.
      healthChecks: () => (source === undefined ? [] : experiment.healthChecks.map(c => c.name)),
    });
  }
}

/**
 * What measures each variant and the control: its Service, and the rules that send to it alone.
 * One the route sends nothing to at this moment (an experiment switched off, or not started) need
 * not be measurable.
 */
function variantTargets(experiment: Experiment, backends: Record<string, GatewayBackend>, rules: HttpRouteRule[], route: string,
  namespace: string): VariantTarget[] {
  return [experiment.control, ...experiment.variants.map(v => v.name)].map(variant => {
    const service = backends[variant].serviceName;
    const routed = rules.some(rule => rule.backendRefs?.some(ref => ref.name === service && ref.weight !== 0));
    const alone = rules.flatMap((rule, i) => (rule.backendRefs?.length === 1 && rule.backendRefs[0].name === service ? [i] : []));
    const role = variant === experiment.control ? 'the control' : `variant "${variant}"`;
    return {
      variant,
      required: routed,
      target: {
        description: `${role} (Service ${service})`,
        role: variant,
        namespace,
        service,
        routeRules: alone.length === 0 ? undefined : { route, rules: alone },
        noRouteRule: routed ? 'every rule sending to it splits its requests with another backend by weight' : 'the route sends it nothing at this moment',
      },
    };
  });
}

/** Reads the backends: exactly the control and every variant, each a Service name and port. */
function backendsOf(where: string, experiment: Experiment, value: unknown): Record<string, GatewayBackend> {
  const expected = [experiment.control, ...experiment.variants.map(v => v.name)];
  const list = expected.map(n => `"${n}"`).join(', ');
  const example = (name: string) => `"${name}": { serviceName: "${experiment.name}-${name}", port: 80 }`;
  const given = struct<Record<string, unknown>>(`${where}: backends`, value,
    `Pass one backend per variant and one for the control (${list}), such as { ${example(expected[0])} }.`);
  for (const key of Object.keys(given)) {
    if (!expected.includes(key)) {
      fail(`${where}: backends key`, key, `experiment "${experiment.name}" has no variant or control of this name (expected ${list})`,
        'Rename the key to the variant it serves, or remove it.');
    }
  }
  const result: Record<string, GatewayBackend> = {};
  for (const name of expected) {
    const prop = `${where}: backends["${name}"]`;
    if (given[name] === undefined) {
      const role = name === experiment.control ? 'the control' : 'variant';
      fail(prop, undefined, `every variant of experiment "${experiment.name}" and its control need a backend (expected ${list})`,
        `Add the Service of ${role} "${name}", such as ${example(name)}.`);
    }
    const backend = struct<GatewayBackend>(prop, given[name], `Pass the variant's Service, such as { serviceName: "${experiment.name}-${name}", port: 80 }.`);
    if (typeof backend.serviceName !== 'string' || backend.serviceName.length > 63 || !SERVICE_NAME.test(backend.serviceName)) {
      fail(`${prop}.serviceName`, backend.serviceName,
        'a Service name is a DNS-1035 label: 1-63 lowercase letters, digits or "-", starting with a letter and ending with a letter or digit',
        `Use the name of the Service, such as "${experiment.name}-${name}".`);
    }
    result[name] = { serviceName: backend.serviceName, port: portNumber(`${prop}.port`, backend.port) };
  }
  return result;
}

/** Fails for what an HTTPRoute cannot express: sticky weighted splits, too many rules or backends, an order the route would not keep. */
function checkExpressible(where: string, experiment: Experiment): void {
  const prefix = `${where}: experiment "${experiment.name}"`;
  const matched = experiment.variants.filter(v => v.match !== undefined);
  const weighted = experiment.variants.filter(v => v.match === undefined);
  const split = experiment.variants.filter(v => v.match === undefined || v.weight! < 100);
  if (experiment.stickiness && split.length > 0) {
    fail(`${prefix} stickiness`, experiment.stickiness,
      `the Gateway API provider has no sticky sessions (the standard HTTPRoute v1 has no session persistence), so the weighted split of ${split.map(v => `"${v.name}"`).join(', ')} would draw every request anew`,
      'Select those variants by a cookie match alone (Match.cookie, which a user keeps), or remove stickiness.');
  }
  if (matched.length + 1 > MAX_RULES) {
    fail(`${prefix} variants with a match`, matched.length,
      `an HTTPRoute holds at most ${MAX_RULES} rules, one per variant with a match and one for everyone else`,
      `Use at most ${MAX_RULES - 1} variants with a match, for example by merging variants that share a Service.`);
  }
  if (weighted.length + 1 > MAX_BACKENDS) {
    fail(`${prefix} variants without a match`, weighted.length,
      `an HTTPRoute rule sends to at most ${MAX_BACKENDS} backends, and everyone else is split between these variants and the control`,
      `Use at most ${MAX_BACKENDS - 1} variants without a match.`);
  }
  // Among rules with the same path, the Gateway API prefers more header conditions, then more query
  // parameter conditions, and only then the order: a header variant declared later would still win.
  const firstQuery = matched.findIndex(v => headerConditions(v.match!) === 0);
  const laterHeader = firstQuery < 0 ? undefined : matched.slice(firstQuery).find(v => headerConditions(v.match!) > 0);
  if (laterHeader) {
    const query = matched[firstQuery];
    fail(`${prefix} variants order`, `${query.name}, then ${laterHeader.name}`,
      `the Gateway API gives "${laterHeader.name}" (${laterHeader.match!.describe()}) precedence over "${query.name}" (${query.match!.describe()}) for requests matching both, whatever the order`,
      'Declare the variants matched by a header or cookie before those matched by a query parameter.');
  }
}
