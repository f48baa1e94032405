import { Stack } from 'aws-cdk-lib';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import {
  cidrCovers, coveredBy, describeCondition, globCovers, isEveryRequest, ListenerCondition, readConditions,
} from '../../../src/aws/private/listener-conditions';

/** The conditions as a CfnListenerRule holds them after resolution. */
function read(...conditions: elbv2.ListenerCondition[]): ListenerCondition[] {
  return readConditions(new Stack().resolve(conditions.map(c => c.renderRawCondition())))!;
}

const path = (...values: string[]) => elbv2.ListenerCondition.pathPatterns(values);
const host = (...values: string[]) => elbv2.ListenerCondition.hostHeaders(values);
const header = (name: string, ...values: string[]) => elbv2.ListenerCondition.httpHeader(name, values);
const query = (...values: elbv2.QueryStringCondition[]) => elbv2.ListenerCondition.queryStrings(values);
const source = (...values: string[]) => elbv2.ListenerCondition.sourceIps(values);
const method = (...values: string[]) => elbv2.ListenerCondition.httpRequestMethods(values);

describe('globCovers: every string the inner ALB pattern matches, the outer one matches too', () => {
  test.each([
    ['*', 'anything', true],
    ['*', '*', true],
    ['/*', '/api/*', true],
    ['/api/*', '/api/v1/*', true],
    ['/api/*', '/api', false],
    ['/api/*', '/*', false],
    ['*.example.com', 'shop.example.com', true],
    ['*.example.com', '*.shop.example.com', true],
    ['*.example.com', 'example.com', false],
    ['shop.example.com', '*.example.com', false],
    ['a?c', 'abc', true],
    ['a?c', 'a?c', true],
    ['a?c', 'a*c', false],
    ['a*', 'a?c', true],
    ['abc', 'abc', true],
    ['abc', 'abd', false],
  ])('%s covers %s: %s', (outer, inner, expected) => {
    expect(globCovers(outer, inner)).toBe(expected);
  });
});

describe('cidrCovers', () => {
  test.each([
    ['10.0.0.0/8', '10.1.2.0/24', true],
    ['10.0.0.0/8', '10.0.0.0/8', true],
    ['10.1.2.0/24', '10.0.0.0/8', false],
    ['10.0.0.0/8', '11.0.0.0/8', false],
    ['0.0.0.0/0', '192.0.2.7/32', true],
    ['0.0.0.0/0', '::/0', false],
    ['2001:db8::/32', '2001:DB8:1::/48', true],
    ['2001:db8::/32', '2001:db9::/48', false],
    ['::ffff:0:0/96', '::ffff:192.0.2.0/120', true],
    ['::/0', '2001:db8::1/128', true],
    ['not a range', '10.0.0.0/8', false],
  ])('%s covers %s: %s', (outer, inner, expected) => {
    expect(cidrCovers(outer, inner)).toBe(expected);
  });
});

describe('readConditions', () => {
  test('reads each field, folding case where the ALB compares without it', () => {
    const conditions = read(host('Shop.Example.com'), path('/API/*'), header('X-Env', 'Green'), query({ key: 'Beta', value: 'On' }, { value: 'x' }),
      source('10.0.0.0/8'), method('GET'));
    expect(conditions).toEqual([
      { field: 'host-header', values: ['shop.example.com'], known: true },
      { field: 'path-pattern', values: ['/API/*'], known: true },
      { field: 'http-header', name: 'x-env', values: ['green'], known: true },
      { field: 'query-string', values: [{ key: 'beta', value: 'on' }, { key: undefined, value: 'x' }], known: true },
      { field: 'source-ip', values: ['10.0.0.0/8'], known: true },
      { field: 'http-request-method', values: ['GET'], known: true },
    ]);
  });

  test('legacy conditions list their values at the top level', () => {
    expect(readConditions([{ field: 'path-pattern', values: ['/*'] }])).toEqual([{ field: 'path-pattern', values: ['/*'], known: true }]);
  });

  test('what cannot be compared at synth is unknown: tokens, regular expressions, other fields', () => {
    expect(readConditions([{ field: 'host-header', hostHeaderConfig: { values: [{ Ref: 'Host' }] } }])![0].known).toBe(false);
    expect(readConditions([{ field: 'path-pattern', pathPatternConfig: { regexValues: ['^/a'] } }])![0].known).toBe(false);
    expect(readConditions([{ field: 'something-new', values: ['x'] }])![0].known).toBe(false);
    expect(readConditions({ 'Fn::If': [] })).toBeUndefined();
  });
});

