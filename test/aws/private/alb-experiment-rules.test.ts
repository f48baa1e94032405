import { Duration, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as fc from 'fast-check';
import { Match } from '../../../src';
import {
  albStickiness, albWeights, checkTargetGroupCount, cookieHeaderPatterns,
  experimentCondition, forwardAction,
} from '../../../src/aws/private/alb-experiment-rules';
import { testApp, validatedTemplate } from '../../support/cfn';
import { expectValidationError } from '../../support/validation-error';

const where = 'Test: match';

/**
 * How the ALB compares an http-header condition value with a header: the whole value, without
 * regard to case, `*` matching any run of characters and `?` exactly one.
 */
function albCompares(pattern: string, header: string): boolean {
  const source = pattern.split('').map(c => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\]/g, '\\$&'))).join('');
  return new RegExp(`^${source}$`, 'is').test(header);
}

/** Whether the ALB sends a request with this Cookie header to the variant of `match`. */
function selects(match: Match, cookieHeader: string): boolean {
  const raw = experimentCondition(where, match).renderRawCondition();
  expect(raw.httpHeaderConfig.httpHeaderName).toBe('Cookie');
  return (raw.httpHeaderConfig.values as string[]).some(p => albCompares(p, cookieHeader));
}

describe('experimentCondition', () => {
  test('a cookie is four Cookie header patterns: the pair alone, first, last or in the middle', () => {
    expect(experimentCondition(where, Match.cookie('beta', 'true')).renderRawCondition()).toEqual({
      field: 'http-header',
      httpHeaderConfig: { httpHeaderName: 'Cookie', values: ['beta=true', 'beta=true;*', '*; beta=true', '*; beta=true;*'] },
    });
    expect(cookieHeaderPatterns('beta', 'true')).toEqual(['beta=true', 'beta=true;*', '*; beta=true', '*; beta=true;*']);
  });

  test.each([
    ['beta=true', true],
    ['beta=true; theme=dark', true],
    ['theme=dark; beta=true', true],
    ['a=1; beta=true; b=2', true],
    ['xbeta=true', false],
    ['beta=truex', false],
    ['beta=true2; theme=dark', false],
    ['theme=dark; xbeta=true', false],
    ['a=1; beta=false; b=2', false],
    ['theme=dark', false],
  ])('the Cookie header "%s" selects the variant: %s', (header, expected) => {
    expect(selects(Match.cookie('beta', 'true'), header)).toBe(expected);
  });

  test('the ALB compares without regard to case, so the patterns select a cookie differing only in case (documented)', () => {
    expect(selects(Match.cookie('beta', 'true'), 'a=1; BETA=TRUE')).toBe(true);
  });

  test('the patterns select exactly the headers that hold the pair, whatever the other cookies', () => {
    const tokenChar = fc.constantFrom(...'!#$%&\'+-.^_`|~09AZaz'.split(''));
    const valueChar = fc.constantFrom(...'!#$%&\'()+-./09:<=>@AZ[]^_`az{|}~'.split(''));
    const token = fc.array(tokenChar, { minLength: 1, maxLength: 6 }).map(a => a.join(''));
    const value = fc.array(valueChar, { minLength: 1, maxLength: 6 }).map(a => a.join(''));
    const pair = fc.tuple(token, value).map(([n, v]) => `${n}=${v}`);
    fc.assert(fc.property(token, value, fc.array(pair, { maxLength: 4 }), fc.array(pair, { maxLength: 4 }), fc.boolean(),
      (name, val, before, after, present) => {
        const cookies = [...before, ...(present ? [`${name}=${val}`] : []), ...after];
        fc.pre(cookies.length > 0);
        const header = cookies.join('; ');
        const holds = cookies.some(c => c.toLowerCase() === `${name}=${val}`.toLowerCase());
        expect(selects(Match.cookie(name, val), header)).toBe(holds);
      }));
  });

  test('a header and a query parameter are rendered as albCondition renders them', () => {
    expect(experimentCondition(where, Match.header('x-beta', 'on')).renderRawCondition()).toEqual({
      field: 'http-header', httpHeaderConfig: { httpHeaderName: 'x-beta', values: ['on'] },
    });
    expect(experimentCondition(where, Match.queryParameter('variant', 'b')).renderRawCondition()).toEqual({
      field: 'query-string', queryStringConfig: { values: [{ key: 'variant', value: 'b' }] },
    });
  });

  test('refuses a regular expression, naming what works instead', () => {
    expectValidationError(() => experimentCondition(where, Match.headerRegex('user-agent', '.*Mobile.*')),
      'Test: match is "header user-agent~/.*Mobile.*/": AlbExperiment matches a header by its exact value: it renders aws-cdk-lib\'s ListenerCondition, which has no regular-expression condition. '
      + 'Use Match.header() with an exact value, such as Match.header("user-agent", "on"), or render this experiment on Kubernetes with k8s.GatewayExperiment, whose Gateway API route matches headers by regular expression.');
  });

  test('refuses the Host header, which an ALB http-header condition cannot test', () => {
    expectValidationError(() => experimentCondition(where, Match.header('Host', 'beta.example.com')),
      'Test: match is "header Host=beta.example.com": an ALB http-header condition cannot test the Host header (the ALB has a host-header condition for that, which a variant match does not render). '
      + 'Select the variant by another header, a cookie or a query parameter; to send a whole host name to one version, give it a listener rule of its own with ListenerCondition.hostHeaders().');
  });

  test.each([
    ['name', Match.cookie('be*ta', 'true'), 'be*ta', '*'],
    ['value', Match.cookie('beta', 'tr*e'), 'tr*e', '*'],
    ['value', Match.cookie('beta', 'tr?e'), 'tr?e', '?'],
  ])('refuses a wildcard in the cookie %s', (part, match, text, wildcard) => {
    expectValidationError(() => experimentCondition(where, match),
      `Test: match is "${match.describe()}": the ALB matches a cookie through the Cookie header, whose conditions read * and ? as wildcards and cannot escape them, so the cookie ${part} "${text}" would select more cookies than the one declared. Use a cookie ${part} without "${wildcard}".`);
  });

  test('a cookie name and value of 122 characters together fit in 128-character patterns; 123 do not', () => {
    const fits = Match.cookie('n'.repeat(22), 'v'.repeat(100));
    expect(Math.max(...experimentCondition(where, fits).renderRawCondition().httpHeaderConfig.values.map((v: string) => v.length))).toBe(128);
    const tooLong = Match.cookie('n'.repeat(23), 'v'.repeat(100));
    expectValidationError(() => experimentCondition(where, tooLong),
      `Test: match is "${tooLong.describe()}": the ALB matches a cookie through the Cookie header with patterns such as "*; name=value;*", and an ALB condition compares strings of at most 128 characters, so name and value together can have at most 122 characters (these have 123). Use a shorter cookie name or value.`);
  });
});

