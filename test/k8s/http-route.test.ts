import { Testing } from 'cdk8s';
import * as fc from 'fast-check';
import { HttpRoute, HttpRouteProps } from '../../src/k8s/http-route';
import { HttpBackendRef, HttpRouteRule } from '../../src/k8s/http-route-rule';
import { dnsLabelArb } from '../support/arbitraries';
import { validatedManifests } from '../support/k8s';
import { tidyOrNot } from '../support/k8s-arbitraries';
import { expectBuildsOrRefuses } from '../support/properties';
import { expectValidationError } from '../support/validation-error';

const where = 'HttpRoute test/Route';
const web: HttpBackendRef = { name: 'web', port: 80 };

function route(props: HttpRouteProps) {
  const chart = Testing.chart();
  new HttpRoute(chart, 'Route', props);
  return chart;
}

function attempt(props: unknown) {
  return () => route(props as HttpRouteProps);
}

describe('output', () => {
  test('a gateway.networking.k8s.io/v1 HTTPRoute with the parents, host names and rules given', () => {
    const chart = route({
      metadata: { name: 'shop', labels: { team: 'checkout' } },
      parentRefs: [{ name: 'public', namespace: 'gateways', sectionName: 'https' }, { name: 'internal' }],
      hostnames: ['shop.example.com'],
      rules: [
        { matches: [{ headers: [{ type: 'Exact', name: 'x-canary', value: 'always' }] }], backendRefs: [{ name: 'web-canary', port: 80 }] },
        {
          matches: [{ path: { type: 'PathPrefix', value: '/api' }, queryParams: [{ type: 'Exact', name: 'v', value: '2' }] }],
          backendRefs: [{ name: 'web', port: 80, weight: 875 }, { name: 'web-canary', port: 8080, weight: 125, namespace: 'canary' }],
        },
        { backendRefs: [web] },
      ],
    });
    const [object] = validatedManifests(chart);
    expect(object).toEqual({
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'HTTPRoute',
      metadata: { name: 'shop', labels: { team: 'checkout' } },
      spec: {
        parentRefs: [{ name: 'public', namespace: 'gateways', sectionName: 'https' }, { name: 'internal' }],
        hostnames: ['shop.example.com'],
        rules: [
          { matches: [{ headers: [{ type: 'Exact', name: 'x-canary', value: 'always' }] }], backendRefs: [{ name: 'web-canary', port: 80 }] },
          {
            matches: [{ path: { type: 'PathPrefix', value: '/api' }, queryParams: [{ type: 'Exact', name: 'v', value: '2' }] }],
            backendRefs: [{ name: 'web', port: 80, weight: 875 }, { name: 'web-canary', port: 8080, weight: 125, namespace: 'canary' }],
          },
          { backendRefs: [web] },
        ],
      },
    });
    expect(HttpRoute.API_VERSION).toBe('gateway.networking.k8s.io/v1');
    expect(HttpRoute.KIND).toBe('HTTPRoute');
  });

  test('without metadata or host names: a generated name and no hostnames field', () => {
    const [object] = validatedManifests(route({ parentRefs: [{ name: 'public' }], rules: [{ backendRefs: [web] }] }));
    expect(Object.keys(object.metadata)).toEqual(['name']);
    expect(object.metadata.name).toMatch(/^test-route-[0-9a-f]{8}$/);
    expect(object.spec).toEqual({ parentRefs: [{ name: 'public' }], rules: [{ backendRefs: [web] }] });
  });

  test('carries only the declared fields of parents and rules', () => {
    const [object] = validatedManifests(route({
      parentRefs: [{ name: 'public', kind: 'Gateway', port: 443 } as any],
      rules: [{ backendRefs: [web], filters: [{ type: 'RequestMirror' }] } as any],
    }));
    expect(object.spec).toEqual({ parentRefs: [{ name: 'public' }], rules: [{ backendRefs: [web] }] });
  });

  test('carries only the declared fields of matches and backends', () => {
    const [object] = validatedManifests(route({
      parentRefs: [{ name: 'public' }],
      rules: [{
        matches: [{ headers: [{ type: 'Exact', name: 'x-env', value: 'green', extra: 1 }], method: 'GET' } as any],
        backendRefs: [{ ...web, weight: 1, kind: 'Service', filters: [] } as any],
      }],
    }));
    expect(object.spec.rules).toEqual([{
      matches: [{ headers: [{ type: 'Exact', name: 'x-env', value: 'green' }] }],
      backendRefs: [{ name: 'web', port: 80, weight: 1 }],
    }]);
  });

  test('accepts the limits themselves: 16 rules, 16 backends, 64 matches, weight 0 and 1,000,000', () => {
    const sixteenRules = Array.from({ length: 16 }, (): HttpRouteRule => ({ backendRefs: [web] }));
    expect(validatedManifests(route({ parentRefs: [{ name: 'public' }], rules: sixteenRules }))[0].spec.rules).toHaveLength(16);
    const sixteen = Array.from({ length: 16 }, (_, i): HttpBackendRef => ({ name: `web-${i}`, port: 80, weight: i === 0 ? 1_000_000 : 0 }));
    const rules: HttpRouteRule[] = Array.from({ length: 16 }, (_, i) => ({
      matches: i === 0 ? Array.from({ length: 64 }, (__, j) => ({ headers: [{ type: 'Exact', name: 'x-user', value: `u${j}` }] })) : undefined,
      backendRefs: i === 15 ? sixteen : [web],
    }));
    // Not checked against the test schemas: @kubernetes-models/gateway-api 0.5.1 is Gateway API v1.0,
    // which allowed 8 matches per rule; 64 is the limit since v1.2 (kubernetes-sigs/gateway-api#3205).
    const [object] = Testing.synth(route({ parentRefs: [{ name: 'public' }], rules }));
    expect(object.spec.rules).toHaveLength(16);
    expect(object.spec.rules[0].matches).toHaveLength(64);
    expect(object.spec.rules[15].backendRefs).toHaveLength(16);
  });
});