describe('isEveryRequest', () => {
  test.each([
    ['path-pattern /*', path('/*'), true],
    ['path-pattern *', path('*'), true],
    ['path-pattern /api/* or /*', path('/api/*', '/*'), true],
    ['path-pattern /api/*', path('/api/*'), false],
    ['host-header *', host('*'), true],
    ['host-header *.example.com', host('*.example.com'), false],
    ['source-ip of every IPv4 and IPv6 address', source('0.0.0.0/0', '::/0'), true],
    ['source-ip of every IPv4 address only', source('0.0.0.0/0'), false],
    ['http-header x-env *', header('x-env', '*'), false],
  ])('%s: %s', (_, condition, expected) => {
    expect(isEveryRequest(read(condition)[0])).toBe(expected);
  });
});

describe('coveredBy: why every request of the later rule meets the earlier rule', () => {
  test('a path of every request takes in any rule', () => {
    expect(coveredBy(read(path('/*')), read(path('/api/*'), header('x-beta', 'true'))))
      .toEqual(['path-pattern "/*" matches every path']);
  });

  test('each condition of the earlier rule must take in a condition of the later one', () => {
    expect(coveredBy(read(host('*.example.com'), path('/*')), read(host('shop.example.com'), header('x-beta', 'true'))))
      .toEqual(['host-header "*.example.com" takes in its host-header "shop.example.com"', 'path-pattern "/*" matches every path']);
    expect(coveredBy(read(host('shop.example.com'), path('/*')), read(header('x-beta', 'true')))).toBeUndefined();
  });

  test('a condition with several values takes in one whose values it all covers', () => {
    expect(coveredBy(read(host('a.example.com', 'b.example.com')), read(host('b.example.com')))).toEqual(['host-header "a.example.com", "b.example.com" takes in its host-header "b.example.com"']);
    expect(coveredBy(read(host('a.example.com')), read(host('a.example.com', 'b.example.com')))).toBeUndefined();
  });

  test('headers compare by name, case aside', () => {
    expect(coveredBy(read(header('X-Beta', 'TRUE')), read(header('x-beta', 'true'), path('/x')))).toEqual(['http-header x-beta "true", as its own']);
    expect(coveredBy(read(header('x-beta', 'true')), read(header('x-env', 'true')))).toBeUndefined();
  });

  test('query strings: a value under any key takes in the value under one key', () => {
    expect(coveredBy(read(query({ value: 'on' })), read(query({ key: 'beta', value: 'on' })))).toEqual(['query-string "on" (any parameter) takes in its query-string "beta=on"']);
    expect(coveredBy(read(query({ key: 'beta', value: 'on' })), read(query({ value: 'on' })))).toBeUndefined();
  });

  test('source ranges and methods', () => {
    expect(coveredBy(read(source('10.0.0.0/8')), read(source('10.1.0.0/16'), path('/*')))).toEqual(['source-ip 10.0.0.0/8 takes in its source-ip 10.1.0.0/16']);
    expect(coveredBy(read(source('10.0.0.0/8')), read(source('10.0.0.0/8', '192.168.0.0/16')))).toBeUndefined();
    expect(coveredBy(read(method('GET', 'HEAD')), read(method('GET')))).toEqual(['http-request-method GET, HEAD takes in its http-request-method GET']);
  });

  test('an unknown condition of the earlier rule takes in nothing; one of the later rule only narrows it', () => {
    const unknown = readConditions([{ field: 'host-header', hostHeaderConfig: { values: [{ Ref: 'Host' }] } }])!;
    expect(coveredBy(unknown, read(path('/*')))).toBeUndefined();
    expect(coveredBy(read(path('/*')), [...unknown, ...read(path('/a'))])).toEqual(['path-pattern "/*" matches every path']);
    expect(coveredBy(read(path('/*')), undefined)).toBeUndefined();
  });
});

test('describeCondition', () => {
  expect(read(header('x-env', 'green'), query({ key: 'beta', value: 'on' }), source('10.0.0.0/8', '::/0')).map(describeCondition))
    .toEqual(['http-header x-env "green"', 'query-string "beta=on"', 'source-ip 10.0.0.0/8, ::/0']);
  expect(describeCondition({ field: 'host-header', values: [], known: false })).toBe('host-header (not known at synth)');
});
