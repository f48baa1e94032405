import { App, Duration, Fn, Stack } from 'aws-cdk-lib';
import { Match as CfnMatch, Template } from 'aws-cdk-lib/assertions';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as fc from 'fast-check';
import { aws, guardrails, HealthCheck, Match, StepGate, Strategy } from '../../src';
import { PLAN_METADATA_TYPE, STEP_METADATA_TYPE } from '../../src/aws/private/plan-metadata';
import { guardrailFactsOf } from '../../src/guardrails/private/facts';
import { gateArb, oddValueArb, presetArb, strategyArb } from '../support/arbitraries';
import { testApp, validatedTemplate } from '../support/cfn';
import { expectBuildsOrRefuses, expectCleanAssembly } from '../support/properties';
import { definitionOf, expectValidAsl } from '../support/sfn';
import { expectValidationError } from '../support/validation-error';

const where = 'WeightedDnsRollout Stack/Web';
const bake = (minutes: number) => StepGate.bake(Duration.minutes(minutes));

/** A public zone and two internet-facing load balancers, blue and green. */
function setup(context: Record<string, unknown> = {}) {
  const stack = new Stack(testApp({ context }), 'Stack');
  const zone = new route53.PublicHostedZone(stack, 'Zone', { zoneName: 'example.com' });
  const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 0, subnetConfiguration: [{ name: 'public', subnetType: ec2.SubnetType.PUBLIC }] });
  const alb = (id: string) => {
    const lb = new elbv2.ApplicationLoadBalancer(stack, id, { vpc, internetFacing: true });
    lb.addListener('Http', { port: 80, open: false, defaultAction: elbv2.ListenerAction.fixedResponse(200) });
    return lb;
  };
  return { stack, zone, blue: alb('Blue'), green: alb('Green') };
}

function rollout(strategy: Strategy, props: Partial<aws.WeightedDnsRolloutProps> = {}, context: Record<string, unknown> = {}) {
  const base = setup(context);
  const construct = new aws.WeightedDnsRollout(base.stack, 'Web', {
    zone: base.zone,
    recordName: 'www',
    stable: aws.DnsTarget.loadBalancer(base.blue),
    candidate: aws.DnsTarget.loadBalancer(base.green),
    strategy,
    ...props,
  });
  return { ...base, construct };
}

/** The weights of the Stable and Candidate records in a template. */
function weights(template: Template): [number, number] {
  const records = template.findResources('AWS::Route53::RecordSet');
  const weight = (role: string) => Object.values(records).find(r => r.Properties.SetIdentifier === `Web-${role}`)!.Properties.Weight;
  return [weight('stable'), weight('candidate')];
}

describe('weights of each step', () => {
  // Every step of a plan shares one total (here 10), so the share between two record updates stays between the steps'.
  const linearWeights: Array<[number, number]> = [[9, 1], [8, 2], [7, 3], [6, 4], [5, 5], [4, 6], [3, 7], [2, 8], [1, 9], [0, 10]];
  test.each([
    ['CANARY_10PERCENT_5MINUTES', Strategy.CANARY_10PERCENT_5MINUTES, [[9, 1], [0, 10]]],
    ['a three-step canary', Strategy.canary({ steps: [{ weight: 5, gate: bake(10) }, { weight: 12.5, gate: bake(10) }, { weight: 50, gate: StepGate.manualApproval() }] }),
      [[38, 2], [35, 5], [20, 20], [0, 40]]],
    ['LINEAR_10PERCENT_EVERY_1MINUTE', Strategy.LINEAR_10PERCENT_EVERY_1MINUTE, linearWeights],
    ['BLUE_GREEN', Strategy.BLUE_GREEN, [[1, 0], [0, 1]]],
    ['blue-green with a promotion gate', Strategy.blueGreen({ promotion: StepGate.manualApproval() }), [[1, 0], [0, 1]]],
    ['ALL_AT_ONCE', Strategy.ALL_AT_ONCE, [[0, 1]]],
  ])('%s', (_, strategy, expected) => {
    (expected as Array<[number, number]>).forEach(([stable, candidate], i) => {
      const { stack, construct } = rollout(strategy, { step: i + 1 });
      expect(weights(validatedTemplate(stack))).toEqual([stable, candidate]);
      expect(construct.step).toBe(construct.plan.steps[i]);
    });
  });

  test('renders two weighted alias A records with fixed set identifiers', () => {
    const template = validatedTemplate(rollout(Strategy.CANARY_10PERCENT_5MINUTES).stack);
    template.resourceCountIs('AWS::Route53::RecordSet', 2);
    template.hasResourceProperties('AWS::Route53::RecordSet', {
      Name: 'www.example.com.',
      Type: 'A',
      SetIdentifier: 'Web-stable',
      Weight: 9,
      HostedZoneId: { Ref: CfnMatch.stringLikeRegexp('^Zone') },
      AliasTarget: {
        DNSName: { 'Fn::Join': ['', ['dualstack.', { 'Fn::GetAtt': [CfnMatch.stringLikeRegexp('^Blue'), 'DNSName'] }]] },
        HostedZoneId: { 'Fn::GetAtt': [CfnMatch.stringLikeRegexp('^Blue'), 'CanonicalHostedZoneID'] },
      },
      TTL: CfnMatch.absent(),
    });
    template.hasResourceProperties('AWS::Route53::RecordSet', {
      SetIdentifier: 'Web-candidate',
      Weight: 1,
      AliasTarget: CfnMatch.objectLike({ HostedZoneId: { 'Fn::GetAtt': [CfnMatch.stringLikeRegexp('^Green'), 'CanonicalHostedZoneID'] } }),
    });
  });

  test('the Candidate record is updated after the Stable one', () => {
    const { stack, construct } = rollout(Strategy.CANARY_10PERCENT_5MINUTES);
    const stableId = stack.getLogicalId(construct.stableRecord.node.defaultChild as route53.CfnRecordSet);
    validatedTemplate(stack).hasResource('AWS::Route53::RecordSet', {
      Properties: CfnMatch.objectLike({ SetIdentifier: 'Web-candidate' }),
      DependsOn: [stableId],
    });
  });

  test('records and set identifiers stay the same from step to step, so a step updates them in place', () => {
    const strategy = Strategy.LINEAR_10PERCENT_EVERY_1MINUTE;
    const shape = (step: number) => {
      const records = validatedTemplate(rollout(strategy, { step }).stack).findResources('AWS::Route53::RecordSet');
      return Object.entries(records).map(([logicalId, r]) => ({ logicalId, setIdentifier: r.Properties.SetIdentifier, name: r.Properties.Name }));
    };
    const first = shape(1);
    expect(first.map(r => r.setIdentifier).sort()).toEqual(['Web-candidate', 'Web-stable']);
    expect(shape(4)).toEqual(first);
    expect(shape(10)).toEqual(first);
  });
});

