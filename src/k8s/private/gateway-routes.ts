import type { ApiObject } from 'cdk8s';
import type { IConstruct } from 'constructs';
import { fail } from '../../core/private/validation';
import type { GatewayReference, HttpRouteMatch, HttpRouteRule } from '../http-route-rule';

/** What the Gateway check reads of one HTTPRoute the library renders. */
export interface RouteFacts {
  readonly route: ApiObject;
  readonly parents: GatewayReference[];
  readonly hostnames?: string[];
  readonly rules: HttpRouteRule[];
}

const ROUTES = new WeakMap<IConstruct, RouteFacts[]>();
const OWNERS = new WeakMap<ApiObject, string>();

/**
 * Registers an HTTPRoute of the library (`HttpRoute`, and so the routes of `GatewayRollout`,
 * `GatewayExperiment` and `ArgoRollout`). The first one of an app adds the Gateway check to the
 * app's root, which cdk8s runs at `app.synth()` and `Testing.synth()`.
 */
export function registerHttpRoute(facts: RouteFacts): void {
  const root = facts.route.node.root;
  let routes = ROUTES.get(root);
  if (routes === undefined) {
    const registered: RouteFacts[] = [];
    routes = registered;
    ROUTES.set(root, registered);
    root.node.addValidation({ validate: () => checkGateways(registered) });
  }
  routes.push(facts);
}

/** Names the construct that rendered a route, for messages: `GatewayRollout shop/www`. */
export function describeRouteOwner(route: ApiObject, where: string): void {
  OWNERS.set(route, where);
}

/**
 * Two routes of the library on one Gateway (and listener) that cannot be told apart: hostnames of
 * equal precedence (the same host name, or none on either, which serves every host) and a match
 * in each that selects the same requests with the same specificity. The Gateway API breaks such a
 * tie by the routes' age, then by namespace/name (HTTPRoute `spec.rules[].matches`, "If ties still
 * exist across multiple Routes"): one route silently takes all of those requests.
 * https://gateway-api.sigs.k8s.io/reference/spec/#httprouterule
 */
function checkGateways(routes: RouteFacts[]): string[] {
  // Each route's matches with their keys, computed once: the pairs are many in a large app.
  const keyed = routes.map(r => matchesOf(r).map(m => ({ match: m, key: matchKey(m) })));
  const keys = keyed.map(list => new Set(list.map(k => k.key)));
  for (const [j, earlier] of tiePairs(routes, keys)) {
    for (const i of earlier) {
      const [first, second] = [routes[i], routes[j]];
      const tie = keyed[j].find(k => keys[i].has(k.key))?.match;
      if (tie === undefined) continue;
      const gateway = sharedParent(first, second);
      if (gateway === undefined) continue;
      const hosts = sharedHostnames(first, second);
      if (hosts === undefined) continue;
      fail(`${OWNERS.get(second.route) ?? `HttpRoute ${second.route.node.path}`}: hostnames`, second.hostnames?.length ? second.hostnames.join(', ') : undefined,
        `its HTTPRoute ${routeName(second)} and ${describeRoute(first)} both attach to ${gateway} with ${hosts} and a match that does not tell them apart `
        + `(${describeMatch(tie)}); the Gateway API gives such a tie to the older route, then to the first by namespace/name, so one of the two would receive none of these requests`,
        'Give the routes hostnames that tell them apart, such as hostnames: ["shop.example.com"] on one of them; or give each its own match (a path prefix, a header); '
        + 'or attach them to different listeners of the Gateway (sectionName).');
    }
  }
  return [];
}

/**
 * The pairs of routes that can tie, as each route's index with the earlier routes it may tie with, both
 * in ascending order (the order the check reports in): routes tie only on a shared match key and a shared
 * host name (or none on either), so routes are bucketed by those and compared within a bucket. A
 * platform's routes on one Gateway usually differ by host name: the check stays linear in their number.
 */
