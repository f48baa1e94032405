import { Match, MatchKind } from '../../core/match';
import { fail, struct, arrayOf, isDnsLabel, isDnsSubdomain } from '../../core/private/validation';
import type { GatewayReference, HttpRouteMatch } from '../http-route-rule';

/*
 * What the Gateway API accepts from this library's inputs: a core `Match` as an HTTPRoute match,
 * the Gateway a route attaches to and host names. Limits are those of the
 * `gateway.networking.k8s.io/v1` HTTPRoute schema, checked here so that a mistake fails at synth
 * rather than when the API server rejects the route.
 */

const TOKEN = /^[A-Za-z0-9!#$%&'*+\-.^_`|~]+$/;
const MAX_NAME = 256;
const MAX_HEADER_VALUE = 4096;
const MAX_QUERY_VALUE = 1024;
// RFC 1123 host name, optionally behind one wildcard label; IP addresses are refused below.
const HOSTNAME = /^(\*\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const IPV4 = /^\d+\.\d+\.\d+\.\d+$/;
const MAX_HOSTNAMES = 16;
// The characters with a meaning in RE2, PCRE and POSIX extended regular expressions.
const REGEX_SPECIAL = /[\\^$.*+?()[\]{}|]/g;

/** The header a cookie match reads: the Gateway API has no cookie matcher. */
export const COOKIE_HEADER = 'Cookie';

/** `text` as a regular expression that matches exactly it. */
export function escapeRegex(text: string): string {
  return text.replace(REGEX_SPECIAL, '\\$&');
}

/**
 * A regular expression on the whole `Cookie` header that holds when one of its `;`-separated pairs
 * is exactly `name=value`. Anchored at both ends, so it means the same to implementations that
 * match the whole value (Envoy, RE2) and to those that search within it; `xbeta=true` and
 * `beta=truex` do not match `beta=true`.
 */
export function cookieHeaderPattern(name: string, value: string): string {
  return `^(.*; *)?${escapeRegex(name)}=${escapeRegex(value)}( *;.*)?$`;
}

/**
 * A core `Match` as one HTTPRoute match: a header (`Exact` or `RegularExpression`), a cookie as a
 * regular expression on the `Cookie` header, or a query parameter (`Exact`).
 *
 * @param prop where the match was given, for error messages
 */
export function httpRouteMatch(prop: string, value: unknown): HttpRouteMatch {
  const match = Match._require(prop, value);
  switch (match.kind) {
    case MatchKind.HEADER_EXACT:
      return { headers: [{ type: 'Exact', name: headerName(prop, match), value: headerValue(prop, match, match.value) }] };
    case MatchKind.HEADER_REGEX:
      return { headers: [{ type: 'RegularExpression', name: headerName(prop, match), value: headerValue(prop, match, match.value) }] };
    case MatchKind.COOKIE:
      return { headers: [{ type: 'RegularExpression', name: COOKIE_HEADER, value: headerValue(prop, match, cookieHeaderPattern(match.name, match.value)) }] };
    case MatchKind.QUERY_PARAMETER:
      return { queryParams: [{ type: 'Exact', name: queryName(prop, match), value: queryValue(prop, match) }] };
  }
}

/**
 * The number of header conditions of an HTTPRoute match, the Gateway API's precedence between
 * rules with the same path: more header conditions win over more query parameter conditions,
 * whatever the order of the rules.
 */
export function headerConditions(match: Match): number {
  return match.kind === MatchKind.QUERY_PARAMETER ? 0 : 1;
}

function headerName(prop: string, match: Match): string {
  if (match.name.length > MAX_NAME) {
    fail(prop, match.describe(), `the Gateway API matches header names of at most ${MAX_NAME} characters`, 'Use a shorter header name.');
  }
  return match.name;
}

function headerValue(prop: string, match: Match, value: string): string {
  if ([...value].length > MAX_HEADER_VALUE) {
    const what = match.kind === MatchKind.COOKIE ? 'a cookie match becomes a regular expression on the Cookie header, and the Gateway API matches header values'
      : 'the Gateway API matches header values';
    fail(prop, match.describe(), `${what} of at most ${MAX_HEADER_VALUE} characters`, 'Use a shorter value.');
  }
  return value;
}

function queryName(prop: string, match: Match): string {
  if (!TOKEN.test(match.name) || match.name.length > MAX_NAME) {
    fail(prop, match.describe(),
      `the Gateway API matches query parameter names that are tokens (letters, digits and !#$%&'*+-.^_\`|~) of at most ${MAX_NAME} characters`,
      'Use a parameter name such as "variant", or match a header instead.');
  }
  return match.name;
}

function queryValue(prop: string, match: Match): string {
  if ([...match.value].length > MAX_QUERY_VALUE) {
    fail(prop, match.describe(), `the Gateway API matches query parameter values of at most ${MAX_QUERY_VALUE} characters`, 'Use a shorter value.');
  }
  return match.value;
}

/** The Gateway a route attaches to, checked as the HTTPRoute schema and Kubernetes names require. */
export function gatewayReference(prop: string, value: unknown): GatewayReference {
  const ref = struct<GatewayReference>(prop, value, 'Pass the Gateway, such as { name: "public", namespace: "gateways" }.');
  if (!isDnsSubdomain(ref.name)) {
    fail(`${prop}.name`, ref.name, 'a Gateway name is a DNS subdomain: lowercase letters, digits, "-" and ".", at most 253 characters',
      'Use the name of the Gateway, such as "public".');
  }
  if (ref.namespace !== undefined && !isDnsLabel(ref.namespace)) {
    fail(`${prop}.namespace`, ref.namespace, 'a namespace is a DNS label: 1-63 lowercase letters, digits or "-", starting and ending with a letter or digit',
      'Use the Gateway\'s namespace, such as "gateways", or leave it out for the route\'s namespace.');
  }
  if (ref.sectionName !== undefined && !isDnsSubdomain(ref.sectionName)) {
    fail(`${prop}.sectionName`, ref.sectionName, 'a listener name is a DNS subdomain: lowercase letters, digits, "-" and ".", at most 253 characters',
      'Use the name of one of the Gateway\'s listeners, such as "https", or leave it out to attach to every listener.');
  }
  // Only the declared fields, so a stray property cannot reach the manifest.
  return { name: ref.name, namespace: ref.namespace, sectionName: ref.sectionName };
}

/** Host names of a route: at most 16, each a lowercase DNS name, optionally behind a `*.` wildcard, not an IP address. */
export function routeHostnames(prop: string, value: unknown): string[] | undefined {
  if (value === undefined) return undefined;
  const hostnames = arrayOf<unknown>(prop, value, 'Pass host names such as ["shop.example.com"].');
  if (hostnames.length === 0 || hostnames.length > MAX_HOSTNAMES) {
    fail(prop, hostnames, `an HTTPRoute lists 1 to ${MAX_HOSTNAMES} host names`, 'Leave hostnames out to serve every host name the Gateway listener accepts, or split the hosts across routes.');
  }
  hostnames.forEach((h, i) => {
    if (typeof h !== 'string' || h.length > 253 || !HOSTNAME.test(h) || IPV4.test(h)) {
      fail(`${prop}[${i}]`, h, 'a host name is a lowercase DNS name, optionally starting with one "*." wildcard label, and not an IP address',
        'Use a host name such as "shop.example.com" or "*.example.com".');
    }
  });
  return hostnames as string[];
}
