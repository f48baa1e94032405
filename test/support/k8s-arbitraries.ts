import { Duration } from 'aws-cdk-lib';
import * as kplus from 'cdk8s-plus-28';
import * as fc from 'fast-check';
import { blueGreenArb, canaryArb, dnsLabelArb, linearArb, matchArb, presetArb } from './arbitraries';
import { Match, Strategy } from '../../src';
import { AnalysisMetric, PrometheusMetricProps, WebMetricProps } from '../../src/k8s/analysis-metric';
import type { GatewayReference } from '../../src/k8s/http-route-rule';
import type { KubernetesRevision } from '../../src/k8s/revision';

/**
 * Random inputs for the Kubernetes constructs' property tests (only they need these; generators
 * both platforms use live in `arbitraries.ts`).
 *
 * A construct takes a dozen props, revisions a dozen more: a wrong value in any of them refuses the
 * whole case, so wrong values spread evenly over every prop would leave few cases built. Instead a
 * construct's props are drawn two times in three `tidy` (values a user would write, refused only for
 * what does not fit together), else `untidy`, where each prop is wrong about one time in eleven.
 */
export interface K8sArbitraries {
  /** Whether wrong values are mixed in. */
  readonly untidy: boolean;
  /** `valid`, or in untidy props sometimes `odd`. */
  readonly either: <T>(valid: fc.Arbitrary<T>, odd: fc.Arbitrary<unknown>) => fc.Arbitrary<T>;
  /** An optional prop: absent about a third of the time. */
  readonly maybe: <T>(arb: fc.Arbitrary<T>) => fc.Arbitrary<T | undefined>;
  /** Application and object names: DNS labels. */
  readonly name: fc.Arbitrary<string>;
  /** Port numbers, 1-65535. */
  readonly port: fc.Arbitrary<number>;
  /** Replica counts around what users run. */
  readonly replicas: fc.Arbitrary<number>;
  /** A revision of one container, sometimes with a sidecar, extra ports, a command and environment, mostly with a version. */
  readonly revision: fc.Arbitrary<KubernetesRevision>;
  /** Host names of a route: DNS names, with a wildcard now and then. */
  readonly hostnames: fc.Arbitrary<string[]>;
  /** A Gateway reference, sometimes with a namespace and a listener. */
  readonly gateway: fc.Arbitrary<GatewayReference>;
  /** Every kind of strategy, test routes included, from presets to random custom ones. */
  readonly strategy: fc.Arbitrary<Strategy>;
  /** A plan step, 1-4. */
  readonly step: fc.Arbitrary<number>;
  /**
   * Props of an analysis metric, of either provider (`metric(m)` builds it). Intervals are drawn
   * from `intervals` seconds; a count is set half the time.
   */
  readonly metric: (intervals?: fc.Arbitrary<number>) => fc.Arbitrary<MetricProps>;
}

/** The provider and props of an analysis metric. */
export type MetricProps = { readonly kind: 'prometheus'; readonly props: PrometheusMetricProps } | { readonly kind: 'web'; readonly props: WebMetricProps };

/** Builds a metric from its props, as a user would. */
export function metric(m: MetricProps): AnalysisMetric {
  return m.kind === 'prometheus' ? AnalysisMetric.prometheus(m.props) : AnalysisMetric.web(m.props);
}

/** Props drawn by `props`, two times in three tidy, else untidy. */
export function tidyOrNot<T>(props: (a: K8sArbitraries) => fc.Arbitrary<T>): fc.Arbitrary<T> {
  return fc.oneof({ weight: 2, arbitrary: props(k8sArbitraries(false)) }, { weight: 1, arbitrary: props(k8sArbitraries(true)) });
}

/** The port traffic reaches on a revision, as the constructs read it: its first container's portNumber, else its first port. */
export function servingPort(revision: KubernetesRevision | undefined): number | undefined {
  const first: any = revision?.containers?.[0];
  return first?.portNumber ?? first?.port ?? first?.ports?.[0]?.number;
}

/** `revision` serving on `port`: its first container's portNumber set to it (and that number dropped from its other ports). */
export function servingOn(revision: KubernetesRevision, port: number): KubernetesRevision {
  const [first, ...others] = revision.containers;
  const ports = first.ports?.filter(p => p?.number !== port);
  return { ...revision, containers: [{ ...first, portNumber: port, port: undefined, ports: ports?.length ? ports : undefined }, ...others] };
}

/** A semantic version, the usual value of a revision's version label. */
export const semverArb: fc.Arbitrary<string> = fc.tuple(fc.nat(20), fc.nat(20), fc.nat(20)).map(([a, b, c]) => `${a}.${b}.${c}`);

const validPortArb = fc.oneof(fc.constantFrom(80, 8080, 443), fc.integer({ min: 1, max: 65535 }));