describe('the step to render', () => {
  test('is step 1 without a prop or context', () => {
    const { stack, construct } = rollout(Strategy.CANARY_10PERCENT_5MINUTES);
    expect(construct.step!.index).toBe(1);
    expect(construct.stepContextKey).toBe('Stack/Web:step');
    expect(weights(validatedTemplate(stack))).toEqual([9, 1]);
  });

  test('comes from the context, as `cdk deploy -c` passes it: a string', () => {
    const { stack, construct } = rollout(Strategy.CANARY_10PERCENT_5MINUTES, {}, { 'Stack/Web:step': '2' });
    expect(construct.step!.index).toBe(2);
    expect(weights(validatedTemplate(stack))).toEqual([0, 10]);
  });

  test('comes from the context as a number, as cdk.json holds it', () => {
    const { stack } = rollout(Strategy.LINEAR_10PERCENT_EVERY_1MINUTE, {}, { 'Stack/Web:step': 3 });
    expect(weights(validatedTemplate(stack))).toEqual([7, 3]);
  });

  test('the prop wins over the context', () => {
    const { construct } = rollout(Strategy.LINEAR_10PERCENT_EVERY_1MINUTE, { step: 5 }, { 'Stack/Web:step': '3' });
    expect(construct.step!.index).toBe(5);
  });

  test('a step outside the plan fails', () => {
    expectValidationError(() => rollout(Strategy.CANARY_10PERCENT_5MINUTES, { step: 3 }),
      `${where}: step is 3: the plan has steps 1 to 2 (canary 10% (bake 5m) → 100%). `
      + 'Render a step from 1 to 2, numbered as in the plan\'s table (step 2 sends everything to the candidate).');
  });

  test('a context value that is not a step fails, naming the context key', () => {
    expectValidationError(() => rollout(Strategy.BLUE_GREEN, {}, { 'Stack/Web:step': 'two' }),
      `${where}: context "Stack/Web:step" is "two": the plan has steps 1 to 2 (blue-green (bake 5m)). `
      + 'Render a step from 1 to 2, numbered as in the plan\'s table (step 2 sends everything to the candidate).');
  });
});

describe('weights Route 53 cannot express', () => {
  test('fail with the nearest shares that work', () => {
    expectValidationError(() => rollout(Strategy.canary({ steps: [{ weight: 33.3, gate: bake(5) }] })),
      `${where}: strategy is "canary 33.3% (bake 5m) → 100%": Route 53 weights are whole numbers from 0 to 255, and no pair of them `
      + 'sends exactly 33.3% of traffic to the candidate (step 1). Use 33.2% (stable 167, candidate 83) or 33.5% (stable 133, candidate 67) '
      + 'instead; every whole or half percent can be expressed.');
  });

  test('fail at construction even when the step rendered is another one', () => {
    const strategy = Strategy.linear({ stepPercent: 0.6, interval: Duration.minutes(1) });
    expect(() => rollout(strategy, { step: 1 })).toThrow(/no pair of them sends exactly 0\.6% of traffic to the candidate \(step 1\)/);
    const later = Strategy.canary({ steps: [{ weight: 10, gate: bake(5) }, { weight: 66.7, gate: bake(5) }] });
    expect(() => rollout(later, { step: 1 })).toThrow(/sends exactly 66\.7% of traffic to the candidate \(step 2\)\. Use 66\.5%/);
  });
});

describe('health', () => {
  test('health checks are attached to their records', () => {
    const base = setup();
    const check = (id: string, lb: elbv2.ApplicationLoadBalancer) => new route53.HealthCheck(base.stack, id, {
      type: route53.HealthCheckType.HTTP, fqdn: lb.loadBalancerDnsName, resourcePath: '/health',
    });
    new aws.WeightedDnsRollout(base.stack, 'Web', {
      zone: base.zone,
      recordName: 'www',
      stable: aws.DnsTarget.loadBalancer(base.blue, { healthCheck: check('BlueHealth', base.blue) }),
      candidate: aws.DnsTarget.loadBalancer(base.green, { healthCheck: check('GreenHealth', base.green), evaluateTargetHealth: true }),
      strategy: Strategy.CANARY_10PERCENT_5MINUTES,
    });
    const template = validatedTemplate(base.stack);
    template.resourceCountIs('AWS::Route53::HealthCheck', 2);
    template.hasResourceProperties('AWS::Route53::RecordSet', {
      SetIdentifier: 'Web-stable', HealthCheckId: { Ref: CfnMatch.stringLikeRegexp('^BlueHealth') },
    });
    template.hasResourceProperties('AWS::Route53::RecordSet', {
      SetIdentifier: 'Web-candidate',
      HealthCheckId: { Ref: CfnMatch.stringLikeRegexp('^GreenHealth') },
      AliasTarget: CfnMatch.objectLike({ EvaluateTargetHealth: true }),
    });
  });

  test('without health checks the records have none', () => {
    const template = validatedTemplate(rollout(Strategy.BLUE_GREEN).stack);
    template.hasResourceProperties('AWS::Route53::RecordSet', { SetIdentifier: 'Web-stable', HealthCheckId: CfnMatch.absent() });
  });
});

describe('plain records', () => {
  test('IP addresses render A records with a one-minute TTL', () => {
    const template = validatedTemplate(rollout(Strategy.CANARY_10PERCENT_5MINUTES, {
      stable: aws.DnsTarget.ipAddress('192.0.2.10'),
      candidate: aws.DnsTarget.ipAddress('192.0.2.20'),
    }).stack);
    template.hasResourceProperties('AWS::Route53::RecordSet', {
      Type: 'A', SetIdentifier: 'Web-stable', ResourceRecords: ['192.0.2.10'], TTL: '60', Weight: 9,
    });
    template.hasResourceProperties('AWS::Route53::RecordSet', {
      Type: 'A', SetIdentifier: 'Web-candidate', ResourceRecords: ['192.0.2.20'], TTL: '60', Weight: 1,
    });
  });

  test('domain names render CNAME records with the TTL given', () => {
    const template = validatedTemplate(rollout(Strategy.BLUE_GREEN, {
      stable: aws.DnsTarget.domainName('blue.example.net'),
      candidate: aws.DnsTarget.domainName('green.example.net'),
      ttl: Duration.seconds(30),
    }).stack);
    template.hasResourceProperties('AWS::Route53::RecordSet', {
      Type: 'CNAME', SetIdentifier: 'Web-candidate', ResourceRecords: ['green.example.net'], TTL: '30', Weight: 0,
    });
  });

  test('an alias and an IP address render A records side by side; the TTL is the IP record\'s', () => {
    const base = setup();
    new aws.WeightedDnsRollout(base.stack, 'Web', {
      zone: base.zone,
      stable: aws.DnsTarget.loadBalancer(base.blue),
      candidate: aws.DnsTarget.ipAddress('192.0.2.20'),
      strategy: Strategy.BLUE_GREEN,
      ttl: Duration.seconds(60),
    });
    const template = validatedTemplate(base.stack);
    template.hasResourceProperties('AWS::Route53::RecordSet', { Name: 'example.com.', SetIdentifier: 'Web-stable', TTL: CfnMatch.absent() });
    template.hasResourceProperties('AWS::Route53::RecordSet', { Name: 'example.com.', SetIdentifier: 'Web-candidate', TTL: '60' });
  });

  test('a CloudFront alias beside an IP address takes the TTL given', () => {
    const base = setup();
    const distribution = new cloudfront.Distribution(base.stack, 'Cdn', { defaultBehavior: { origin: new origins.HttpOrigin('origin.example.net') } });
    new aws.WeightedDnsRollout(base.stack, 'Web', {
      zone: base.zone,
      recordName: 'www',
      stable: aws.DnsTarget.cloudFront(distribution),
      candidate: aws.DnsTarget.ipAddress('192.0.2.20'),
      strategy: Strategy.BLUE_GREEN,
      ttl: Duration.minutes(2),
    });
    validatedTemplate(base.stack).hasResourceProperties('AWS::Route53::RecordSet', { SetIdentifier: 'Web-candidate', TTL: '120' });
  });

  test('a fully qualified name in the zone, in any letter case', () => {
    const { stack } = rollout(Strategy.BLUE_GREEN, { recordName: 'WWW.Example.COM.' });
    validatedTemplate(stack).hasResourceProperties('AWS::Route53::RecordSet', { SetIdentifier: 'Web-stable', Name: 'WWW.Example.COM.' });
  });

  test('a name ending in the zone name is that name, whatever its letter case', () => {
    const named = (recordName: string) => validatedTemplate(rollout(Strategy.BLUE_GREEN, { recordName }).stack)
      .findResources('AWS::Route53::RecordSet', { Properties: { SetIdentifier: 'Web-stable' } });
    expect(Object.values(named('WWW.Example.COM'))[0].Properties.Name).toBe('WWW.Example.COM.');
    expect(Object.values(named('EXAMPLE.COM'))[0].Properties.Name).toBe('EXAMPLE.COM.');
    expect(Object.values(named('www.example.org'))[0].Properties.Name).toBe('www.example.org.example.com.');
  });

  test('a fully qualified name in a zone whose name is only known at deploy time is left to Route 53', () => {
    const base = setup();
    const zone = route53.HostedZone.fromHostedZoneAttributes(base.stack, 'Imported', {
      hostedZoneId: 'Z0000000000000000000', zoneName: Fn.importValue('ZoneName'),
    });
    new aws.WeightedDnsRollout(base.stack, 'Web', {
      zone,
      recordName: 'www.other.org.',
      stable: aws.DnsTarget.loadBalancer(base.blue),
      candidate: aws.DnsTarget.loadBalancer(base.green),
      strategy: Strategy.BLUE_GREEN,
    });
    validatedTemplate(base.stack).hasResourceProperties('AWS::Route53::RecordSet', { SetIdentifier: 'Web-stable', Name: 'www.other.org.' });
  });
});

