import { Chart, Testing } from 'cdk8s';
import * as fc from 'fast-check';
import { Experiment, Match, Strategy } from '../../../src';
import { GatewayExperiment, GatewayRollout, HttpRoute, HttpRouteMatch } from '../../../src/k8s';
import { ofKind, validatedManifests } from '../../support/k8s';
import { expectBuildsOrRefuses } from '../../support/properties';
import { expectValidationError } from '../../support/validation-error';

const at = new Date('2027-01-01T00:00:00Z');
const revision = (version: string) => ({ containers: [{ image: `registry/checkout:${version}`, portNumber: 8080 }], version });

/** The README's Gateway API canary. */
function canary(chart: Chart, props: { hostnames?: string[]; sectionName?: string; id?: string; namespace?: string } = {}) {
  return new GatewayRollout(chart, props.id ?? 'checkout', {
    strategy: Strategy.CANARY_10PERCENT_5MINUTES,
    gateway: { name: 'public', namespace: props.namespace ?? 'gateways', sectionName: props.sectionName },
    hostnames: props.hostnames,
    stable: revision('1.0'),
    candidate: revision('1.1'),
  });
}

/** An A/B test on the same Gateway: beta testers by header, 10% of everyone else. */
function abTest(chart: Chart, props: { hostnames?: string[]; sectionName?: string; namespace?: string } = {}) {
  return new GatewayExperiment(chart, 'search', {
    experiment: new Experiment({ name: 'new-search', variants: [{ name: 'beta', match: Match.header('x-beta', 'true') }, { name: 'ranked', weight: 10 }] }),
    gateway: { name: 'public', namespace: props.namespace ?? 'gateways', sectionName: props.sectionName },
    hostnames: props.hostnames,
    backends: { control: { serviceName: 'search', port: 80 }, beta: { serviceName: 'search-beta', port: 80 }, ranked: { serviceName: 'search-ranked', port: 80 } },
    at,
  });
}

const TIE = 'the Gateway API gives such a tie to the older route, then to the first by namespace/name, so one of the two would receive none of these requests. '
  + 'Give the routes hostnames that tell them apart, such as hostnames: ["shop.example.com"] on one of them; or give each its own match (a path prefix, a header); '
  + 'or attach them to different listeners of the Gateway (sectionName).';

describe('the Gateway API canary and experiment on one Gateway', () => {
  test('both without host names: two routes matching every request, which the Gateway gives to the older one; refused at synth', () => {
    const chart = Testing.chart();
    canary(chart);
    abTest(chart);
    expectValidationError(() => Testing.synth(chart),
      'GatewayExperiment test/search: hostnames is undefined: its HTTPRoute test-search-route-c8df42c5 and the HTTPRoute test-checkout-route-c8b065ce of GatewayRollout test/checkout '
      + 'both attach to the Gateway gateways/public with no hostnames (every host name the listener accepts) and a match that does not tell them apart '
      + `(every request: PathPrefix /); ${TIE}`);
  });

  test('the same host name on both: refused, naming it', () => {
    const chart = new Chart(Testing.app(), 'shop', { namespace: 'shop' });
    canary(chart, { hostnames: ['shop.example.com', 'www.example.com'] });
    abTest(chart, { hostnames: ['shop.example.com'] });
    expectValidationError(() => Testing.synth(chart),
      'GatewayExperiment shop/search: hostnames is "shop.example.com": its HTTPRoute shop/shop-search-route-c8ebca19 and the HTTPRoute shop/shop-checkout-route-c8866484 of GatewayRollout shop/checkout '
      + 'both attach to the Gateway gateways/public with the host name "shop.example.com" and a match that does not tell them apart '
      + `(every request: PathPrefix /); ${TIE}`);
  });

  test('among many routes with their own host names, the one tie is found: the first route and the last', () => {
    const chart = Testing.chart();
    canary(chart, { id: 'web0', hostnames: ['shop.example.com'] });
    for (let i = 1; i < 300; i++) canary(chart, { id: `web${i}`, hostnames: [`web${i}.example.com`] });
    canary(chart, { id: 'last', hostnames: ['shop.example.com'] });
    expect(() => Testing.synth(chart)).toThrow(/^GatewayRollout test\/last: hostnames is "shop\.example\.com": .* and the HTTPRoute test-web0-route-\w+ of GatewayRollout test\/web0 both attach to the Gateway gateways\/public with the host name "shop\.example\.com"/);
  });

  test('the first tie in the order of the routes is reported, whichever buckets the routes share', () => {
    const chart = Testing.chart();
    canary(chart, { id: 'a', hostnames: ['a.example.com', 'b.example.com'] });
    canary(chart, { id: 'b', hostnames: ['c.example.com'] });
    canary(chart, { id: 'c', hostnames: ['c.example.com', 'b.example.com'] });
    // c ties with a (b.example.com) and with b (c.example.com): a comes first.
    expect(() => Testing.synth(chart)).toThrow(/^GatewayRollout test\/c: .* and the HTTPRoute test-a-route-\w+ of GatewayRollout test\/a .* with the host name "b\.example\.com"/);
  });

  test('also through app.synth(), as cdk8s synth runs it', () => {
    const app = Testing.app();
    const chart = new Chart(app, 'shop');
    canary(chart);
    abTest(chart);
    expect(() => app.synth()).toThrow(/^GatewayExperiment shop\/search: hostnames is undefined/);
  });

  test.each([
    ['host names of their own', { hostnames: ['shop.example.com'] }, { hostnames: ['search.example.com'] }],
    ['a host name on one: it takes its host\'s requests, the other the rest', { hostnames: ['shop.example.com'] }, {}],
    ['different listeners of the Gateway', { sectionName: 'shop' }, { sectionName: 'search' }],
    ['different Gateways', {}, { namespace: 'internal' }],
  ])('told apart by %s: both synthesize', (_, canaryProps, abProps) => {
    const chart = Testing.chart();
    canary(chart, canaryProps);
    abTest(chart, abProps);
    expect(ofKind(validatedManifests(chart), 'HTTPRoute')).toHaveLength(2);
  });

  test('a route on every listener meets a route on one of them', () => {
    const chart = Testing.chart();
    canary(chart, { sectionName: 'https' });
    abTest(chart);
    expect(() => Testing.synth(chart)).toThrow('both attach to the Gateway gateways/public, listener https with no hostnames');
  });

  test('the Gateway\'s namespace defaults to each route\'s own', () => {
    const app = Testing.app();
    new GatewayRollout(new Chart(app, 'a', { namespace: 'a' }), 'web', { strategy: Strategy.BLUE_GREEN, gateway: { name: 'public' }, stable: revision('1.0') });
    new GatewayRollout(new Chart(app, 'b', { namespace: 'b' }), 'web', { strategy: Strategy.BLUE_GREEN, gateway: { name: 'public' }, stable: revision('1.0') });
    expect(() => app.synth()).not.toThrow();
  });
});