/** The generators, with (`untidy`) or without wrong values among them. */
export function k8sArbitraries(untidy: boolean): K8sArbitraries {
  const either = <T>(valid: fc.Arbitrary<T>, odd: fc.Arbitrary<unknown>): fc.Arbitrary<T> =>
    untidy ? fc.oneof({ weight: 10, arbitrary: valid }, { weight: 1, arbitrary: odd as fc.Arbitrary<T> }) : valid;
  const maybe = <T>(arb: fc.Arbitrary<T>): fc.Arbitrary<T | undefined> => fc.option(arb, { nil: undefined, freq: 3 });
  /** `arb` or undefined, `absent` to `present`. */
  const optional = <T>(arb: fc.Arbitrary<T>, absent: number, present: number = 1): fc.Arbitrary<T | undefined> =>
    fc.oneof({ weight: absent, arbitrary: fc.constant(undefined) }, { weight: present, arbitrary: arb });

  const port = either(validPortArb, fc.constantFrom(0, -1, 65536, 80.5, NaN, '8080', Infinity));
  const image = either(
    fc.tuple(fc.constantFrom('registry.example.com/web', 'ghcr.io/example/api', 'nginx'), semverArb).map(([repo, tag]) => `${repo}:${tag}`),
    fc.constantFrom('', '  ', 42, undefined, null),
  );
  const ports = fc.array(fc.record({
    number: port,
    name: optional(either(fc.constantFrom('http', 'metrics', 'grpc'), fc.constantFrom('HTTP', 'a-very-long-port-name', '', '80', 'a--b')), 1),
    protocol: optional(either(fc.constantFrom(kplus.Protocol.TCP, kplus.Protocol.UDP, kplus.Protocol.SCTP), fc.constantFrom('tcp', 'HTTP', 6)), 1),
    hostPort: optional(port, 6),
  }, { requiredKeys: ['number'] }).map(p => Object.fromEntries(Object.entries(p).filter(([, v]) => v !== undefined)) as unknown as kplus.ContainerPort),
  { minLength: 1, maxLength: 2 });
  const env = fc.dictionary(
    either(fc.constantFrom('LOG_LEVEL', 'PORT', 'FEATURE_X', '1ST', 'with space'), fc.constantFrom('', 'A=B', 'tab\t')),
    // Untidy: a value that is not an EnvValue, which cdk8s-plus would render as a variable without a value.
    either(fc.string({ maxLength: 8 }).map(v => kplus.EnvValue.fromValue(v)), fc.constantFrom('x', 42)),
    { minKeys: 1, maxKeys: 2 },
  );
  const containerName = either(dnsLabelArb.filter(n => n !== 'main'), fc.constantFrom('main', 'Main', 'side_car', '-x', '', 'a'.repeat(64), 7));
  // The first container mostly unnamed (cdk8s-plus names it `main`), a sidecar mostly named.
  const container = (sidecar: boolean): fc.Arbitrary<kplus.ContainerProps> => fc.record({
    image,
    name: sidecar ? either(containerName, fc.constant(undefined)) : optional(containerName, 6),
    portNumber: untidy ? optional(port, 1, 8) : optional(port, 1, 6),
    // The deprecated name of portNumber, alone or (untidy) beside it.
    port: untidy ? optional(port, 8) : fc.constant(undefined),
    ports: optional(ports, 6),
    command: optional(fc.array(fc.constantFrom('serve', '--port', '8080'), { maxLength: 3 }), 4),
    envVariables: optional(env, 4),
    // A relaxed security context, or (untidy) one cdk8s-plus refuses.
    securityContext: optional(either(fc.constantFrom({ user: 1000, group: 3000 }, { ensureNonRoot: false, readOnlyRootFilesystem: false }),
      fc.constant({ seccompProfile: { type: kplus.SeccompProfileType.RUNTIME_DEFAULT, localhostProfile: 'profiles/web.json' } })), 6),
  }).map(c => {
    const props = Object.fromEntries(Object.entries(c).filter(([, v]) => v !== undefined)) as any;
    // A tidy container without portNumber declares its port in ports.
    if (!untidy && props.portNumber === undefined && props.ports === undefined) props.ports = [{ number: 8080 }];
    return props as kplus.ContainerProps;
  });
  const revision = either(
    fc.record({
      containers: either(
        fc.tuple(container(false), optional(container(true), 4)).map(([main, sidecar]) => sidecar ? [main, sidecar] : [main]),
        fc.constantFrom([], 'web:1.0.0', [null]),
      ),
      version: optional(either(semverArb, fc.oneof(
        fc.constantFrom('1.0 beta', '-1.0', '1.0.', 'v'.repeat(64), ''), fc.integer(), fc.string({ maxLength: 8 }),
      )), 1, 3),
    }, { requiredKeys: ['containers'] }).map(r => (r.version === undefined ? { containers: r.containers } : r) as KubernetesRevision),
    fc.constantFrom(undefined, 'web:1.0.0', { image: 'web:1.0.0' }),
  );

  const hostname = either(
    fc.oneof(fc.domain().map(d => d.toLowerCase()), fc.constantFrom('shop.example.com', '*.example.com')),
    fc.constantFrom('10.0.0.1', 'Shop.example.com', 'shop.example.com:443', '*', '', 'a..b'),
  );
  const testRoute: fc.Arbitrary<Match> = fc.oneof(matchArb, fc.constantFrom(
    Match.headerRegex('x-canary', '^(yes|always)$'), Match.cookie('beta', 'a.b*'), Match.queryParameter('v', 'x'.repeat(1100)),
    Match.header('x-user', 'a'.repeat(5000)),
  ));

  return {
    untidy,
    either,
    maybe,
    name: either(dnsLabelArb, fc.constantFrom('Web', 'web_app', '-web', '', 'a'.repeat(64), 42)),
    port,
    replicas: either(fc.integer({ min: 1, max: 30 }), fc.constantFrom(0, -1, 2.5, 10_001, NaN)),
    revision,
    hostnames: either(fc.array(hostname, { minLength: 1, maxLength: 3 }), fc.constantFrom([], 'shop.example.com')),
    gateway: either(
      fc.record({
        name: either(fc.constantFrom('public', 'internal-gw', 'gw.example'), fc.constantFrom('Public', '', 'gw_1')),
        namespace: maybe(either(fc.constantFrom('gateways', 'infra'), fc.constantFrom('Gateways', 'a.b', ''))),
        sectionName: maybe(either(fc.constantFrom('https', 'http'), fc.constantFrom('HTTPS', ''))),
      }, { requiredKeys: ['name'] }),
      fc.constantFrom('public', undefined, null),
    ),
    // All at once now and then: several rollouts refuse it.
    strategy: either(fc.oneof(
      { weight: 1, arbitrary: fc.constant(Strategy.ALL_AT_ONCE) },
      { weight: 3, arbitrary: presetArb.filter(p => p !== Strategy.ALL_AT_ONCE) },
      { weight: 3, arbitrary: blueGreenArb },
      { weight: 3, arbitrary: canaryArb },
      { weight: 3, arbitrary: linearArb },
      { weight: 2, arbitrary: testRoute.map(r => Strategy.blueGreen({ testRoute: r })) },
    ), fc.constantFrom(undefined, 'canary', { steps: [] })),
    step: either(fc.integer({ min: 1, max: 4 }), fc.constantFrom(0, -1, 1.5, '2', NaN, 1000)),
    metric: (intervals = fc.oneof(fc.constantFrom(30, 60, 300), fc.integer({ min: 1, max: 900 }))) => {
      const options = fc.record({
        name: either(fc.constantFrom('success-rate', 'error-rate', 'latency-p99', 'smoke'), fc.constantFrom('Error_Rate', '', 7)),
        successCondition: either(fc.constantFrom('result[0] >= 0.99', 'result == true', 'len(result) > 0 && result[0] < 0.5'),
          fc.constantFrom('', '   ', 'true', 'x > 1', 42)),
        failureLimit: maybe(either(fc.integer({ min: 0, max: 3 }), fc.constantFrom(-1, 1.5, 2 ** 31, NaN))),
        interval: maybe(either(intervals.map(s => Duration.seconds(s)),
          fc.constantFrom(Duration.millis(1500), Duration.seconds(0), Duration.days(400), 60, Duration.seconds(NaN)))),
        count: fc.option(either(fc.integer({ min: 1, max: 20 }), fc.constantFrom(0, -1, 1.5, '5')), { nil: undefined, freq: 2 }),
      }, { requiredKeys: ['name', 'successCondition'] });
      const prometheus = fc.record({
        options,
        address: either(fc.constantFrom('http://prometheus.monitoring:9090', 'https://prom.example.com'),
          fc.constantFrom('prometheus:9090', 'ftp://prom', '', 'http://', 9090)),
        query: either(fc.constantFrom('sum(rate(http_requests_total[1m]))', 'up{job="web"}'), fc.constantFrom('', ' ')),
      }).map(({ options: o, ...p }): MetricProps => ({ kind: 'prometheus', props: { ...o, ...p } }));
      const web = fc.record({
        options,
        url: either(fc.constantFrom('http://web-preview.shop.svc/healthz', 'https://status.example.com/api?check=1'),
          fc.constantFrom('web-preview/healthz', 'file:///etc/passwd', 'http://a b', '')),
        jsonPath: maybe(either(fc.constantFrom('{$.ok}', ' {$.data.ready} ', '{.status}'), fc.constantFrom('$.ok', '{}', '', 3))),
        headers: maybe(either(fc.array(fc.record({
          name: either(fc.constantFrom('Accept', 'X-Token', 'x-request-id'), fc.constantFrom('Bad Header', '', 'ä')),
          value: either(fc.constantFrom('application/json', 'a b', '42'), fc.constantFrom('', ' padded', 'line\nbreak')),
        }), { maxLength: 2 }), fc.constantFrom('Accept: json', [null]))),
      }, { requiredKeys: ['options', 'url'] }).map(({ options: o, ...p }): MetricProps => ({ kind: 'web', props: { ...o, ...p } as WebMetricProps }));
      return fc.oneof(prometheus, web);
    },
  };
}