describe('what Route 53 weighted records cannot express', () => {
  test('an alias A record and a CNAME record cannot be weighed against each other', () => {
    const base = setup();
    expectValidationError(() => new aws.WeightedDnsRollout(base.stack, 'Web', {
      zone: base.zone,
      recordName: 'www',
      stable: aws.DnsTarget.loadBalancer(base.blue),
      candidate: aws.DnsTarget.domainName('green.example.net'),
      strategy: Strategy.BLUE_GREEN,
    }), `${where}: candidate is "domain name \\"green.example.net\\"": Route 53 weighs records of one name and type against each other, `
      + 'and the candidate renders a CNAME record while the stable target (load balancer Stack/Blue) renders an A record. '
      + 'Use A targets for both (DnsTarget.loadBalancer(), DnsTarget.cloudFront(), DnsTarget.ipAddress()) or domain names for both (DnsTarget.domainName()).');
  });

  test('a test route', () => {
    expectValidationError(() => rollout(Strategy.blueGreen({ testRoute: Match.header('x-env', 'green') })),
      `${where}: strategy is "blue-green (test route header x-env=green, bake 5m)": Route 53 weighted records cannot express a test route: `
      + 'DNS answers by weight and sees no headers, cookies or query strings. Remove the testRoute and test the candidate at its own address '
      + '(such as its load balancer\'s DNS name), or use a load balancer rollout for a header route.');
  });

  test('a canary\'s test route', () => {
    expectValidationError(() => rollout(Strategy.canary({ testRoute: Match.header('x-qa', '1'), steps: [{ weight: 10, gate: bake(5) }] })),
      `${where}: strategy is "canary test route header x-qa=1 → 10% (bake 5m) → 100%": Route 53 weighted records cannot express a test route: `
      + 'DNS answers by weight and sees no headers, cookies or query strings. Remove the testRoute and test the candidate at its own address '
      + '(such as its load balancer\'s DNS name), or use a load balancer rollout for a header route.');
  });

  test('a CNAME at the zone apex', () => {
    const cnames = { stable: aws.DnsTarget.domainName('blue.example.net'), candidate: aws.DnsTarget.domainName('green.example.net') };
    const message = (name: string) => `${where}: recordName is "${name}": DNS allows no CNAME record at the zone apex. `
      + 'Give the records a name below the apex, such as "www", or use A targets (DnsTarget.loadBalancer(), DnsTarget.cloudFront(), DnsTarget.ipAddress()).';
    expectValidationError(() => rollout(Strategy.BLUE_GREEN, { ...cnames, recordName: undefined }), message('example.com'));
    expectValidationError(() => rollout(Strategy.BLUE_GREEN, { ...cnames, recordName: 'Example.com.' }), message('Example.com.'));
  });

  test('a TTL other than 60 seconds beside a load balancer\'s alias record', () => {
    const mixed = (ttl: Duration, stableFirst: boolean) => {
      const base = setup();
      const lb = aws.DnsTarget.loadBalancer(base.blue);
      const ip = aws.DnsTarget.ipAddress('192.0.2.20');
      return new aws.WeightedDnsRollout(base.stack, 'Web', {
        zone: base.zone,
        recordName: 'www',
        stable: stableFirst ? lb : ip,
        candidate: stableFirst ? ip : lb,
        strategy: Strategy.BLUE_GREEN,
        ttl,
      });
    };
    const message = (shown: string) => `${where}: ttl is ${shown}: the weighted records mix an alias record to load balancer Stack/Blue, `
      + 'which answers with the load balancer\'s TTL of 60 seconds, with a record that is not an alias, and Route 53 splits traffic '
      + 'by the weights only when every record of the group has the same TTL. '
      + 'Leave ttl out (it defaults to 60 seconds) or set it to Duration.seconds(60); for another TTL, use IP address targets on both sides.';
    expectValidationError(() => mixed(Duration.minutes(2), true), message('2 minutes'));
    expectValidationError(() => mixed(Duration.seconds(30), false), message('30 seconds'));
    expect(() => mixed(Duration.minutes(1), false)).not.toThrow();
  });

  test('a fully qualified name outside the zone', () => {
    const message = (name: string) => `${where}: recordName is "${name}": a fully qualified name must be in the hosted zone "example.com": `
      + 'the zone name itself or a name ending in ".example.com.", and Route 53 refuses any other at deploy. '
      + `Use a name in the zone, such as "www" or "www.example.com.", or pass the hosted zone that holds ${name}`;
    expectValidationError(() => rollout(Strategy.BLUE_GREEN, { recordName: 'www.other.org.' }), message('www.other.org.'));
    expectValidationError(() => rollout(Strategy.BLUE_GREEN, { recordName: 'wwwexample.com.' }), message('wwwexample.com.'));
    expectValidationError(() => rollout(Strategy.BLUE_GREEN, { recordName: 'example.com.evil.org.' }), message('example.com.evil.org.'));
  });

  test('a TTL for two alias records, which take their target\'s', () => {
    expectValidationError(() => rollout(Strategy.BLUE_GREEN, { ttl: Duration.minutes(5) }),
      `${where}: ttl is 5 minutes: its targets render alias records, which take the TTL of their target. `
      + 'Leave ttl out; it applies to IP address and domain name targets only.');
  });
});

