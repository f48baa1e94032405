import { Testing } from 'cdk8s';
import * as fc from 'fast-check';
import { Match } from '../../../src';
import { HttpRoute } from '../../../src/k8s/http-route';
import {
  cookieHeaderPattern, escapeRegex, gatewayReference, headerConditions, httpRouteMatch, routeHostnames,
} from '../../../src/k8s/private/gateway-match';
import { validatedManifests } from '../../support/k8s';
import { expectValidationError } from '../../support/validation-error';

const where = 'Test: match';

/** Whether a Cookie header selects the cookie, as an implementation matching the whole value (RE2, Envoy) would. */
function selects(match: Match, cookieHeader: string): boolean {
  const header = httpRouteMatch(where, match).headers![0];
  expect(header.name).toBe('Cookie');
  expect(header.type).toBe('RegularExpression');
  return new RegExp(header.value).test(cookieHeader);
}

describe('httpRouteMatch', () => {
  test('a header match is an Exact header condition', () => {
    expect(httpRouteMatch(where, Match.header('X-Canary', 'always'))).toEqual({
      headers: [{ type: 'Exact', name: 'X-Canary', value: 'always' }],
    });
  });

  test('a header regex is a RegularExpression header condition, the pattern unchanged', () => {
    expect(httpRouteMatch(where, Match.headerRegex('user-agent', '.*Mobile.*'))).toEqual({
      headers: [{ type: 'RegularExpression', name: 'user-agent', value: '.*Mobile.*' }],
    });
  });

  test('a query parameter is an Exact query parameter condition', () => {
    expect(httpRouteMatch(where, Match.queryParameter('variant', 'b'))).toEqual({
      queryParams: [{ type: 'Exact', name: 'variant', value: 'b' }],
    });
  });

  test('a cookie is a RegularExpression on the Cookie header, anchored at both ends', () => {
    expect(httpRouteMatch(where, Match.cookie('beta', 'true'))).toEqual({
      headers: [{ type: 'RegularExpression', name: 'Cookie', value: '^(.*; *)?beta=true( *;.*)?$' }],
    });
  });

  test('every kind of match passes the HTTPRoute schema', () => {
    const chart = Testing.chart();
    const matches = [Match.header('x-canary', 'always'), Match.headerRegex('user-agent', '.*Mobile.*'),
      Match.queryParameter('variant', 'b'), Match.cookie('beta', '"a(b)c"')];
    new HttpRoute(chart, 'Route', {
      parentRefs: [{ name: 'public' }],
      rules: matches.map(m => ({ matches: [httpRouteMatch(where, m)], backendRefs: [{ name: 'web', port: 80 }] })),
    });
    expect(validatedManifests(chart)[0].spec.rules).toHaveLength(4);
  });

  test('refuses what is not a Match', () => {
    expectValidationError(() => httpRouteMatch(where, { kind: 'HEADER_EXACT', name: 'x', value: 'y' }),
      'Test: match is an object: a match is made with Match.header(), Match.headerRegex(), Match.cookie() or Match.queryParameter(). For example Match.header("x-variant", "b").');
  });
});

