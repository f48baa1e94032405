import { App, Stack } from 'aws-cdk-lib';
import { Match as CfnMatch } from 'aws-cdk-lib/assertions';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as fc from 'fast-check';
import { aws, Strategy } from '../../src';
import { oddValueArb } from '../support/arbitraries';
import { testApp, validatedTemplate } from '../support/cfn';
import { expectBuildsOrRefuses, expectCleanAssembly } from '../support/properties';
import { expectValidationError } from '../support/validation-error';

const { DnsTarget } = aws;
const CERTIFICATE_ARN = 'arn:aws:acm:us-east-1:123456789012:certificate/11111111-2222-3333-4444-555555555555';

function setup() {
  const stack = new Stack(testApp(), 'Stack', { env: { region: 'us-east-1' } });
  const zone = new route53.PublicHostedZone(stack, 'Zone', { zoneName: 'example.com' });
  const distribution = (id: string, origin: string) => new cloudfront.Distribution(stack, id, {
    defaultBehavior: { origin: new origins.HttpOrigin(origin), viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS },
    domainNames: ['www.example.com'],
    certificate: acm.Certificate.fromCertificateArn(stack, `${id}Certificate`, CERTIFICATE_ARN),
  });
  return { stack, zone, distribution };
}

describe('targets', () => {
  test('a load balancer is an alias A record', () => {
    const stack = new Stack(testApp(), 'Stack');
    const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 0 });
    const alb = new elbv2.ApplicationLoadBalancer(stack, 'Blue', { vpc, internetFacing: true });
    const target = DnsTarget.loadBalancer(alb);
    expect(target.recordType).toBe(route53.RecordType.A);
    expect(target.isAlias).toBe(true);
    expect(target.healthCheck).toBeUndefined();
    expect(target.description).toBe('load balancer Stack/Blue');
  });

  test('an IP address is a plain A record, a domain name a CNAME record', () => {
    expect(DnsTarget.ipAddress('192.0.2.10')).toMatchObject({ recordType: 'A', isAlias: false, description: 'IP address "192.0.2.10"' });
    expect(DnsTarget.domainName('green.example.net.')).toMatchObject({ recordType: 'CNAME', isAlias: false, description: 'domain name "green.example.net."' });
  });

  test('CloudFront distributions render alias A records to CloudFront\'s zone, with their health checks', () => {
    const { stack, zone, distribution } = setup();
    const health = new route53.HealthCheck(stack, 'GreenHealth', { type: route53.HealthCheckType.HTTPS, fqdn: 'green.example.org', resourcePath: '/health' });
    const green = DnsTarget.cloudFront(distribution('Green', 'green.example.org'), { healthCheck: health });
    expect(green).toMatchObject({ recordType: 'A', isAlias: true, description: 'CloudFront distribution Stack/Green', healthCheck: health });
    new aws.WeightedDnsRollout(stack, 'Web', {
      zone,
      recordName: 'www',
      stable: DnsTarget.cloudFront(distribution('Blue', 'blue.example.org')),
      candidate: green,
      strategy: Strategy.CANARY_10PERCENT_5MINUTES,
    });
    const template = validatedTemplate(stack);
    template.hasResourceProperties('AWS::Route53::RecordSet', {
      Name: 'www.example.com.',
      Type: 'A',
      SetIdentifier: 'Web-candidate',
      Weight: 1,
      HealthCheckId: { Ref: CfnMatch.stringLikeRegexp('^GreenHealth') },
      AliasTarget: {
        DNSName: { 'Fn::GetAtt': [CfnMatch.stringLikeRegexp('^Green'), 'DomainName'] },
        HostedZoneId: CfnMatch.anyValue(),
      },
    });
    template.hasResourceProperties('AWS::Route53::RecordSet', { SetIdentifier: 'Web-stable', Weight: 9, HealthCheckId: CfnMatch.absent() });
  });

  test('tokens are accepted as addresses and names', () => {
    const stack = new Stack(testApp(), 'Stack');
    const zone = new route53.PublicHostedZone(stack, 'Zone', { zoneName: 'example.com' });
    const blue = new ec2.CfnEIP(stack, 'BlueIp');
    const green = new ec2.CfnEIP(stack, 'GreenIp');
    new aws.WeightedDnsRollout(stack, 'Web', {
      zone,
      stable: DnsTarget.ipAddress(blue.attrPublicIp),
      candidate: DnsTarget.ipAddress(green.attrPublicIp),
      strategy: Strategy.BLUE_GREEN,
    });
    validatedTemplate(stack).hasResourceProperties('AWS::Route53::RecordSet', {
      SetIdentifier: 'Web-candidate', ResourceRecords: [{ 'Fn::GetAtt': ['GreenIp', 'PublicIp'] }], Weight: 0,
    });
  });

  test('a CloudFront distribution cannot be the target of a record in a private hosted zone', () => {
    const { stack, distribution } = setup();
    const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 1, natGateways: 0 });
    const zone = new route53.PrivateHostedZone(stack, 'Private', { zoneName: 'internal.example.com', vpc });
    expectValidationError(() => new aws.WeightedDnsRollout(stack, 'Web', {
      zone,
      recordName: 'www',
      stable: DnsTarget.ipAddress('10.0.0.10'),
      candidate: DnsTarget.cloudFront(distribution('Green', 'green.example.org')),
      strategy: Strategy.BLUE_GREEN,
    }), 'WeightedDnsRollout Stack/Web: candidate is "CloudFront distribution Stack/Green": Route 53 allows no alias record to a '
      + 'CloudFront distribution in a private hosted zone. Use a public hosted zone for a CloudFront target.');
  });
});