describe('albWeights', () => {
  const split = (...tenths: number[]) => albWeights('Test: weights', 'the rule', tenths.map((t, i) => ({ name: `v${i}`, tenths: t })));

  test.each([
    [[100, 900], [1, 9]],
    [[125, 875], [1, 7]],
    [[1, 999], [1, 999]],
    [[333, 667], [333, 667]],
    [[100, 200, 700], [1, 2, 7]],
    [[500, 500], [1, 1]],
  ])('%j tenths are the smallest exact weights %j', (tenths, weights) => {
    expect(split(...tenths)).toEqual(weights);
  });

  test('every split of 100% in tenths has exact weights within 999', () => {
    fc.assert(fc.property(fc.array(fc.integer({ min: 1, max: 200 }), { minLength: 1, maxLength: 4 }), (parts) => {
      const used = parts.reduce((a, b) => a + b, 0);
      fc.pre(used < 1000);
      const tenths = [...parts, 1000 - used];
      const weights = split(...tenths);
      const total = weights.reduce((a, b) => a + b, 0);
      weights.forEach((w, i) => {
        expect(Number.isInteger(w) && w >= 1 && w <= 999).toBe(true);
        expect(w * 1000).toBe(tenths[i] * total);
      });
    }));
  });

  test('fails when no weights within 999 are exact, suggesting the nearest', () => {
    expectValidationError(() => split(1, 1999),
      'Test: weights is "\\"v0\\" 0.05%, \\"v1\\" 99.95%": the rule splits requests by ALB forward weights, whole numbers from 0 to 999, and no such weights give this split exactly. '
      + 'Use a split the ALB can express; the nearest is "v0" 0.1%, "v1" 99.9% (weights 1 / 999).');
  });
});