function tiePairs(routes: RouteFacts[], keys: Array<Set<string>>): Array<[number, number[]]> {
  const buckets = new Map<string, number[]>();
  routes.forEach((route, index) => {
    const hosts = new Set(route.hostnames?.length ? route.hostnames.map(h => h.toLowerCase()) : ['']);
    for (const key of keys[index]) {
      for (const host of hosts) {
        const bucket = buckets.get(`${host}\n${key}`) ?? [];
        bucket.push(index);
        buckets.set(`${host}\n${key}`, bucket);
      }
    }
  });
  const earlier = new Map<number, Set<number>>();
  for (const bucket of buckets.values()) {
    for (let b = 1; b < bucket.length; b++) {
      const set = earlier.get(bucket[b]) ?? new Set<number>();
      for (let a = 0; a < b; a++) set.add(bucket[a]);
      earlier.set(bucket[b], set);
    }
  }
  return [...earlier].sort(([x], [y]) => x - y).map(([j, set]) => [j, [...set].sort((x, y) => x - y)]);
}

/** The Gateway both routes attach to, for messages (`the Gateway gateways/public, listener https`), if any. */
function sharedParent(a: RouteFacts, b: RouteFacts): string | undefined {
  for (const pa of a.parents) {
    for (const pb of b.parents) {
      const nsA = pa.namespace ?? a.route.metadata.namespace;
      const nsB = pb.namespace ?? b.route.metadata.namespace;
      if (pa.name !== pb.name || nsA !== nsB) continue;
      if (pa.sectionName !== undefined && pb.sectionName !== undefined && pa.sectionName !== pb.sectionName) continue;
      const section = pa.sectionName ?? pb.sectionName;
      return `the Gateway ${nsA === undefined ? '' : `${nsA}/`}${pa.name}${section === undefined ? '' : `, listener ${section}`}`;
    }
  }
  return undefined;
}

/**
 * How the routes' host names tie, for messages, or undefined when they do not: a route with a
 * host name that the other lacks takes precedence for it (the most characters in a matching host
 * name win), so only the same host name on both, or none on either, is a tie.
 */
function sharedHostnames(a: RouteFacts, b: RouteFacts): string | undefined {
  const hostsA = a.hostnames ?? [];
  const hostsB = b.hostnames ?? [];
  if (hostsA.length === 0 && hostsB.length === 0) return 'no hostnames (every host name the listener accepts)';
  const shared = hostsA.filter(h => hostsB.some(o => o.toLowerCase() === h.toLowerCase()));
  return shared.length === 0 ? undefined : `the host name ${shared.map(h => JSON.stringify(h)).join(', ')}`;
}

/** Every match of a route; a rule without matches matches every path (`PathPrefix /`). */
function matchesOf(facts: RouteFacts): HttpRouteMatch[] {
  return facts.rules.flatMap(r => (r.matches === undefined || r.matches.length === 0 ? [{}] : r.matches));
}

/** A match in a form where two matches of the same requests and specificity compare equal. */
function matchKey(match: HttpRouteMatch): string {
  const path = match.path ?? { type: 'PathPrefix', value: '/' };
  // A prefix ignores a trailing "/": "/api/" and "/api" match the same paths.
  const pathValue = path.type === 'PathPrefix' && path.value.length > 1 ? path.value.replace(/\/+$/, '') : path.value;
  const headers = (match.headers ?? []).map(h => [h.type, h.name.toLowerCase(), h.value]).sort();
  const query = (match.queryParams ?? []).map(q => [q.type, q.name, q.value]).sort();
  return JSON.stringify([path.type, pathValue, headers, query]);
}

function describeMatch(match: HttpRouteMatch): string {
  const path = match.path ?? { type: 'PathPrefix', value: '/' };
  const parts = [`${path.type} ${path.value}`];
  for (const h of match.headers ?? []) parts.push(`header ${h.name} ${h.type === 'Exact' ? '=' : '~'} ${JSON.stringify(h.value)}`);
  for (const q of match.queryParams ?? []) parts.push(`query parameter ${q.name} ${q.type === 'Exact' ? '=' : '~'} ${JSON.stringify(q.value)}`);
  const every = match.path === undefined && parts.length === 1 ? 'every request: ' : '';
  return `${every}${parts.join(', ')}`;
}

function routeName(facts: RouteFacts): string {
  const namespace = facts.route.metadata.namespace;
  return `${namespace === undefined ? '' : `${namespace}/`}${facts.route.name}`;
}

function describeRoute(facts: RouteFacts): string {
  const owner = OWNERS.get(facts.route);
  return `the HTTPRoute ${routeName(facts)}${owner === undefined ? '' : ` of ${owner}`}`;
}