describe('what a target refuses', () => {
  test('something other than a load balancer or a distribution', () => {
    expectValidationError(() => DnsTarget.loadBalancer('blue' as unknown as elbv2.ILoadBalancerV2),
      'DnsTarget.loadBalancer: loadBalancer is "blue": it must be an Application or Network Load Balancer (elbv2.ILoadBalancerV2). '
      + 'Pass the load balancer in front of the environment, for example an elbv2.ApplicationLoadBalancer.');
    expectValidationError(() => DnsTarget.cloudFront({} as cloudfront.IDistribution),
      'DnsTarget.cloudFront: distribution is an object: it must be a CloudFront distribution (cloudfront.IDistribution). '
      + 'Pass the distribution in front of the environment, for example a cloudfront.Distribution.');
  });

  test.each(['192.0.2', '192.0.2.256', '2001:db8::1', '192.0.2.1, 192.0.2.2', ''])('the IP address %j', address => {
    expectValidationError(() => DnsTarget.ipAddress(address),
      `DnsTarget.ipAddress: address is ${JSON.stringify(address)}: it must be one IPv4 address, four numbers from 0 to 255 separated by dots. `
      + 'Pass an address such as "192.0.2.10"; for IPv6 or several addresses put a load balancer in front and use DnsTarget.loadBalancer().');
  });

  test.each(['', 'green..example.net', 'green example.net', `${'a'.repeat(64)}.example.net`, '-green.example.net'])('the domain name %j', name => {
    expectValidationError(() => DnsTarget.domainName(name),
      `DnsTarget.domainName: name is ${JSON.stringify(name)}: it must be a domain name: dot-separated labels of letters, digits, "-" or "_", `
      + 'at most 253 characters. Pass a name such as "green.example.net".');
  });

  test('evaluateTargetHealth where Route 53 cannot evaluate the target', () => {
    const { distribution } = setup();
    expectValidationError(() => DnsTarget.cloudFront(distribution('Blue', 'blue.example.org'), { evaluateTargetHealth: true } as aws.DnsTargetOptions),
      'DnsTarget.cloudFront: options.evaluateTargetHealth is true: Route 53 cannot evaluate the health of a CloudFront distribution. '
      + 'Attach a Route 53 health check with healthCheck instead.');
    expectValidationError(() => DnsTarget.ipAddress('192.0.2.10', { evaluateTargetHealth: false } as aws.DnsTargetOptions),
      'DnsTarget.ipAddress: options.evaluateTargetHealth is false: only alias records evaluate the health of their target. '
      + 'Attach a Route 53 health check with healthCheck instead.');
  });

  test('options that are not options', () => {
    expectValidationError(() => DnsTarget.domainName('green.example.net', { healthCheck: 'abc123' as unknown as route53.IHealthCheck }),
      'DnsTarget.domainName: options.healthCheck is "abc123": it must be a Route 53 health check (route53.IHealthCheck). '
      + 'Pass a route53.HealthCheck, or one imported with route53.HealthCheck.fromHealthCheckId().');
    const stack = new Stack(testApp(), 'Stack');
    const alb = new elbv2.ApplicationLoadBalancer(stack, 'Blue', { vpc: new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 0 }) });
    expectValidationError(() => DnsTarget.loadBalancer(alb, { evaluateTargetHealth: 'yes' as unknown as boolean }),
      'DnsTarget.loadBalancer: options.evaluateTargetHealth is "yes": it must be true or false. '
      + 'Pass true to count the record unhealthy while the load balancer has no healthy targets.');
  });
});

