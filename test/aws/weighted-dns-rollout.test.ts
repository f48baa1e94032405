import { App, Duration, Fn, Stack } from 'aws-cdk-lib';
import { Match as CfnMatch, Template } from 'aws-cdk-lib/assertions';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as route53 from 'aws-cdk-lib/aws-route53';
import { aws, Match, StepGate, Strategy } from '../../src';
import { PLAN_METADATA_TYPE, STEP_METADATA_TYPE } from '../../src/private/plan-metadata';
import { testApp, validatedTemplate } from '../support/cfn';
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