describe('names longer than Route 53 takes', () => {
  const a = (n: number) => 'a'.repeat(n);
  /** Four labels and the zone name: 60 * 4 + 3 dots + ".example.com" is 255 bytes. */
  const fourLabels = (last: number) => `${a(60)}.${'b'.repeat(60)}.${'c'.repeat(60)}.${'d'.repeat(last)}`;

  test('a label of more than 63 bytes', () => {
    expectValidationError(() => rollout(Strategy.BLUE_GREEN, { recordName: `api.${a(64)}` }),
      `${where}: recordName is "api.${a(64)}": each label of a Route 53 name (the part between two dots) is 1 to 63 bytes long, `
      + `and "${a(64)}" has 64. Shorten the label to at most 63 bytes.`);
    expectValidationError(() => rollout(Strategy.BLUE_GREEN, { recordName: `${a(70)}.example.com.` }),
      `${where}: recordName is "${a(70)}.example.com.": each label of a Route 53 name (the part between two dots) is 1 to 63 bytes long, `
      + `and "${a(70)}" has 70. Shorten the label to at most 63 bytes.`);
  });

  test('an empty label', () => {
    const message = (name: string) => `${where}: recordName is "${name}": each label of a Route 53 name (the part between two dots) is 1 to 63 bytes long, `
      + 'and this name has an empty one. Remove the dot at the start, or one of the two dots in a row.';
    expectValidationError(() => rollout(Strategy.BLUE_GREEN, { recordName: 'www..shop' }), message('www..shop'));
    expectValidationError(() => rollout(Strategy.BLUE_GREEN, { recordName: '.www' }), message('.www'));
  });

  test('more than 255 bytes with the zone name, the final dot aside', () => {
    const message = (name: string) => `${where}: recordName is "${name}": a Route 53 name is at most 255 bytes, including the dots, `
      + 'and in the zone "example.com" this one has 256. Use a shorter name, or fewer labels.';
    expectValidationError(() => rollout(Strategy.BLUE_GREEN, { recordName: fourLabels(61) }), message(fourLabels(61)));
    expectValidationError(() => rollout(Strategy.BLUE_GREEN, { recordName: `${fourLabels(61)}.Example.com.` }), message(`${fourLabels(61)}.Example.com.`));
  });

  test('names at the limits, and escape codes counted as one byte each', () => {
    expect(() => rollout(Strategy.BLUE_GREEN, { recordName: `api.${a(63)}` })).not.toThrow();
    validatedTemplate(rollout(Strategy.BLUE_GREEN, { recordName: fourLabels(60) }).stack)
      .hasResourceProperties('AWS::Route53::RecordSet', { SetIdentifier: 'Web-stable', Name: `${fourLabels(60)}.example.com.` });
    expect(() => rollout(Strategy.BLUE_GREEN, { recordName: `${fourLabels(60)}.example.com.` })).not.toThrow();
    // 62 letters and an escaped "*": 66 characters, 63 bytes.
    expect(() => rollout(Strategy.BLUE_GREEN, { recordName: `${a(62)}\\052` })).not.toThrow();
  });

  test('in a zone whose name is only known at deploy time, a relative name has only its labels checked', () => {
    const inImportedZone = (recordName: string) => () => {
      const base = setup();
      const zone = route53.HostedZone.fromHostedZoneAttributes(base.stack, 'Imported', {
        hostedZoneId: 'Z0000000000000000000', zoneName: Fn.importValue('ZoneName'),
      });
      new aws.WeightedDnsRollout(base.stack, 'Web', {
        zone,
        recordName,
        stable: aws.DnsTarget.loadBalancer(base.blue),
        candidate: aws.DnsTarget.loadBalancer(base.green),
        strategy: Strategy.BLUE_GREEN,
      });
    };
    expectValidationError(inImportedZone(a(64)),
      `${where}: recordName is "${a(64)}": each label of a Route 53 name (the part between two dots) is 1 to 63 bytes long, `
      + `and "${a(64)}" has 64. Shorten the label to at most 63 bytes.`);
    expect(inImportedZone(fourLabels(63))).not.toThrow();
    expectValidationError(inImportedZone(`${fourLabels(63)}.example.com.`),
      `${where}: recordName is "${fourLabels(63)}.example.com.": a Route 53 name is at most 255 bytes, including the dots, and this one has 258. `
      + 'Use a shorter name, or fewer labels.');
  });
});

describe('misuse', () => {
  test('the same target on both sides', () => {
    const base = setup();
    expectValidationError(() => new aws.WeightedDnsRollout(base.stack, 'Web', {
      zone: base.zone,
      stable: aws.DnsTarget.loadBalancer(base.blue),
      candidate: aws.DnsTarget.loadBalancer(base.blue, { evaluateTargetHealth: true }),
      strategy: Strategy.BLUE_GREEN,
    }), `${where}: candidate is "load balancer Stack/Blue": it is also the stable target, so the rollout would move no traffic. `
      + 'Point candidate at the environment that runs the new version.');
  });

  test('something other than a Strategy or a DnsTarget', () => {
    expectValidationError(() => rollout('canary' as unknown as Strategy),
      `${where}: strategy is "canary": a rollout needs a Strategy. Pass a Strategy, for example Strategy.CANARY_10PERCENT_5MINUTES.`);
    expectValidationError(() => rollout(Strategy.BLUE_GREEN, { stable: 'blue.example.net' as unknown as aws.DnsTarget }),
      `${where}: stable is "blue.example.net": it must be a DnsTarget. `
      + 'Use DnsTarget.loadBalancer(), DnsTarget.cloudFront(), DnsTarget.ipAddress() or DnsTarget.domainName().');
  });

  test('a zone that is not a hosted zone', () => {
    expectValidationError(() => rollout(Strategy.BLUE_GREEN, { zone: 'example.com' as unknown as route53.IHostedZone }),
      `${where}: zone is "example.com": it must be a Route 53 hosted zone (route53.IHostedZone). `
      + 'Pass a route53.PublicHostedZone, or one imported with route53.HostedZone.fromHostedZoneAttributes().');
  });

  test('a TTL that is not whole seconds', () => {
    expectValidationError(() => rollout(Strategy.BLUE_GREEN, {
      stable: aws.DnsTarget.ipAddress('192.0.2.10'), candidate: aws.DnsTarget.ipAddress('192.0.2.20'), ttl: Duration.millis(1500),
    }), `${where}: ttl is 1 second 500 millis: durations are whole seconds. Round the duration to whole seconds.`);
  });

  test('an id too long for the set identifiers', () => {
    const base = setup();
    const id = 'W'.repeat(119);
    expectValidationError(() => new aws.WeightedDnsRollout(base.stack, id, {
      zone: base.zone,
      stable: aws.DnsTarget.loadBalancer(base.blue),
      candidate: aws.DnsTarget.loadBalancer(base.green),
      strategy: Strategy.BLUE_GREEN,
    }), `WeightedDnsRollout Stack/${id}: id is "${id}": the set identifiers "<id>-stable" and "<id>-candidate" are at most 128 characters. `
      + 'Use a construct id of at most 118 characters.');
  });
});