describe('limits, each with its exact error', () => {
  const rules = [{ backendRefs: [web] }];
  const parentRefs = [{ name: 'public' }];

  test('props must be an object', () => {
    expectValidationError(attempt(undefined), `${where}: props is undefined: it must be an object. Pass { parentRefs, rules }.`);
  });

  test('parentRefs must be an array', () => {
    expectValidationError(attempt({ parentRefs: { name: 'public' }, rules }),
      `${where}: parentRefs is an object: it must be an array. Pass [{ name: "my-gateway" }].`);
  });

  test('at least one parent', () => {
    expectValidationError(attempt({ parentRefs: [], rules }),
      `${where}: parentRefs is an empty array: a route attaches to at least one Gateway. Name the Gateway, such as [{ name: "my-gateway" }].`);
  });

  test('rules must be an array', () => {
    expectValidationError(attempt({ parentRefs }),
      `${where}: rules is undefined: it must be an array. Pass rules such as [{ backendRefs: [{ name: "web", port: 80 }] }].`);
  });

  test('at least one rule', () => {
    expectValidationError(attempt({ parentRefs, rules: [] }),
      `${where}: rules is an empty array: an HTTPRoute holds 1 to 16 rules. Split the routes across several HTTPRoutes.`);
  });

  test('at most 16 rules', () => {
    expectValidationError(attempt({ parentRefs, rules: Array.from({ length: 17 }, () => ({ backendRefs: [web] })) }),
      `${where}: rules is an array of 17: an HTTPRoute holds 1 to 16 rules. Split the routes across several HTTPRoutes.`);
  });

  test('a rule must be an object', () => {
    expectValidationError(attempt({ parentRefs, rules: [{ backendRefs: [web] }, undefined] }),
      `${where}: rules[1] is undefined: it must be an object. Pass a rule such as { backendRefs: [{ name: "web", port: 80 }] }.`);
  });

  test('backendRefs must be an array', () => {
    expectValidationError(attempt({ parentRefs, rules: [{ backendRefs: web }] }),
      `${where}: rules[0].backendRefs is an object: it must be an array. Pass [{ name: "web", port: 80 }].`);
  });

  test('at least one backend per rule', () => {
    expectValidationError(attempt({ parentRefs, rules: [{ backendRefs: [] }] }),
      `${where}: rules[0].backendRefs is an empty array: an HTTPRoute rule sends to 1 to 16 backends. Send to at most 16 Services from one rule, or split the variants across rules.`);
  });

  test('at most 16 backends per rule', () => {
    expectValidationError(attempt({ parentRefs, rules: [{ backendRefs: Array.from({ length: 17 }, () => web) }] }),
      `${where}: rules[0].backendRefs is an array of 17: an HTTPRoute rule sends to 1 to 16 backends. Send to at most 16 Services from one rule, or split the variants across rules.`);
  });

  test.each([
    [-1, '-1'],
    [1_000_001, '1000001'],
    [12.5, '12.5'],
    [NaN, 'NaN'],
    ['10', '"10"'],
  ])('a backend weight of %p', (weight, shown) => {
    expectValidationError(attempt({ parentRefs, rules: [{ backendRefs: [web, { ...web, weight }] }] }),
      `${where}: rules[0].backendRefs[1].weight is ${shown}: a backend weight is a whole number from 0 to 1000000. Use relative weights such as 90 and 10.`);
  });

  test('matches must be an array', () => {
    expectValidationError(attempt({ parentRefs, rules: [{ matches: { headers: [] }, backendRefs: [web] }] }),
      `${where}: rules[0].matches is an object: it must be an array. Pass [{ headers: [...] }].`);
  });

  test('at most 64 matches per rule', () => {
    const matches = Array.from({ length: 65 }, (_, j) => ({ headers: [{ type: 'Exact', name: 'x-user', value: `u${j}` }] }));
    expectValidationError(attempt({ parentRefs, rules: [{ matches, backendRefs: [web] }] }),
      `${where}: rules[0].matches is an array of 65: an HTTPRoute rule holds at most 64 matches. Split the matches across rules.`);
  });

  test('at most 128 matches across the rules', () => {
    const matches = Array.from({ length: 43 }, (_, j) => ({ headers: [{ type: 'Exact', name: 'x-user', value: `u${j}` }] }));
    expectValidationError(attempt({ parentRefs, rules: [1, 2, 3].map(() => ({ matches, backendRefs: [web] })) }),
      `${where}: rules is an array of 3: an HTTPRoute holds at most 128 matches across its rules (a rule without matches counts as one), and these hold 129. Split the routes across several HTTPRoutes.`);
  });

  test('a rule without matches counts as one match toward the 128, as the API server adds one', () => {
    const matches = Array.from({ length: 64 }, (_, j) => ({ headers: [{ type: 'Exact', name: 'x-user', value: `u${j}` }] }));
    const full = [{ matches, backendRefs: [web] }, { matches, backendRefs: [web] }];
    expect(() => Testing.synth(route({ parentRefs, rules: full }))).not.toThrow();
    expectValidationError(attempt({ parentRefs, rules: [...full, { backendRefs: [web] }] }),
      `${where}: rules is an array of 3: an HTTPRoute holds at most 128 matches across its rules (a rule without matches counts as one), and these hold 129. Split the routes across several HTTPRoutes.`);
  });
});