describe('the cookie pattern, against real Cookie headers', () => {
  const beta = Match.cookie('beta', 'true');

  test.each([
    'beta=true',
    'beta=true; theme=dark',
    'session=4f2a9c; beta=true',
    'session=4f2a9c; beta=true; theme=dark',
    '_ga=GA1.2.1234567890.1700000000; _gid=GA1.2.987654321.1700000000; beta=true',
    'session=4f2a9c;beta=true;theme=dark',
    'beta=false; beta=true',
  ])('selects %j', (header) => {
    expect(selects(beta, header)).toBe(true);
  });

  test.each([
    '',
    'beta=false',
    'xbeta=true',
    'beta=truex',
    'beta=true2; theme=dark',
    'session=4f2a9c; xbeta=true',
    'session=4f2a9c; beta=truex; theme=dark',
    'Beta=true',
    'beta=TRUE',
    'prefs=beta=true',
    'note=beta=true; theme=dark',
    'beta="true"',
    'beta = true',
  ])('does not select %j', (header) => {
    expect(selects(beta, header)).toBe(false);
  });

  test('escapes regular expression characters in the name and the value', () => {
    const odd = Match.cookie('a.b|c*', '(x)[y]{z}^$+?./|');
    expect(httpRouteMatch(where, odd).headers![0].value).toBe(String.raw`^(.*; *)?a\.b\|c\*=\(x\)\[y\]\{z\}\^\$\+\?\./\|( *;.*)?$`);
    expect(selects(odd, 'sid=1; a.b|c*=(x)[y]{z}^$+?./|; theme=dark')).toBe(true);
    expect(selects(odd, 'aXb|c*=(x)[y]{z}^$+?./|')).toBe(false);
    expect(selects(odd, 'a.b|cc=(x)[y]{z}^$+?./|')).toBe(false);
    expect(selects(odd, 'a.b|c*=x[y]{z}^$+?./|')).toBe(false);
    expect(selects(odd, 'a.b|c*=(x)[y]{z}^$+?.X|')).toBe(false);
  });

  test('keeps a quoted value quoted', () => {
    const quoted = Match.cookie('beta', '"on"');
    expect(selects(quoted, 'beta="on"')).toBe(true);
    expect(selects(quoted, 'beta=on')).toBe(false);
  });

  test('any cookie: selected among other pairs, never with a character added around it', () => {
    const tokenChar = fc.constantFrom(...'!#$%&\'*+-.^_`|~09AZaz'.split(''));
    const valueChar = fc.constantFrom(...'!#$%&\'()*+-./09:<=>?@AZ[]^_`az{|}~'.split(''));
    const token = fc.array(tokenChar, { minLength: 1, maxLength: 8 }).map(a => a.join(''));
    const value = fc.array(valueChar, { minLength: 1, maxLength: 8 }).map(a => a.join(''));
    const pair = fc.tuple(token, value).map(([n, v]) => `${n}=${v}`);
    fc.assert(fc.property(token, value, fc.array(pair, { maxLength: 3 }), fc.array(pair, { maxLength: 3 }), valueChar,
      (name, val, before, after, extra) => {
        const match = Match.cookie(name, val);
        const header = (middle: string) => [...before, middle, ...after].join('; ');
        expect(selects(match, header(`${name}=${val}`))).toBe(true);
        const others = [...before, ...after];
        if (!others.includes(`${extra}${name}=${val}`)) expect(selects(match, header(`${extra}${name}=${val}`))).toBe(false);
        if (!others.includes(`${name}=${val}${extra}`)) expect(selects(match, header(`${name}=${val}${extra}`))).toBe(false);
      }), { numRuns: 500 });
  });
});

describe('escapeRegex and cookieHeaderPattern', () => {
  test('escape exactly the regular expression characters', () => {
    expect(escapeRegex('a.b*c+d?e^f$g|h(i)j[k]l{m}n\\o-p/q')).toBe('a\\.b\\*c\\+d\\?e\\^f\\$g\\|h\\(i\\)j\\[k\\]l\\{m\\}n\\\\o-p/q');
    expect(cookieHeaderPattern('beta', 'true')).toBe('^(.*; *)?beta=true( *;.*)?$');
  });
});

describe('headerConditions', () => {
  test('header and cookie matches count one header condition, a query parameter none', () => {
    expect(headerConditions(Match.header('x', 'y'))).toBe(1);
    expect(headerConditions(Match.headerRegex('x', '.*'))).toBe(1);
    expect(headerConditions(Match.cookie('x', 'y'))).toBe(1);
    expect(headerConditions(Match.queryParameter('x', 'y'))).toBe(0);
  });
});

describe('Gateway API limits of a match', () => {
  test('a query parameter name that is not a token', () => {
    expectValidationError(() => httpRouteMatch(where, Match.queryParameter('my param', 'b')),
      'Test: match is "query my param=b": the Gateway API matches query parameter names that are tokens (letters, digits and !#$%&\'*+-.^_`|~) of at most 256 characters. Use a parameter name such as "variant", or match a header instead.');
  });

  test('a query parameter value over 1024 characters', () => {
    const long = 'v'.repeat(1025);
    expect(httpRouteMatch(where, Match.queryParameter('q', 'v'.repeat(1024))).queryParams![0].value).toHaveLength(1024);
    expectValidationError(() => httpRouteMatch(where, Match.queryParameter('q', long)),
      `Test: match is "query q=${long}": the Gateway API matches query parameter values of at most 1024 characters. Use a shorter value.`);
  });

  test('a header name over 256 characters', () => {
    const name = 'x'.repeat(257);
    expectValidationError(() => httpRouteMatch(where, Match.header(name, 'v')),
      `Test: match is "header ${name}=v": the Gateway API matches header names of at most 256 characters. Use a shorter header name.`);
  });

  test('a header value over 4096 characters', () => {
    const long = 'v'.repeat(4097);
    expect(httpRouteMatch(where, Match.header('x', 'v'.repeat(4096))).headers![0].value).toHaveLength(4096);
    expectValidationError(() => httpRouteMatch(where, Match.headerRegex('x', long)),
      `Test: match is "header x~/${long}/": the Gateway API matches header values of at most 4096 characters. Use a shorter value.`);
  });

  test('a cookie whose pattern would exceed 4096 characters', () => {
    const long = 'v'.repeat(4080);
    expectValidationError(() => httpRouteMatch(where, Match.cookie('beta', long)),
      `Test: match is "cookie beta=${long}": a cookie match becomes a regular expression on the Cookie header, and the Gateway API matches header values of at most 4096 characters. Use a shorter value.`);
  });
});