describe('without a candidate', () => {
  test('only the Stable record exists, and it receives all traffic', () => {
    const { stack, construct } = rollout(Strategy.CANARY_10PERCENT_5MINUTES, { candidate: undefined }, { 'Stack/Web:step': '2' });
    const template = validatedTemplate(stack);
    template.resourceCountIs('AWS::Route53::RecordSet', 1);
    // A lone weighted record takes all traffic whatever its weight; 255 keeps a removed candidate at 1/256 until it is deleted.
    template.hasResourceProperties('AWS::Route53::RecordSet', { SetIdentifier: 'Web-stable', Weight: 255 });
    expect(construct.step).toBeUndefined();
    expect(construct.candidateRecord).toBeUndefined();
    expect(construct.node.metadata.find(m => m.type === STEP_METADATA_TYPE)!.data).toEqual({
      step: undefined, contextKey: 'Stack/Web:step', stableWeight: 100, candidateWeight: 0, recordWeights: { stable: 255, candidate: undefined },
    });
  });

  test('the step and the strategy are still checked', () => {
    expectValidationError(() => rollout(Strategy.BLUE_GREEN, { candidate: undefined }, { 'Stack/Web:step': '3' }),
      `${where}: context "Stack/Web:step" is "3": the plan has steps 1 to 2 (blue-green (bake 5m)). `
      + 'Render a step from 1 to 2, numbered as in the plan\'s table (step 2 sends everything to the candidate).');
    expect(() => rollout(Strategy.canary({ steps: [{ weight: 33.3, gate: bake(5) }] }), { candidate: undefined }))
      .toThrow(/no pair of them sends exactly 33\.3%/);
  });
});

describe('the step key', () => {
  /** The README's rollout, `Www` in a stack named `Shop`, deployed with `cdk deploy -c <key>=2`. */
  function shop(key: string) {
    const app = testApp({ context: { [key]: '2' } });
    const stack = new Stack(app, 'Shop');
    const zone = new route53.PublicHostedZone(stack, 'Zone', { zoneName: 'example.com' });
    new aws.WeightedDnsRollout(stack, 'Www', {
      zone,
      recordName: 'www',
      strategy: Strategy.CANARY_10PERCENT_5MINUTES,
      stable: aws.DnsTarget.ipAddress('192.0.2.1'),
      candidate: aws.DnsTarget.ipAddress('192.0.2.2'),
    });
    return app;
  }

  test('the construct path chooses the step', () => {
    expect(shop('Shop/Www:step').synth().getStackByName('Shop').findMetadataByType(STEP_METADATA_TYPE)[0].data).toMatchObject({ step: 2 });
  });

  test('a key naming no rollout fails synthesis, naming the rollouts there are and the nearest one', () => {
    expectValidationError(() => shop('Stack/Www:step').synth(),
      'context "Stack/Www:step" is "2": no rollout of this app has the path "Stack/Www", so the key chooses nothing and each rollout renders its step prop, else step 1; '
      + 'the rollouts that render one step per deploy are Shop/Www (WeightedDnsRollout). Set the key of the rollout you mean, by its construct path: "Shop/Www:step" is the nearest; or remove the key.');
  });

  test('a step prop without a candidate is refused: no step applies', () => {
    expectValidationError(() => rollout(Strategy.CANARY_10PERCENT_5MINUTES, { candidate: undefined, step: 2 }),
      `${where}: step is 2: there is no candidate, so no step of the plan applies. Add the candidate target to release, or leave step out (a rollback deploy leaves out the candidate alone).`);
  });
});

test('records its traffic plan and the step rendered in the cloud assembly', () => {
  const { stack, construct } = rollout(Strategy.LINEAR_10PERCENT_EVERY_1MINUTE, {}, { 'Stack/Web:step': '3' });
  validatedTemplate(stack);
  const entry = construct.node.metadata.find(m => m.type === PLAN_METADATA_TYPE)!;
  expect(entry.data.controller).toBe('Route 53 weighted records');
  expect(entry.data.table).toBe(construct.plan.toTable());
  expect(construct.plan.capacity).toBe('FULL_COPY');
  const artifact = (stack.node.root as App).synth().getStackByName('Stack');
  const plans = artifact.findMetadataByType(PLAN_METADATA_TYPE);
  expect(plans.map(m => m.path)).toEqual(['/Stack/Web']);
  expect((plans[0].data as any).plan).toEqual(construct.plan.toJson());
  const steps = artifact.findMetadataByType(STEP_METADATA_TYPE);
  expect(steps.map(m => m.path)).toEqual(['/Stack/Web']);
  expect(steps[0].data).toEqual({
    step: 3, contextKey: 'Stack/Web:step', stableWeight: 70, candidateWeight: 30, recordWeights: { stable: 7, candidate: 3 },
  });
});