// Each element is checked, so a JavaScript caller's mistake fails with the library's error, never a TypeError.
describe('elements, each with its exact error', () => {
  const parentRefs = [{ name: 'public' }];
  const rule = (match: unknown) => ({ parentRefs, rules: [{ matches: [match], backendRefs: [web] }] });
  const header = (fields: Record<string, unknown>) => rule({ headers: [{ type: 'Exact', name: 'x-env', value: 'green', ...fields }] });
  const query = (fields: Record<string, unknown>) => rule({ queryParams: [{ type: 'Exact', name: 'v', value: '2', ...fields }] });
  const backend = (fields: Record<string, unknown>) => ({ parentRefs, rules: [{ backendRefs: [{ ...web, ...fields }] }] });

  test.each([
    // Found by the random props: a number failed the schema, and a name the API server refuses passed it.
    ['a name that is not a string', { metadata: { name: 42 }, parentRefs, rules: [{ backendRefs: [web] }] },
      `${where}: metadata.name is 42: an object name is a DNS subdomain: lowercase letters, digits, "-" and ".", at most 253 characters. Use a name such as "shop", or leave it out for a name generated by cdk8s.`],
    ['a name that is not a DNS subdomain', { metadata: { name: 'Shop_Route' }, parentRefs, rules: [{ backendRefs: [web] }] },
      `${where}: metadata.name is "Shop_Route": an object name is a DNS subdomain: lowercase letters, digits, "-" and ".", at most 253 characters. Use a name such as "shop", or leave it out for a name generated by cdk8s.`],
    ['a namespace that is not a DNS label', { metadata: { namespace: 'shop.eu' }, parentRefs, rules: [{ backendRefs: [web] }] },
      `${where}: metadata.namespace is "shop.eu": a namespace is a DNS label: 1-63 lowercase letters, digits or "-", starting and ending with a letter or digit. Use a namespace such as "shop", or leave it out for the chart's.`],
    ['metadata that is not an object', { metadata: 'shop', parentRefs, rules: [{ backendRefs: [web] }] },
      `${where}: metadata is "shop": it must be an object. Pass metadata such as { name: "shop", labels: { team: "checkout" } }.`],
    ['a parent that is not an object', { parentRefs: [null], rules: [{ backendRefs: [web] }] },
      `${where}: parentRefs[0] is null: it must be an object. Pass the Gateway, such as { name: "public", namespace: "gateways" }.`],
    ['a parent without a name', { parentRefs: [{ namespace: 'gateways' }], rules: [{ backendRefs: [web] }] },
      `${where}: parentRefs[0].name is undefined: a Gateway name is a DNS subdomain: lowercase letters, digits, "-" and ".", at most 253 characters. Use the name of the Gateway, such as "public".`],
    ['host names that are not an array', { parentRefs, hostnames: 'shop.example.com', rules: [{ backendRefs: [web] }] },
      `${where}: hostnames is "shop.example.com": it must be an array. Pass host names such as ["shop.example.com"].`],
    ['a backend that is not an object', { parentRefs, rules: [{ backendRefs: [null] }] },
      `${where}: rules[0].backendRefs[0] is null: it must be an object. Pass a Service such as { name: "web", port: 80 }.`],
    ['a backend with an empty name', backend({ name: '' }),
      `${where}: rules[0].backendRefs[0].name is "": a backend is a Service, named by 1 to 253 characters. Use the Service's name, such as service.name.`],
    ['a backend without a name', backend({ name: undefined }),
      `${where}: rules[0].backendRefs[0].name is undefined: a backend is a Service, named by 1 to 253 characters. Use the Service's name, such as service.name.`],
    ['a backend port of 0', backend({ port: 0 }),
      `${where}: rules[0].backendRefs[0].port is 0: a port is a whole number from 1 to 65535. Use a port such as 80.`],
    ['a backend port of 70000', backend({ port: 70000 }),
      `${where}: rules[0].backendRefs[0].port is 70000: a port is a whole number from 1 to 65535. Use a port such as 80.`],
    ['a backend without a port', backend({ port: undefined }),
      `${where}: rules[0].backendRefs[0].port is undefined: a port is a whole number from 1 to 65535. Use a port such as 80.`],
    ['a backend namespace that is not a DNS label', backend({ namespace: 'Shop' }),
      `${where}: rules[0].backendRefs[0].namespace is "Shop": a namespace is a DNS label: 1-63 lowercase letters, digits or "-", starting and ending with a letter or digit. Use the Service's namespace, such as "shop", or leave it out for the route's namespace.`],
    ['a match that is not an object', rule(null),
      `${where}: rules[0].matches[0] is null: it must be an object. Pass a match such as { headers: [{ type: "Exact", name: "x-canary", value: "always" }] }.`],
    ['headers that are not an array', rule({ headers: 'x' }),
      `${where}: rules[0].matches[0].headers is "x": it must be an array. Pass [{ type: "Exact", name: "x-canary", value: "always" }].`],
    ['a header that is not an object', rule({ headers: [null] }),
      `${where}: rules[0].matches[0].headers[0] is null: it must be an object. Pass a condition such as { type: "Exact", name: "x-canary", value: "always" }.`],
    ['a header match of an unknown type', header({ type: 'Prefix' }),
      `${where}: rules[0].matches[0].headers[0].type is "Prefix": a header match type is "Exact" or "RegularExpression". Use "Exact" to compare the value itself.`],
    ['a header match without a type', header({ type: undefined }),
      `${where}: rules[0].matches[0].headers[0].type is undefined: a header match type is "Exact" or "RegularExpression". Use "Exact" to compare the value itself.`],
    ['a header name that is not a token', header({ name: 'x env' }),
      `${where}: rules[0].matches[0].headers[0].name is "x env": a header name is a token (letters, digits and !#$%&'*+-.^_\`|~) of at most 256 characters. Use a name such as "x-canary".`],
    ['an empty header value', header({ value: '' }),
      `${where}: rules[0].matches[0].headers[0].value is "": a header value is 1 to 4096 characters. Use a non-empty value.`],
    ['a header value of 4097 characters', header({ value: 'v'.repeat(4097) }),
      `${where}: rules[0].matches[0].headers[0].value is "${'v'.repeat(4097)}": a header value is 1 to 4096 characters. Use a non-empty value.`],
    ['two conditions on one header, whatever the case', rule({ headers: [{ type: 'Exact', name: 'X-Env', value: 'a' }, { type: 'Exact', name: 'x-env', value: 'b' }] }),
      `${where}: rules[0].matches[0].headers[1].name is "x-env": a match holds one condition per header name. Combine the conditions on this name into one, or put them in separate matches.`],
    ['17 header conditions', rule({ headers: Array.from({ length: 17 }, (_, i) => ({ type: 'Exact', name: `x-${i}`, value: 'v' })) }),
      `${where}: rules[0].matches[0].headers is an array of 17: an HTTPRoute match holds at most 16 header conditions. Split the conditions across matches or rules.`],
    ['a query parameter match of an unknown type', query({ type: 'PathPrefix' }),
      `${where}: rules[0].matches[0].queryParams[0].type is "PathPrefix": a query parameter match type is "Exact" or "RegularExpression". Use "Exact" to compare the value itself.`],
    ['a query parameter value of 1025 characters', query({ value: 'v'.repeat(1025) }),
      `${where}: rules[0].matches[0].queryParams[0].value is "${'v'.repeat(1025)}": a query parameter value is 1 to 1024 characters. Use a non-empty value.`],
    ['a path that is not an object', rule({ path: '/api' }),
      `${where}: rules[0].matches[0].path is "/api": it must be an object. Pass a path such as { type: "PathPrefix", value: "/api" }.`],
    ['a path match of an unknown type', rule({ path: { type: 'Prefix', value: '/api' } }),
      `${where}: rules[0].matches[0].path.type is "Prefix": a path match type is "Exact", "PathPrefix" or "RegularExpression". Use "PathPrefix" for a path and the paths below it.`],
    ['a prefix not starting with "/"', rule({ path: { type: 'PathPrefix', value: 'api' } }),
      `${where}: rules[0].matches[0].path.value is "api": a path is at most 1024 characters, and an Exact or PathPrefix path starts with "/". Use a path such as "/api".`],
  ])('refuses %s', (_, props, message) => {
    expectValidationError(attempt(props), message);
  });

  test('accepts every match type the Gateway API knows, and a regular expression path without a leading "/"', () => {
    const [object] = validatedManifests(route({
      parentRefs,
      rules: [{
        matches: [
          { path: { type: 'Exact', value: '/health' } },
          { path: { type: 'RegularExpression', value: '.*/v[0-9]+' } },
          { headers: [{ type: 'RegularExpression', name: 'x-env', value: 'green|blue' }], queryParams: [{ type: 'RegularExpression', name: 'v', value: '[0-9]' }] },
        ],
        backendRefs: [{ name: 'web', port: 65535, namespace: 'shop' }],
      }],
    }));
    expect(object.spec.rules[0].matches).toHaveLength(3);
    expect(object.spec.rules[0].backendRefs).toEqual([{ name: 'web', namespace: 'shop', port: 65535 }]);
  });
});