describe('forwardAction', () => {
  function setup() {
    const stack = new Stack(testApp(), 'Stack');
    const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 0, subnetConfiguration: [{ name: 'Isolated', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }] });
    const alb = new elbv2.ApplicationLoadBalancer(stack, 'Alb', { vpc });
    const listener = alb.addListener('Http', { port: 80, open: false, defaultAction: elbv2.ListenerAction.fixedResponse(404) });
    const group = (id: string) => new elbv2.ApplicationTargetGroup(stack, id, { vpc, port: 80, targetType: elbv2.TargetType.IP });
    return { stack, listener, group };
  }

  test('a single target group is a plain forward, without stickiness', () => {
    const { stack, listener, group } = setup();
    const control = group('Control');
    const action = forwardAction('Test: variants', 'the rule', [{ name: 'control', tenths: 1000, targetGroup: control }], Duration.days(1));
    new elbv2.ApplicationListenerRule(stack, 'Rule', { listener, priority: 1, conditions: [elbv2.ListenerCondition.pathPatterns(['/*'])], action });
    validatedTemplate(stack).hasResourceProperties('AWS::ElasticLoadBalancingV2::ListenerRule', {
      Actions: [{ Type: 'forward', TargetGroupArn: stack.resolve(control.targetGroupArn) }],
    });
  });

  test('several target groups are a weighted forward with exact weights and the stickiness', () => {
    const { stack, listener, group } = setup();
    const [b, control] = [group('B'), group('Control')];
    const action = forwardAction('Test: variants', 'the rule', [
      { name: 'b', tenths: 125, targetGroup: b },
      { name: 'control', tenths: 875, targetGroup: control },
    ], Duration.days(1));
    new elbv2.ApplicationListenerRule(stack, 'Rule', { listener, priority: 1, conditions: [elbv2.ListenerCondition.pathPatterns(['/*'])], action });
    validatedTemplate(stack).hasResourceProperties('AWS::ElasticLoadBalancingV2::ListenerRule', {
      Actions: [{
        Type: 'forward',
        ForwardConfig: {
          TargetGroups: [
            { TargetGroupArn: stack.resolve(b.targetGroupArn), Weight: 1 },
            { TargetGroupArn: stack.resolve(control.targetGroupArn), Weight: 7 },
          ],
          TargetGroupStickinessConfig: { Enabled: true, DurationSeconds: 86400 },
        },
      }],
    });
  });

  test('more than 5 target groups fail, naming the rule and the variants', () => {
    expectValidationError(() => checkTargetGroupCount('Test: variants without a match', 'the rule for everyone else (priority 101)', ['a', 'b', 'c', 'd', 'e', 'control']),
      'Test: variants without a match is "a, b, c, d, e, control": an ALB forward action sends to at most 5 target groups, and the rule for everyone else (priority 101) would send to 6. '
      + 'Use at most 4 variants without a match (the control takes one target group), or give some of them a match.');
    expect(() => checkTargetGroupCount('Test', 'the rule', ['a', 'b', 'c', 'd', 'control'])).not.toThrow();
  });
});

describe('albStickiness', () => {
  test('accepts 1 second to 7 days, or none', () => {
    expect(albStickiness('Test: stickiness', undefined)).toBeUndefined();
    expect(albStickiness('Test: stickiness', Duration.seconds(1))!.toSeconds()).toBe(1);
    expect(albStickiness('Test: stickiness', Duration.days(7))!.toSeconds()).toBe(604800);
  });

  test('refuses longer than 7 days', () => {
    expectValidationError(() => albStickiness('Test: stickiness', Duration.days(8)),
      'Test: stickiness is 8 days: ALB target group stickiness lasts from 1 second to 7 days. '
      + 'Use a stickiness of at most Duration.days(7); for longer, select the variant by a cookie match, which a user keeps as long as the cookie lives.');
  });
});