describe('gatewayReference', () => {
  test('keeps the declared fields only', () => {
    expect(gatewayReference('P', { name: 'public', namespace: 'gateways', sectionName: 'https', port: 443 })).toEqual({
      name: 'public', namespace: 'gateways', sectionName: 'https',
    });
    expect(gatewayReference('P', { name: 'edge.public' })).toEqual({ name: 'edge.public' });
  });

  test.each([
    [undefined, 'P is undefined: it must be an object. Pass the Gateway, such as { name: "public", namespace: "gateways" }.'],
    [{}, 'P.name is undefined: a Gateway name is a DNS subdomain: lowercase letters, digits, "-" and ".", at most 253 characters. Use the name of the Gateway, such as "public".'],
    [{ name: 'Public' }, 'P.name is "Public": a Gateway name is a DNS subdomain: lowercase letters, digits, "-" and ".", at most 253 characters. Use the name of the Gateway, such as "public".'],
    [{ name: 'public', namespace: 'gate.ways' }, 'P.namespace is "gate.ways": a namespace is a DNS label: 1-63 lowercase letters, digits or "-", starting and ending with a letter or digit. Use the Gateway\'s namespace, such as "gateways", or leave it out for the route\'s namespace.'],
    [{ name: 'public', sectionName: 'HTTPS' }, 'P.sectionName is "HTTPS": a listener name is a DNS subdomain: lowercase letters, digits, "-" and ".", at most 253 characters. Use the name of one of the Gateway\'s listeners, such as "https", or leave it out to attach to every listener.'],
  ])('refuses %j', (value, message) => {
    expectValidationError(() => gatewayReference('P', value), message);
  });
});

describe('routeHostnames', () => {
  test('accepts host names and wildcards, and nothing', () => {
    expect(routeHostnames('P', ['shop.example.com', '*.example.com', 'localhost'])).toEqual(['shop.example.com', '*.example.com', 'localhost']);
    expect(routeHostnames('P', undefined)).toBeUndefined();
  });

  test.each([
    ['not an array', 'shop.example.com', 'P is "shop.example.com": it must be an array. Pass host names such as ["shop.example.com"].'],
    ['empty', [], 'P is an empty array: an HTTPRoute lists 1 to 16 host names. Leave hostnames out to serve every host name the Gateway listener accepts, or split the hosts across routes.'],
    ['17 of them', Array.from({ length: 17 }, (_, i) => `h${i}.example.com`), 'P is an array of 17: an HTTPRoute lists 1 to 16 host names. Leave hostnames out to serve every host name the Gateway listener accepts, or split the hosts across routes.'],
    ['upper case', ['Shop.example.com'], 'P[0] is "Shop.example.com": a host name is a lowercase DNS name, optionally starting with one "*." wildcard label, and not an IP address. Use a host name such as "shop.example.com" or "*.example.com".'],
    ['an inner wildcard', ['shop.*.com'], 'P[0] is "shop.*.com": a host name is a lowercase DNS name, optionally starting with one "*." wildcard label, and not an IP address. Use a host name such as "shop.example.com" or "*.example.com".'],
    ['an IP address', ['10.0.0.1'], 'P[0] is "10.0.0.1": a host name is a lowercase DNS name, optionally starting with one "*." wildcard label, and not an IP address. Use a host name such as "shop.example.com" or "*.example.com".'],
    ['a port', ['shop.example.com:443'], 'P[0] is "shop.example.com:443": a host name is a lowercase DNS name, optionally starting with one "*." wildcard label, and not an IP address. Use a host name such as "shop.example.com" or "*.example.com".'],
  ])('refuses %s', (_, value, message) => {
    expectValidationError(() => routeHostnames('P', value), message);
  });
});