describe('routes built with HttpRoute', () => {
  const route = (chart: Chart, id: string, matches: HttpRouteMatch[]) => new HttpRoute(chart, id, {
    parentRefs: [{ name: 'public' }], rules: [{ matches, backendRefs: [{ name: id, port: 80 }] }],
  });

  test('the same header match on both: refused, naming the match', () => {
    const chart = Testing.chart();
    route(chart, 'a', [{ headers: [{ type: 'Exact', name: 'x-env', value: 'green' }] }]);
    route(chart, 'b', [{ path: { type: 'PathPrefix', value: '/' }, headers: [{ type: 'Exact', name: 'X-Env', value: 'green' }] }]);
    expectValidationError(() => Testing.synth(chart),
      'HttpRoute test/b: hostnames is undefined: its HTTPRoute test-b-c8bbfb8c and the HTTPRoute test-a-c8284566 both attach to the Gateway public with no hostnames '
      + `(every host name the listener accepts) and a match that does not tell them apart (PathPrefix /, header X-Env = "green"); ${TIE}`);
  });

  test.each([
    ['paths', [{ path: { type: 'PathPrefix', value: '/api' } }], [{ path: { type: 'PathPrefix', value: '/web' } }]],
    ['an exact path and a prefix', [{ path: { type: 'Exact', value: '/api' } }], [{ path: { type: 'PathPrefix', value: '/api' } }]],
    ['header values', [{ headers: [{ type: 'Exact', name: 'x-env', value: 'green' }] }], [{ headers: [{ type: 'Exact', name: 'x-env', value: 'blue' }] }]],
  ] as Array<[string, HttpRouteMatch[], HttpRouteMatch[]]>)('told apart by %s', (_, a, b) => {
    const chart = Testing.chart();
    route(chart, 'a', a);
    route(chart, 'b', b);
    expect(() => Testing.synth(chart)).not.toThrow();
  });

  test('a trailing slash does not tell two prefixes apart', () => {
    const chart = Testing.chart();
    route(chart, 'a', [{ path: { type: 'PathPrefix', value: '/api/' } }]);
    route(chart, 'b', [{ path: { type: 'PathPrefix', value: '/api' } }]);
    expect(() => Testing.synth(chart)).toThrow('a match that does not tell them apart (PathPrefix /api)');
  });
});

/*
 * The invariant of a shared Gateway, checked by an oracle of its own: for a request each match of
 * each route selects, the Gateway API's precedence (host name, then path, header and query
 * parameter counts) must pick one route; a tie between two routes is decided by their age, which a
 * manifest does not hold.
 */

interface Request {
  readonly listener: string;
  readonly host: string;
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly query: Record<string, string>;
}

