import { Chart, Testing } from 'cdk8s';
import * as fc from 'fast-check';
import { Match, Strategy } from '../../src';
import { ArgoGatewayApiRoutingProps, ArgoRollout, ArgoTrafficRouting } from '../../src/k8s';
import { ofKind, validatedManifests } from '../support/k8s';
import { tidyOrNot } from '../support/k8s-arbitraries';
import { expectBuildsOrRefuses } from '../support/properties';
import { expectValidationError } from '../support/validation-error';

const revision = { containers: [{ image: 'registry.example.com/web:1.0.0', portNumber: 8080 }] };

test('replicaCount(): no Gateway', () => {
  const routing = ArgoTrafficRouting.replicaCount();
  expect(routing.usesGatewayApi).toBe(false);
  expect(routing.gateway).toBeUndefined();
  expect(routing.describe()).toBe('ArgoTrafficRouting.replicaCount()');
});

test('gatewayApi(): the Gateway and host names, only the declared fields', () => {
  const routing = ArgoTrafficRouting.gatewayApi({
    gateway: { name: 'public-gateway', namespace: 'gateways', sectionName: 'https', extra: 'dropped' } as any,
    hostnames: ['shop.example.com', '*.shop.example.com'],
  });
  expect(routing.usesGatewayApi).toBe(true);
  expect(routing.gateway).toEqual({ name: 'public-gateway', namespace: 'gateways', sectionName: 'https' });
  expect(routing.hostnames).toEqual(['shop.example.com', '*.shop.example.com']);
  expect(routing.describe()).toBe('ArgoTrafficRouting.gatewayApi(gateways/public-gateway)');
});

test.each([
  ['no props', undefined,
    'ArgoTrafficRouting.gatewayApi: props is undefined: it must be an object. Pass { gateway: { name: "public-gateway" } }.'],
  ['a Gateway name that is not an object name', { gateway: { name: 'Public Gateway' } },
    'ArgoTrafficRouting.gatewayApi: gateway.name is "Public Gateway": a Gateway name is a DNS subdomain: lowercase letters, digits, "-" and ".", at most 253 characters. Use the name of the Gateway, such as "public".'],
  ['a namespace that is not a DNS label', { gateway: { name: 'public-gateway', namespace: 'gate.ways' } },
    'ArgoTrafficRouting.gatewayApi: gateway.namespace is "gate.ways": a namespace is a DNS label: 1-63 lowercase letters, digits or "-", starting and ending with a letter or digit. Use the Gateway\'s namespace, such as "gateways", or leave it out for the route\'s namespace.'],
  ['a host name with a port', { gateway: { name: 'public-gateway' }, hostnames: ['shop.example.com:443'] },
    'ArgoTrafficRouting.gatewayApi: hostnames[0] is "shop.example.com:443": a host name is a lowercase DNS name, optionally starting with one "*." wildcard label, and not an IP address. Use a host name such as "shop.example.com" or "*.example.com".'],
  ['more than 16 host names', { gateway: { name: 'public-gateway' }, hostnames: Array.from({ length: 17 }, (_, i) => `h${i}.example.com`) },
    'ArgoTrafficRouting.gatewayApi: hostnames is an array of 17: an HTTPRoute lists 1 to 16 host names. Leave hostnames out to serve every host name the Gateway listener accepts, or split the hosts across routes.'],
])('gatewayApi() refuses %s', (_, props, message) => {
  expectValidationError(() => ArgoTrafficRouting.gatewayApi(props as ArgoGatewayApiRoutingProps), message);
});

test('an ArgoRollout refuses traffic routing not made by ArgoTrafficRouting', () => {
  expectValidationError(() => new ArgoRollout(Testing.chart(), 'web', {
    strategy: Strategy.ALL_AT_ONCE,
    revision: { containers: [{ image: 'registry.example.com/web:1.0.0', portNumber: 8080 }] },
    trafficRouting: { gateway: { name: 'public-gateway' } } as any,
  }), 'ArgoRollout test/web: trafficRouting is an object: traffic routing is made with ArgoTrafficRouting.replicaCount() or ArgoTrafficRouting.gatewayApi(). For example ArgoTrafficRouting.gatewayApi({ gateway: { name: "public-gateway" } }).');
});

describe('random props', () => {
  const propsArb = tidyOrNot(({ either, maybe, gateway, hostnames }) => fc.record({
    routing: either(fc.record({ gateway, hostnames: maybe(hostnames) }, { requiredKeys: ['gateway'] }), fc.constantFrom(undefined, 'public-gateway', [])),
    strategy: fc.constantFrom(Strategy.CANARY_10PERCENT_5MINUTES, Strategy.BLUE_GREEN, Strategy.blueGreen({ testRoute: Match.header('x-env', 'green') })),
  }));

  test('either route a rollout through a valid HTTPRoute on the Gateway and host names given, or refuse with the library error', () => {
    expectBuildsOrRefuses(propsArb, ({ routing: props, strategy }) => {
      const routing = ArgoTrafficRouting.gatewayApi(props as ArgoGatewayApiRoutingProps);
      expect(routing.usesGatewayApi).toBe(true);
      const chart = new Chart(Testing.app(), 'test', { namespace: 'shop' });
      new ArgoRollout(chart, 'web', { strategy, revision, trafficRouting: routing });
      const [route] = ofKind(validatedManifests(chart), 'HTTPRoute');
      // Only the declared fields of the Gateway reach the route.
      const { name, namespace, sectionName } = props.gateway;
      expect(route.spec.parentRefs).toEqual([JSON.parse(JSON.stringify({ name, namespace, sectionName }))]);
      expect(route.spec.hostnames).toEqual(props.hostnames);
    }, { quickRuns: 30 });
  });
});
