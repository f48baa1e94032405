import { Token } from 'aws-cdk-lib';
import type * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import type * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as targets from 'aws-cdk-lib/aws-route53-targets';
import type { IConstruct } from 'constructs';
import { describeValue, fail, struct } from '../core/private/validation';

/** Options for every `DnsTarget`. */
export interface DnsTargetOptions {
  /**
   * A Route 53 health check of this target, such as a `route53.HealthCheck` of type HTTPS on its
   * health path. While it fails, Route 53 leaves this target's record out of its answers, as long
   * as the other record is healthy; a record of weight 0 answers only when every record with a
   * weight is unhealthy. This is failover, not rollback: the weights stay as deployed.
   *
   * @default - no health check: Route 53 always counts the record as healthy
   */
  readonly healthCheck?: route53.IHealthCheck;
}

/** Options for `DnsTarget.loadBalancer()`. */
export interface LoadBalancerDnsTargetOptions extends DnsTargetOptions {
  /**
   * Whether Route 53 counts the alias record as unhealthy while the load balancer has no healthy
   * targets, as an alternative (or an addition) to a health check of its own.
   *
   * @default false
   */
  readonly evaluateTargetHealth?: boolean;
}

/** What a target points at, for messages and for telling two targets apart. */
interface TargetIdentity {
  /** Which factory made the target. */
  readonly kind: 'loadBalancer' | 'cloudFront' | 'ipAddress' | 'domainName';
  readonly description: string;
  /** The resource or value the record points at: two targets with the same key are the same place. */
  readonly key: unknown;
}

/**
 * Where one of the two weighted records of a `WeightedDnsRollout` sends traffic: an alias A record
 * to a load balancer or a CloudFront distribution, a plain A record holding one IPv4 address, or a
 * CNAME record to another domain name.
 *
 * Route 53 weighs records of the same name and type against each other, so the stable and the
 * candidate target must render the same type: alias and plain A records go together, a CNAME only
 * with another CNAME.
 *
 * @example
 * declare const blueAlb: elbv2.ApplicationLoadBalancer;
 * declare const greenAlb: elbv2.ApplicationLoadBalancer;
 * declare const greenHealth: route53.HealthCheck;
 * const stable = aws.DnsTarget.loadBalancer(blueAlb, { evaluateTargetHealth: true });
 * const candidate = aws.DnsTarget.loadBalancer(greenAlb, { healthCheck: greenHealth });
 */
export class DnsTarget {
  /**
   * An alias A record to an Application or Network Load Balancer.
   *
   * The record answers with the load balancer's IPv4 addresses; IPv6 clients of a dual-stack load
   * balancer are not weighted.
   */
  public static loadBalancer(loadBalancer: elbv2.ILoadBalancerV2, options: LoadBalancerDnsTargetOptions = {}): DnsTarget {
    const where = 'DnsTarget.loadBalancer';
    if (typeof loadBalancer !== 'object' || loadBalancer === null
      || !('loadBalancerDnsName' in loadBalancer) || !('loadBalancerCanonicalHostedZoneId' in loadBalancer)) {
      fail(`${where}: loadBalancer`, loadBalancer, 'it must be an Application or Network Load Balancer (elbv2.ILoadBalancerV2)',
        'Pass the load balancer in front of the environment, for example an elbv2.ApplicationLoadBalancer.');
    }
    const opts = targetOptions(where, options, true);
    const evaluateTargetHealth = opts.evaluateTargetHealth;
    if (evaluateTargetHealth !== undefined && typeof evaluateTargetHealth !== 'boolean') {
      fail(`${where}: options.evaluateTargetHealth`, evaluateTargetHealth, 'it must be true or false',
        'Pass true to count the record unhealthy while the load balancer has no healthy targets.');
    }
    return new DnsTarget(route53.RecordType.A, route53.RecordTarget.fromAlias(
      new targets.LoadBalancerTarget(loadBalancer, evaluateTargetHealth === undefined ? undefined : { evaluateTargetHealth })),
    true, opts.healthCheck, { kind: 'loadBalancer', description: `load balancer ${pathOf(loadBalancer)}`, key: loadBalancer });
  }

  /**
   * An alias A record to a CloudFront distribution. The distribution must list the record's name
   * among its alternate domain names (`domainNames`), and the hosted zone must be public.
   *
   * Route 53 cannot evaluate a distribution's health: attach a `healthCheck` instead.
   */
  public static cloudFront(distribution: cloudfront.IDistribution, options: DnsTargetOptions = {}): DnsTarget {
    const where = 'DnsTarget.cloudFront';
    if (typeof distribution !== 'object' || distribution === null || !('distributionDomainName' in distribution)) {
      fail(`${where}: distribution`, distribution, 'it must be a CloudFront distribution (cloudfront.IDistribution)',
        'Pass the distribution in front of the environment, for example a cloudfront.Distribution.');
    }
    const opts = targetOptions(where, options, false);
    return new DnsTarget(route53.RecordType.A, route53.RecordTarget.fromAlias(new targets.CloudFrontTarget(distribution)),
      true, opts.healthCheck, { kind: 'cloudFront', description: `CloudFront distribution ${pathOf(distribution)}`, key: distribution });
  }