describe('driven by Step Functions', () => {
  const driven = (props: Partial<aws.WeightedDnsRolloutProps> = {}, strategy: Strategy = Strategy.CANARY_10PERCENT_5MINUTES, context = {}) =>
    rollout(strategy, { driver: aws.RolloutDriver.stepFunctions(), ...props }, context);

  test('the template declares everything on the stable record, in the plan\'s total weight; the driver moves it from there', () => {
    const { stack, construct } = driven({}, Strategy.canary({ steps: [{ weight: 5, gate: bake(10) }, { weight: 25, gate: bake(10) }] }));
    expect(weights(validatedTemplate(stack))).toEqual([20, 0]);
    expect(construct.step).toBeUndefined();
    expect(construct.stateMachine).toBeDefined();
    expect(construct.notificationTopic).toBeDefined();
    // One deploy runs the plan: nothing records a step to render.
    expect(construct.node.metadata.find(m => m.type === STEP_METADATA_TYPE)).toBeUndefined();
  });

  test('a load balancer candidate is measured by 5xx and p99 alarms on it, which the driver reads with the rollout\'s own', () => {
    const { stack, construct } = driven();
    const template = validatedTemplate(stack);
    template.resourceCountIs('AWS::CloudWatch::Alarm', 2);
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Metrics: CfnMatch.arrayWith([CfnMatch.objectLike({
        MetricStat: CfnMatch.objectLike({ Metric: CfnMatch.objectLike({ MetricName: 'HTTPCode_Target_5XX_Count', Dimensions: [{ Name: 'LoadBalancer', Value: CfnMatch.anyValue() }] }) }),
      })]),
    });
    expect(construct.plan.healthChecks.map(c => c.name)).toEqual(['error-rate', 'latency-p99']);
    const alarms = definitionOf(template.toJSON()).States['List the alarms'].Result;
    expect(alarms).toHaveLength(2);
  });

  test('an IP address candidate has no metrics: a declared check asks for an alarm of the user\'s own', () => {
    const base = setup();
    expectValidationError(() => new aws.WeightedDnsRollout(base.stack, 'Web', {
      zone: base.zone,
      recordName: 'www',
      driver: aws.RolloutDriver.stepFunctions(),
      stable: aws.DnsTarget.ipAddress('192.0.2.1'),
      candidate: aws.DnsTarget.ipAddress('192.0.2.2'),
      strategy: Strategy.CANARY_10PERCENT_5MINUTES.withHealthChecks([HealthCheck.errorRate({ maxErrorPercent: 1 })]),
    }), `${where}: health check "error-rate" is "5xx above 1%": Route 53 weighted records has no request metrics of its own to measure an error rate on. `
      + 'Route 53 measures nothing itself, and the candidate (IP address "192.0.2.2") is not an Application Load Balancer with request metrics: '
      + 'watch it with an alarm of your own, healthChecks: [aws.CloudWatchHealthCheck.alarm(alarm)], or point the records at an Application Load Balancer.');
  });

  test('CDS-R1 passes once alarms roll the rollout back; without the driver nothing does', () => {
    const findings = (construct: aws.WeightedDnsRollout) => guardrails.Guardrails.report(construct, guardrails.GuardrailPack.recommended()).findings
      .filter(f => f.ruleId === 'CDS-R1' && !f.suppressed);
    expect(findings(driven().construct)).toEqual([]);
    expect(findings(rollout(Strategy.CANARY_10PERCENT_5MINUTES).construct)).toHaveLength(1);
    expect(findings(driven({ healthChecks: [] }).construct)).toHaveLength(1);
  });

  test('records the state machine in its plan', () => {
    const { stack } = driven();
    const entry = (stack.node.root as App).synth().getStackByName('Stack').findMetadataByType(PLAN_METADATA_TYPE)[0];
    expect((entry.data as any).controller).toMatch(/^Route 53 weighted records, driven by the Step Functions state machine Stack-Web-[0-9A-F]{8}$/);
  });

  test.each([
    ['a step', { step: 2 }, {}, `${where}: step is 2: the Step Functions driver runs every step of the plan itself, from the declared start. `
      + 'Leave step out, or drive the rollout with driver: RolloutDriver.pipeline() to deploy one step at a time.'],
    ['a step from the context', {}, { 'Stack/Web:step': '2' }, `${where}: context "Stack/Web:step" is "2": the Step Functions driver runs every step of the plan itself, `
      + 'so a step chosen per deploy would be ignored. Stop passing -c Stack/Web:step=..., or drive the rollout with driver: RolloutDriver.pipeline() to deploy one step at a time.'],
  ])('refuses %s', (_, props, context, message) => {
    expectValidationError(() => driven(props, Strategy.CANARY_10PERCENT_5MINUTES, context), message);
  });

  test('refuses a zone whose name is known only at deploy time: the IAM policy names the records', () => {
    const base = setup();
    const zone = route53.HostedZone.fromHostedZoneAttributes(base.stack, 'Imported', { hostedZoneId: 'Z0000000000000000000', zoneName: Fn.importValue('ZoneName') });
    expectValidationError(() => new aws.WeightedDnsRollout(base.stack, 'Web', {
      zone,
      recordName: 'www',
      driver: aws.RolloutDriver.stepFunctions(),
      strategy: Strategy.CANARY_10PERCENT_5MINUTES,
      stable: aws.DnsTarget.loadBalancer(base.blue),
      candidate: aws.DnsTarget.loadBalancer(base.green),
    }), `${where}: zone is "Stack/Imported": the driver may change only its own records, and its IAM policy names them, so the record name must be known at synth. `
      + 'Use a hosted zone whose name is known in the app (route53.PublicHostedZone, or HostedZone.fromHostedZoneAttributes() with zoneName) and a literal recordName.');
  });

  test('without the driver, alarms and health checks are refused: nothing would act on them', () => {
    const base = setup();
    const alarm = new cloudwatch.Alarm(base.stack, 'Errors', { metric: new cloudwatch.Metric({ namespace: 'A', metricName: 'B' }), threshold: 1, evaluationPeriods: 1 });
    expectValidationError(() => rollout(Strategy.CANARY_10PERCENT_5MINUTES, { alarms: [alarm] }),
      `${where}: alarms is an array of 1: nothing reads them: Route 53 moves no traffic by itself, and the pipeline advances one deploy per step. `
      + 'Drive the rollout with driver: RolloutDriver.stepFunctions(), which rolls back when an alarm fires, or leave alarms out.');
    const { construct } = rollout(Strategy.CANARY_10PERCENT_5MINUTES);
    expectValidationError(() => construct.addAlarm(alarm),
      `${where}: alarm is "Stack/Errors": nothing reads it: Route 53 moves no traffic by itself, and the pipeline advances one deploy per step. `
      + 'Drive the rollout with driver: RolloutDriver.stepFunctions(), which rolls back when an alarm fires.');
    expectValidationError(() => construct.addHealthCheck(HealthCheck.errorRate({ maxErrorPercent: 1 })),
      `${where}: addHealthCheck is "error-rate: 5xx above 1% for 2 windows of 1m (10+ requests)": nothing would measure it: the pipeline advances one deploy per step, `
      + 'and nothing rolls the rollout back. Drive the rollout with driver: RolloutDriver.stepFunctions().');
  });

  test('addHealthCheck renders one more alarm the driver reads, and the plan lists it', () => {
    const { stack, construct } = driven({ healthChecks: [] });
    construct.addHealthCheck(HealthCheck.latency({ percentile: 99.9, maxLatency: Duration.seconds(1) }));
    const template = validatedTemplate(stack);
    template.resourceCountIs('AWS::CloudWatch::Alarm', 1);
    expect(definitionOf(template.toJSON()).States['List the alarms'].Result).toHaveLength(1);
    expect(construct.plan.healthChecks.map(c => c.name)).toEqual(['latency-p99-9']);
    const entry = (stack.node.root as App).synth().getStackByName('Stack').findMetadataByType(PLAN_METADATA_TYPE)[0];
    expect((entry.data as any).plan.healthChecks.map((c: any) => c.name)).toEqual(['latency-p99-9']);
  });

  test('the health checks\' alarms live under HealthChecks, and CDS-R1 counts them apart from the rollout\'s own', () => {
    const { stack, construct } = driven();
    construct.addAlarm(new cloudwatch.Alarm(stack, 'Custom', { metric: new cloudwatch.Metric({ namespace: 'App', metricName: 'Errors' }), threshold: 1, evaluationPeriods: 1 }));
    expect(construct.healthCheckAlarms.map(a => a.node.path)).toEqual(['Stack/Web/HealthChecks/error-rate', 'Stack/Web/HealthChecks/latency-p99']);
    expect(guardrailFactsOf(construct).map(f => f.rollbackTriggers!().map(t => `${t.kind}: ${t.description}`))).toEqual([[
      'ALARM: health checks error-rate, latency-p99 (2 CloudWatch alarms)', 'ALARM: 1 CloudWatch alarm',
    ]]);
  });

  test('without a candidate there is nothing to drive', () => {
    const { stack, construct } = driven({ candidate: undefined });
    expect(construct.stateMachine).toBeUndefined();
    validatedTemplate(stack).resourceCountIs('AWS::StepFunctions::StateMachine', 0);
  });
});