describe('random props', () => {
  const propsArb = tidyOrNot(({ either, maybe, gateway, hostnames, name, port }) => {
    const condition = fc.record({
      type: either(fc.constantFrom('Exact', 'RegularExpression'), fc.constantFrom('Prefix', 'exact', '')),
      name: either(fc.stringMatching(/^[A-Za-z0-9-]{1,12}$/), fc.constantFrom('x canary', '', 'ä', 'n'.repeat(257))),
      value: either(fc.string({ minLength: 1, maxLength: 20 }), fc.constantFrom('', 'v'.repeat(4097))),
    });
    const path = fc.record({
      type: either(fc.constantFrom('Exact', 'PathPrefix', 'RegularExpression'), fc.constantFrom('Prefix', '')),
      value: either(fc.stringMatching(/^\/[a-z0-9/_.-]{0,15}$/), fc.constantFrom('api', '', `/${'p'.repeat(1024)}`)),
    });
    const match = fc.record({
      path: maybe(path),
      headers: maybe(fc.array(condition, { maxLength: 3 })),
      queryParams: maybe(fc.array(condition, { maxLength: 3 })),
    }, { requiredKeys: [] });
    const backend = fc.record({
      name: either(dnsLabelArb, fc.constantFrom('', 'n'.repeat(254))),
      port,
      weight: maybe(either(fc.integer({ min: 0, max: 1_000_000 }), fc.constantFrom(-1, 1.5, 1_000_001, NaN))),
      namespace: maybe(either(dnsLabelArb, fc.constantFrom('Shop', ''))),
    }, { requiredKeys: ['name', 'port'] });
    const rule = fc.record({
      matches: maybe(either(fc.array(match, { maxLength: 3 }), fc.constantFrom('path', {}))),
      backendRefs: either(fc.array(backend, { minLength: 1, maxLength: 3 }), fc.constantFrom([], undefined)),
    }, { requiredKeys: ['backendRefs'] });
    return fc.record({
      metadata: maybe(fc.record({
        name: maybe(either(fc.constantFrom('shop', 'shop.v2'), name)),
        namespace: maybe(either(fc.constantFrom('shop', 'checkout'), fc.constantFrom('Shop', 'shop.eu', ''))),
        labels: maybe(fc.constant({ team: 'shop' })),
      }, { requiredKeys: [] })),
      parentRefs: either(fc.array(gateway, { minLength: 1, maxLength: 2 }), fc.constantFrom([], undefined)),
      hostnames: maybe(hostnames),
      // Up to 17 rules now and then: one past the limit.
      rules: either(fc.oneof({ weight: 9, arbitrary: fc.array(rule, { minLength: 1, maxLength: 4 }) },
        { weight: 1, arbitrary: fc.array(rule, { minLength: 15, maxLength: 17 }) }), fc.constantFrom([], undefined)),
    }, { requiredKeys: ['parentRefs', 'rules'] });
  });

  test('either synthesize a valid HTTPRoute with the rules given or refuse with the library error', () => {
    expectBuildsOrRefuses(propsArb, props => {
      const chart = route(props as HttpRouteProps);
      const [object] = validatedManifests(chart);
      // Every rule and backend given is rendered, in order.
      expect(object.spec.rules.map((r: any) => r.backendRefs.length)).toEqual(props.rules.map(r => r.backendRefs.length));
      expect(object.spec.parentRefs).toHaveLength(props.parentRefs.length);
      // Each backend's weight and each match's types as given (an absent weight or match stays absent).
      const weights = (rules: any[]) => rules.map(r => r.backendRefs.map((b: any) => b.weight));
      expect(weights(object.spec.rules)).toEqual(weights(props.rules));
      const types = (rules: any[]) => rules.map(r => r.matches?.map((m: any) => ({
        path: m.path?.type, headers: m.headers?.map((h: any) => h.type), queryParams: m.queryParams?.map((q: any) => q.type),
      })));
      expect(types(object.spec.rules)).toEqual(types(props.rules));
    });
  });
});
