import { Testing } from 'cdk8s';
import { HttpBackendRef, HttpRoute, HttpRouteProps, HttpRouteRule } from '../../src/k8s/http-route';
import { validatedManifests } from '../support/k8s';
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

  test('backendRefs must be an array, even of a missing rule', () => {
    expectValidationError(attempt({ parentRefs, rules: [{ backendRefs: [web] }, undefined] }),
      `${where}: rules[1].backendRefs is undefined: it must be an array. Pass [{ name: "web", port: 80 }].`);
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
      `${where}: rules is an array of 3: an HTTPRoute holds at most 128 matches across its rules, and these hold 129. Split the routes across several HTTPRoutes.`);
  });
});