describe('random props', () => {
  const healthCheckOptionArb = fc.oneof(
    { weight: 6, arbitrary: fc.constant(undefined) },
    { weight: 3, arbitrary: fc.constant('check' as const) },
    { weight: 1, arbitrary: oddValueArb },
  );
  const optionsArb = fc.oneof(
    { weight: 4, arbitrary: fc.constant(undefined) },
    { weight: 8, arbitrary: fc.record({ healthCheck: healthCheckOptionArb }) },
    { weight: 1, arbitrary: fc.record({ healthCheck: healthCheckOptionArb, evaluateTargetHealth: fc.oneof(fc.boolean(), oddValueArb) }) },
    { weight: 1, arbitrary: oddValueArb },
  );
  const mixedCase = (s: string) => fc.array(fc.boolean(), { minLength: s.length, maxLength: s.length })
    .map(upper => [...s].map((c, i) => (upper[i] ? c.toUpperCase() : c)).join(''));
  const addressArb = fc.oneof(
    { weight: 8, arbitrary: fc.ipV4() },
    { weight: 1, arbitrary: fc.oneof(fc.ipV4Extended(), fc.ipV6(), fc.string(), fc.ipV4().map(a => ` ${a}`), fc.ipV4().map(a => `${a}, 192.0.2.1`)) },
    { weight: 1, arbitrary: oddValueArb },
  );
  const nameArb = fc.oneof(
    { weight: 5, arbitrary: fc.domain() },
    { weight: 2, arbitrary: fc.domain().chain(mixedCase) },
    { weight: 1, arbitrary: fc.domain().map(d => `${d}.`) },
    { weight: 1, arbitrary: fc.stringMatching(/^_?[a-z0-9]{1,70}(\.[a-z0-9_-]{1,70}){0,4}\.?$/) },
    { weight: 1, arbitrary: fc.oneof(fc.string({ maxLength: 300 }), fc.constantFrom('.', '..', 'a..b', '-a.b', 'a-.b', `${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(61)}`)) },
    { weight: 1, arbitrary: oddValueArb },
  );
  const propsArb = fc.oneof(
    { weight: 5, arbitrary: fc.record({ factory: fc.constant('ipAddress' as const), value: addressArb, options: optionsArb }) },
    { weight: 5, arbitrary: fc.record({ factory: fc.constant('domainName' as const), value: nameArb, options: optionsArb }) },
    { weight: 1, arbitrary: fc.record({ factory: fc.constantFrom('loadBalancer' as const, 'cloudFront' as const), value: oddValueArb, options: optionsArb }) },
  );

  test('either make a target whose record synthesizes valid and clean, or refuse with the library error', () => {
    expectBuildsOrRefuses(propsArb, p => {
      const stack = new Stack(testApp(), 'Stack');
      const zone = new route53.PublicHostedZone(stack, 'Zone', { zoneName: 'example.com' });
      const check = new route53.HealthCheck(stack, 'Check', { type: route53.HealthCheckType.HTTP, fqdn: 'check.example.net', resourcePath: '/health' });
      const options = typeof p.options === 'object' && p.options !== null && (p.options as { healthCheck?: unknown }).healthCheck === 'check'
        ? { ...p.options, healthCheck: check } : p.options;
      const target = (DnsTarget[p.factory] as (value: unknown, options: unknown) => aws.DnsTarget)(p.value, options);

      // Only strings reach here: the description shows the value as received.
      expect(target.description).toContain(JSON.stringify(p.value));
      expect(target.isAlias).toBe(false);
      expect(target.healthCheck).toBe(options === undefined || (options as aws.DnsTargetOptions).healthCheck === undefined ? undefined : check);
      const other = p.factory === 'ipAddress' ? DnsTarget.ipAddress('192.0.2.250') : DnsTarget.domainName('stable.example.org');
      new aws.WeightedDnsRollout(stack, 'Web', { zone, recordName: 'www', stable: other, candidate: target, strategy: Strategy.BLUE_GREEN });
      const template = validatedTemplate(stack);
      expectCleanAssembly(stack.node.root as App);
      const record = Object.values(template.findResources('AWS::Route53::RecordSet', { Properties: { SetIdentifier: 'Web-candidate' } }))[0].Properties;
      expect(record).toMatchObject({ Type: target.recordType, ResourceRecords: [p.value] });
      expect(record.HealthCheckId !== undefined).toBe(target.healthCheck !== undefined);
    });
  });
});