describe('random props', () => {
  /** What a DnsTarget is made of; the target itself needs the stack of the case, so it is made in `build`. */
  type TargetSpec =
    | { readonly kind: 'alb' | 'nlb' | 'cloudFront'; readonly healthCheck: boolean; readonly evaluateTargetHealth?: unknown }
    | { readonly kind: 'ip' | 'domain'; readonly value: string; readonly healthCheck: boolean; readonly evaluateTargetHealth?: unknown }
    | { readonly kind: 'odd'; readonly value: unknown };

  /** Each prop goes wrong only seldom, so that with several of them a good share of cases (a third or more) still builds. */
  const seldom = <T>(valid: fc.Arbitrary<T>, odd: fc.Arbitrary<unknown> = oddValueArb): fc.Arbitrary<T> =>
    fc.oneof({ weight: 18, arbitrary: valid }, { weight: 1, arbitrary: odd as fc.Arbitrary<T> });
  const healthCheckArb = fc.boolean();
  /** Only load balancers evaluate their target's health: seldom set elsewhere. */
  const evaluateArb = seldom(fc.option(fc.boolean(), { nil: undefined }));
  const rarelyEvaluateArb = seldom(fc.constant(undefined), fc.boolean());
  const aliasArb: fc.Arbitrary<TargetSpec> = fc.oneof(
    { weight: 2, arbitrary: fc.record({ kind: fc.constantFrom('alb' as const, 'nlb' as const), healthCheck: healthCheckArb, evaluateTargetHealth: evaluateArb }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('cloudFront' as const), healthCheck: healthCheckArb, evaluateTargetHealth: rarelyEvaluateArb }) },
  );
  const ipArb: fc.Arbitrary<TargetSpec> = fc.record({
    kind: fc.constant('ip' as const),
    value: seldom(fc.ipV4(), fc.oneof(fc.ipV6(), fc.string())) as fc.Arbitrary<string>,
    healthCheck: healthCheckArb,
    evaluateTargetHealth: rarelyEvaluateArb,
  });
  const domainArb: fc.Arbitrary<TargetSpec> = fc.record({
    kind: fc.constant('domain' as const),
    value: seldom(fc.domain(), fc.string({ maxLength: 300 })) as fc.Arbitrary<string>,
    healthCheck: healthCheckArb,
    evaluateTargetHealth: rarelyEvaluateArb,
  });
  const oddTargetArb: fc.Arbitrary<TargetSpec> = fc.record({ kind: fc.constant('odd' as const), value: oddValueArb });
  /** An A target (alias or IP address) or a domain name; seldom not a target at all. */
  const targetSpecArb = (family: 'A' | 'CNAME'): fc.Arbitrary<TargetSpec> => seldom(family === 'A' ? fc.oneof(aliasArb, aliasArb, ipArb) : domainArb, oddTargetArb);
  /** Both targets: mostly of one record type, seldom of two (which Route 53 cannot weigh against each other). */
  const targetsArb = fc.constantFrom('A' as const, 'A' as const, 'CNAME' as const).chain(family => fc.record({
    stable: targetSpecArb(family),
    candidate: fc.oneof(
      { weight: 12, arbitrary: targetSpecArb(family) },
      { weight: 1, arbitrary: targetSpecArb(family === 'A' ? 'CNAME' : 'A') },
      { weight: 2, arbitrary: fc.constant('none' as const) },
      { weight: 1, arbitrary: fc.constant('same' as const) },
    ),
  }));

  /** Canaries in half percents, which Route 53 always expresses, beside the shared strategies (whose tenths it mostly cannot). */
  const halfPercentCanaryArb = fc.array(fc.tuple(fc.integer({ min: 1, max: 199 }), gateArb), { minLength: 1, maxLength: 6 })
    .map(steps => Strategy.canary({
      steps: steps.map(([h]) => h).sort((a, b) => a - b).map((h, i) => ({ weight: h / 2, gate: steps[i][1] })),
    }));
  const route53StrategyArb: fc.Arbitrary<Strategy> = seldom(fc.oneof(
    { weight: 5, arbitrary: halfPercentCanaryArb },
    { weight: 2, arbitrary: presetArb },
    { weight: 1, arbitrary: strategyArb },
    { weight: 1, arbitrary: fc.integer({ min: 1, max: 99 }).map(p => Strategy.linear({ stepPercent: p, interval: Duration.minutes(1) })) },
  ));

  const labelArb = fc.stringMatching(/^[a-z0-9]([a-z0-9-]{0,10}[a-z0-9])?$/);
  const recordNameArb = fc.oneof(
    { weight: 4, arbitrary: fc.constant(undefined) },
    { weight: 9, arbitrary: labelArb },
    { weight: 4, arbitrary: labelArb.map(l => `${l}.example.com.`) },
    { weight: 1, arbitrary: fc.constantFrom('example.com.', 'EXAMPLE.com.', 'example.com', 'www.other.org.', '*.example.com.', '', 'www.example.com.example.com') },
    { weight: 1, arbitrary: fc.tuple(labelArb, fc.constantFrom('example.com', 'Example.COM', 'EXAMPLE.COM.')).map(([l, z]) => `${l.toUpperCase()}.${z}`) },
    { weight: 1, arbitrary: fc.oneof(oddValueArb, fc.string()) },
    // Near Route 53's limits: a label about 63 bytes long, or labels that with the zone name come to about 255 bytes.
    {
      weight: 2,
      arbitrary: fc.oneof(
        fc.tuple(labelArb, fc.stringMatching(/^[a-z0-9]{58,70}$/)).map(([l, long]) => `${l}.${long}`),
        fc.array(fc.stringMatching(/^[a-z0-9]{58,63}$/), { minLength: 4, maxLength: 4 }).map(ls => ls.join('.')),
        fc.constantFrom('www..example.com.', '.www', 'www.'),
      ),
    },
  );
  const stepArb = fc.oneof(
    { weight: 6, arbitrary: fc.constant(undefined) },
    { weight: 6, arbitrary: fc.record({ from: fc.constantFrom('prop' as const, 'context' as const), value: fc.integer({ min: 1, max: 2 }) as fc.Arbitrary<unknown> }) },
    { weight: 1, arbitrary: fc.record({ from: fc.constantFrom('prop' as const, 'context' as const), value: fc.integer({ min: 0, max: 12 }) as fc.Arbitrary<unknown> }) },
    { weight: 1, arbitrary: fc.record({ from: fc.constantFrom('prop' as const, 'context' as const), value: fc.oneof(oddValueArb, fc.nat(12).map(String)) }) },
  );
  const ttlSecondsArb = fc.oneof(fc.constant(60), fc.integer({ min: 0, max: 400 * 86400 })).map(s => Duration.seconds(s));
  /** A TTL applies to records that are not aliases: mostly given for those, seldom for aliases. */
  const ttlArb = (targets: { stable: TargetSpec; candidate: TargetSpec | 'none' | 'same' }) => {
    const plain = [targets.stable, targets.candidate].some(t => typeof t === 'object' && (t.kind === 'ip' || t.kind === 'domain'));
    return fc.oneof(
      { weight: plain ? 4 : 12, arbitrary: fc.constant(undefined) },
      { weight: plain ? 4 : 1, arbitrary: ttlSecondsArb },
      { weight: 1, arbitrary: oddValueArb },
    );
  };
  const propsArb = targetsArb.chain(targets => fc.record({
    zone: fc.oneof({ weight: 18, arbitrary: fc.constant('public') }, { weight: 2, arbitrary: fc.constantFrom('private', 'imported') }, { weight: 1, arbitrary: fc.constant('odd') }),
    recordName: recordNameArb,
    targets: fc.constant(targets),
    strategy: route53StrategyArb,
    step: stepArb,
    ttl: ttlArb(targets),
    id: seldom(fc.constant('Web'), fc.string({ minLength: 100, maxLength: 130 }).map(s => `Web${s.replace(/\//g, '_')}`)) as fc.Arbitrary<string>,
    // Mostly the pipeline, whose every step the property checks; the driver a third of the time.
    driver: fc.oneof(
      { weight: 6, arbitrary: fc.constant(undefined) },
      { weight: 3, arbitrary: fc.constant('driven' as const) },
      { weight: 1, arbitrary: oddValueArb },
    ),
  }));
  type Props = typeof propsArb extends fc.Arbitrary<infer P> ? P : never;

  function build(p: Props) {
    const context = p.step?.from === 'context' ? { [`Stack/${p.id}:step`]: p.step.value } : {};
    const stack = new Stack(testApp({ context }), 'Stack');
    let vpc: ec2.Vpc | undefined;
    const vpcOf = () => vpc ??= new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 0, subnetConfiguration: [{ name: 'public', subnetType: ec2.SubnetType.PUBLIC }] });
    const zone = p.zone === 'public' ? new route53.PublicHostedZone(stack, 'Zone', { zoneName: 'example.com' })
      : p.zone === 'private' ? new route53.PrivateHostedZone(stack, 'Zone', { zoneName: 'example.com', vpc: vpcOf() })
        : p.zone === 'imported' ? route53.HostedZone.fromHostedZoneAttributes(stack, 'Zone', { hostedZoneId: 'Z0000000000000000000', zoneName: Fn.importValue('ZoneName') })
          : 'example.com' as unknown as route53.IHostedZone;
    const made = (role: string, spec: TargetSpec): aws.DnsTarget => {
      if (spec.kind === 'odd') return spec.value as aws.DnsTarget;
      const options = {
        ...(spec.healthCheck ? { healthCheck: new route53.HealthCheck(stack, `${role}Health`, { type: route53.HealthCheckType.HTTP, fqdn: `${role.toLowerCase()}.example.net`, resourcePath: '/health' }) } : {}),
        ...(spec.evaluateTargetHealth === undefined ? {} : { evaluateTargetHealth: spec.evaluateTargetHealth as boolean }),
      };
      switch (spec.kind) {
        case 'alb': return aws.DnsTarget.loadBalancer(new elbv2.ApplicationLoadBalancer(stack, role, { vpc: vpcOf(), internetFacing: true }), options);
        case 'nlb': return aws.DnsTarget.loadBalancer(new elbv2.NetworkLoadBalancer(stack, role, { vpc: vpcOf(), internetFacing: true }), options);
        case 'cloudFront': return aws.DnsTarget.cloudFront(
          new cloudfront.Distribution(stack, role, { defaultBehavior: { origin: new origins.HttpOrigin(`${role.toLowerCase()}.example.net`) } }), options);
        case 'ip': return aws.DnsTarget.ipAddress(spec.value, options);
        case 'domain': return aws.DnsTarget.domainName(spec.value, options);
      }
    };
    const stable = made('Blue', p.targets.stable);
    const candidate = p.targets.candidate === 'none' ? undefined : p.targets.candidate === 'same' ? stable : made('Green', p.targets.candidate);
    const construct = new aws.WeightedDnsRollout(stack, p.id, {
      zone,
      recordName: p.recordName as string | undefined,
      stable,
      candidate,
      strategy: p.strategy,
      step: p.step?.from === 'prop' ? p.step.value as number : undefined,
      ttl: p.ttl as Duration | undefined,
      driver: p.driver === 'driven' ? aws.RolloutDriver.stepFunctions() : p.driver as aws.RolloutDriver | undefined,
    });
    const driven = construct.driver.isDriven;

    const template = validatedTemplate(stack);
    expectCleanAssembly(stack.node.root as App);
    const records = Object.values(template.findResources('AWS::Route53::RecordSet')).map(r => r.Properties);
    expect(records).toHaveLength(candidate ? 2 : 1);
    const byRole = (role: string) => records.find(r => r.SetIdentifier === `${p.id}-${role}`)!;
    // Each record is of its target's type, with a TTL only when it is not an alias.
    for (const [role, t] of [['stable', stable], ['candidate', candidate]] as const) {
      if (!t) continue;
      expect(byRole(role).Type).toBe(t.recordType);
      expect(byRole(role).TTL === undefined).toBe(t.isAlias);
    }
    // The records are named as DNS reads the name (letter case aside): relative to the zone, or fully qualified.
    if (p.zone === 'public' || p.zone === 'private') {
      const name = (p.recordName as string | undefined) ?? 'example.com';
      const lower = name.toLowerCase();
      const fqdn = lower.endsWith('.') ? lower : lower === 'example.com' || lower.endsWith('.example.com') ? `${lower}.` : `${lower}.example.com.`;
      expect(byRole('stable').Name.toLowerCase()).toBe(fqdn);
      // ...and fits Route 53: labels of 1 to 63 bytes, 255 bytes in all without the final dot (escape codes aside).
      if (!fqdn.includes('\\')) {
        expect(Buffer.byteLength(fqdn) - 1).toBeLessThanOrEqual(255);
        for (const label of fqdn.slice(0, -1).split('.')) {
          expect(Buffer.byteLength(label)).toBeGreaterThanOrEqual(1);
          expect(Buffer.byteLength(label)).toBeLessThanOrEqual(63);
        }
      }
    }
    // The weights are the rendered step's share, exactly, and the metadata records them.
    const stableWeight = byRole('stable').Weight;
    if (driven) {
      // Driven: the template declares everything on the stable record, and a state machine moves the weights.
      if (candidate) {
        expect(byRole('candidate').Weight).toBe(0);
        expect(construct.stateMachine).toBeDefined();
        const definition = definitionOf(template.toJSON());
        expectValidAsl(definition);
      }
      return;
    }
    if (candidate) {
      const candidateWeight = byRole('candidate').Weight;
      const wanted = p.step === undefined ? 1 : Number(p.step.value);
      expect(construct.step!.index).toBe(wanted);
      expect(candidateWeight * 100).toBeCloseTo(construct.step!.candidateWeight * (stableWeight + candidateWeight), 6);
      expect(Math.max(stableWeight, candidateWeight)).toBeLessThanOrEqual(255);
      expect(stableWeight + candidateWeight).toBeGreaterThan(0);
    } else {
      expect(stableWeight).toBe(255);
    }
    const step = construct.node.metadata.find(m => m.type === STEP_METADATA_TYPE)!.data;
    expect(step.recordWeights.stable).toBe(stableWeight);
  }

  test('either synthesize valid, clean weighted records or refuse with the library error', () => {
    expectBuildsOrRefuses(propsArb, build);
  });
});