  /**
   * A plain A record holding one IPv4 address, such as an Elastic IP.
   *
   * Route 53 itself accepts several values in a weighted A record, but it answers with all of them,
   * and the record's health check (`options.healthCheck`) judges the record as a whole: while the
   * check passes, a failed address is still handed out. So this factory takes one address, and the
   * record, its weight and its health check all concern the same endpoint. For an environment
   * reached at several addresses, put a load balancer in front of it (`DnsTarget.loadBalancer()`), or
   * give it a name of its own to point a CNAME at (`DnsTarget.domainName()`).
   */
  public static ipAddress(address: string, options: DnsTargetOptions = {}): DnsTarget {
    const where = 'DnsTarget.ipAddress';
    if (typeof address !== 'string' || (!Token.isUnresolved(address) && !isIpv4(address))) {
      fail(`${where}: address`, address, 'it must be one IPv4 address, four numbers from 0 to 255 separated by dots',
        'Pass an address such as "192.0.2.10"; for IPv6 or several addresses put a load balancer in front and use DnsTarget.loadBalancer().');
    }
    const opts = targetOptions(where, options, false);
    return new DnsTarget(route53.RecordType.A, route53.RecordTarget.fromIpAddresses(address), false, opts.healthCheck,
      { kind: 'ipAddress', description: `IP address ${describeValue(address)}`, key: address });
  }

  /**
   * A CNAME record to another domain name, such as an endpoint outside AWS. A CNAME cannot be at
   * the zone apex, and both targets of the rollout must then be domain names.
   */
  public static domainName(name: string, options: DnsTargetOptions = {}): DnsTarget {
    const where = 'DnsTarget.domainName';
    if (typeof name !== 'string' || (!Token.isUnresolved(name) && !isDomainName(name))) {
      fail(`${where}: name`, name, 'it must be a domain name: dot-separated labels of letters, digits, "-" or "_", at most 253 characters',
        'Pass a name such as "green.example.net".');
    }
    const opts = targetOptions(where, options, false);
    return new DnsTarget(route53.RecordType.CNAME, route53.RecordTarget.fromValues(name), false, opts.healthCheck,
      { kind: 'domainName', description: `domain name ${describeValue(name)}`, key: Token.isUnresolved(name) ? name : name.toLowerCase().replace(/\.$/, '') });
  }

  /** @internal Whether `value` is a DnsTarget, across copies of this library in one node_modules tree. */
  public static _isDnsTarget(value: unknown): value is DnsTarget {
    return typeof value === 'object' && value !== null && (value as any)[DNS_TARGET] === true;
  }

  /** The DNS type of the record: `A` for load balancers, distributions and IP addresses, `CNAME` for domain names. */
  public readonly recordType: route53.RecordType;
  /** Whether the record is an alias record, which takes its TTL from its target. */
  public readonly isAlias: boolean;
  /**
   * The health check attached to the record.
   *
   * @default - no health check
   */
  public readonly healthCheck?: route53.IHealthCheck;
  /** What the record points at, in words: `load balancer Stack/Blue`, `domain name "green.example.net"`. */
  public readonly description: string;

  /** @internal */
  public readonly _target: route53.RecordTarget;
  /** @internal */
  public readonly _key: unknown;
  /** @internal Which factory made the target. */
  public readonly _kind: string;

  private constructor(recordType: route53.RecordType, target: route53.RecordTarget, isAlias: boolean,
    healthCheck: route53.IHealthCheck | undefined, identity: TargetIdentity) {
    this.recordType = recordType;
    this._target = target;
    this.isAlias = isAlias;
    this.healthCheck = healthCheck;
    this.description = identity.description;
    this._key = identity.key;
    this._kind = identity.kind;
    Object.defineProperty(this, DNS_TARGET, { value: true });
  }
}

const DNS_TARGET = Symbol.for('cdk-deploy-strategies.DnsTarget');

function targetOptions(where: string, options: unknown, evaluates: boolean): LoadBalancerDnsTargetOptions {
  const opts = struct<LoadBalancerDnsTargetOptions>(`${where}: options`, options, 'Pass an object such as { healthCheck }.');
  if (!evaluates && opts.evaluateTargetHealth !== undefined) {
    const limit = where === 'DnsTarget.cloudFront'
      ? 'Route 53 cannot evaluate the health of a CloudFront distribution'
      : 'only alias records evaluate the health of their target';
    fail(`${where}: options.evaluateTargetHealth`, opts.evaluateTargetHealth, limit,
      'Attach a Route 53 health check with healthCheck instead.');
  }
  const healthCheck = opts.healthCheck;
  if (healthCheck !== undefined
    && (typeof healthCheck !== 'object' || healthCheck === null || typeof (healthCheck as any).healthCheckId !== 'string')) {
    fail(`${where}: options.healthCheck`, healthCheck, 'it must be a Route 53 health check (route53.IHealthCheck)',
      'Pass a route53.HealthCheck, or one imported with route53.HealthCheck.fromHealthCheckId().');
  }
  return opts;
}

function pathOf(resource: object): string {
  const node = (resource as Partial<IConstruct>).node;
  return node ? node.path : describeValue(resource);
}

const IPV4_PART = '(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)';
const IPV4 = new RegExp(`^${IPV4_PART}(\\.${IPV4_PART}){3}$`);

function isIpv4(value: string): boolean {
  return IPV4.test(value);
}

const LABEL = /^[a-z0-9_]([-a-z0-9_]{0,61}[a-z0-9_])?$/i;

function isDomainName(value: string): boolean {
  const name = value.endsWith('.') ? value.slice(0, -1) : value;
  return name.length > 0 && name.length <= 253 && name.split('.').every(label => LABEL.test(label));
}