function matchesRequest(m: any, request: Request): boolean {
  const path = m.path ?? { type: 'PathPrefix', value: '/' };
  const prefix = path.value.replace(/\/+$/, '');
  const pathOk = path.type === 'Exact' ? request.path === path.value : request.path === prefix || request.path.startsWith(`${prefix}/`) || prefix === '';
  const headersOk = (m.headers ?? []).every((h: any) => {
    const value = request.headers[h.name.toLowerCase()];
    return value !== undefined && (h.type === 'Exact' ? value === h.value : new RegExp(h.value).test(value));
  });
  const queryOk = (m.queryParams ?? []).every((q: any) => request.query[q.name] === q.value);
  return pathOk && headersOk && queryOk;
}

function witness(route: any, m: any, listener: string): Request {
  const headers: Record<string, string> = {};
  for (const h of m.headers ?? []) headers[h.name.toLowerCase()] = h.type === 'Exact' ? h.value : 'witness';
  const query: Record<string, string> = {};
  for (const q of m.queryParams ?? []) query[q.name] = q.value;
  return { listener, host: route.spec.hostnames?.[0] ?? 'witness.invalid', path: m.path?.value ?? '/witness', headers, query };
}

/** The precedence of a route's match for a request, highest first, or undefined when it does not take it. */
function precedence(route: any, m: any, request: Request): number[] | undefined {
  const parent = route.spec.parentRefs[0];
  if (parent.sectionName !== undefined && parent.sectionName !== request.listener) return undefined;
  const hostnames: string[] = route.spec.hostnames ?? [];
  if (hostnames.length > 0 && !hostnames.includes(request.host)) return undefined;
  if (!matchesRequest(m, request)) return undefined;
  const path = m.path ?? { type: 'PathPrefix', value: '/' };
  return [hostnames.length > 0 ? request.host.length : 0, path.type === 'Exact' ? 1 : 0, path.value.length, (m.headers ?? []).length, (m.queryParams ?? []).length];
}

describe('random props', () => {
  const hostnamesArb = fc.constantFrom<string[] | undefined>(undefined, ['shop.example.com'], ['www.example.com'], ['shop.example.com', 'www.example.com']);
  const sectionArb = fc.constantFrom(undefined, 'http', 'https');
  const partArb = fc.oneof(
    fc.record({ kind: fc.constant('rollout' as const), hostnames: hostnamesArb, sectionName: sectionArb, candidate: fc.boolean(), testRoute: fc.boolean() }),
    fc.record({ kind: fc.constant('experiment' as const), hostnames: hostnamesArb, sectionName: sectionArb, match: fc.constantFrom('header', 'query', 'test route header') }),
  );

  test('several constructs on one Gateway: no two routes tie for a request', () => {
    expectBuildsOrRefuses(fc.array(partArb, { minLength: 2, maxLength: 4 }), parts => {
      const chart = new Chart(Testing.app(), 'shop', { namespace: 'shop' });
      parts.forEach((part, i) => {
        const gateway = { name: 'public', namespace: 'gateways', sectionName: part.sectionName };
        if (part.kind === 'rollout') {
          new GatewayRollout(chart, `part${i}`, {
            strategy: part.testRoute ? Strategy.blueGreen({ testRoute: Match.header('x-env', 'green') }) : Strategy.CANARY_10PERCENT_5MINUTES,
            gateway,
            hostnames: part.hostnames,
            stable: revision('1.0'),
            candidate: part.candidate ? revision('1.1') : undefined,
          });
        } else {
          const match = part.match === 'header' ? Match.header('x-beta', 'true') : part.match === 'query' ? Match.queryParameter('beta', 'on') : Match.header('x-env', 'green');
          new GatewayExperiment(chart, `part${i}`, {
            experiment: new Experiment({ name: `test-${i}`, variants: [{ name: 'beta', match }, { name: 'ranked', weight: 10 }] }),
            gateway,
            hostnames: part.hostnames,
            backends: { control: { serviceName: `s${i}`, port: 80 }, beta: { serviceName: `s${i}-beta`, port: 80 }, ranked: { serviceName: `s${i}-ranked`, port: 80 } },
            at,
          });
        }
      });
      const routes = ofKind(validatedManifests(chart), 'HTTPRoute');
      for (const route of routes) {
        for (const rule of route.spec.rules) {
          for (const m of rule.matches ?? [{}]) {
            const request = witness(route, m, route.spec.parentRefs[0].sectionName ?? 'http');
            const matchesOf = (r: any): any[] => r.spec.rules.flatMap((ru: any) => ru.matches ?? [{}]);
            const ranked = routes.flatMap(r => matchesOf(r).map(mm => ({ route: r, rank: precedence(r, mm, request) })))
              .filter(c => c.rank !== undefined)
              .sort((a, b) => compare(b.rank!, a.rank!));
            const top = ranked.filter(c => compare(c.rank!, ranked[0].rank!) === 0).map(c => c.route.metadata.name);
            expect({ request, winners: [...new Set(top)] }).toEqual({ request, winners: [top[0]] });
          }
        }
      }
    }, { quickRuns: 25 });
  });
});

function compare(a: number[], b: number[]): number {
  for (let i = 0; i < a.length; i++) {
    if (a[i] !== b[i]) return a[i] - b[i];
  }
  return 0;
}
