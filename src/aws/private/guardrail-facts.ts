import { Stack, Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import type { Strategy } from '../../core/strategy';
import { ImageFacts, TestRouteFacts, TriggerFacts } from '../../guardrails/private/facts';

/** Readers of the facts the guardrails need from AWS resources, so that each AWS construct registers in a line or two. */

function alarmTriggers(count: number): TriggerFacts[] {
  return count === 0 ? [] : [{ kind: 'ALARM', description: `${count} CloudWatch alarm${count === 1 ? '' : 's'}` }];
}

/**
 * The rendered health checks as a rollback trigger: their alarms feed the backend's rollback (ECS
 * deployment alarms, CodeDeploy alarms) as hand-written alarms do, so they count as alarms.
 */
function healthCheckTriggers(names: string[], alarmCount: number): TriggerFacts[] {
  return names.length === 0 ? [] : [{
    kind: 'ALARM',
    description: `health check${names.length === 1 ? '' : 's'} ${names.join(', ')} (${alarmCount} CloudWatch alarm${alarmCount === 1 ? '' : 's'})`,
  }];
}

/**
 * What rolls a rollout back through CloudWatch: its rendered health checks (`names`, whose alarms are
 * `healthAlarms`) and every other alarm in `alarms`, which may include the health checks' own.
 */
export function alarmRollbackTriggers(names: string[], healthAlarms: readonly unknown[], alarms: Iterable<unknown>): TriggerFacts[] {
  return [...healthCheckTriggers(names, healthAlarms.length), ...alarmTriggers([...alarms].filter(a => !healthAlarms.includes(a)).length)];
}

export const CIRCUIT_BREAKER: TriggerFacts = { kind: 'HEALTH_CHECK', description: 'the ECS deployment circuit breaker' };
export const CODEDEPLOY_FAILED_DEPLOYMENT: TriggerFacts = { kind: 'HEALTH_CHECK', description: 'CodeDeploy\'s rollback of a failed deployment' };

/** The source-ip condition of an ECS native test rule: the sources it admits, or every address without one. */
export function testRuleRoute(strategy: Strategy, rule: elbv2.ApplicationListenerRule | undefined): TestRouteFacts | undefined {
  if (strategy.testRoute === undefined || rule === undefined) return undefined;
  const cfn = rule.node.defaultChild as elbv2.CfnListenerRule;
  const conditions = Stack.of(rule).resolve(cfn.conditions);
  if (!Array.isArray(conditions)) return undefined;
  const source = conditions.find((c: any) => c?.field === 'source-ip');
  const values = source?.sourceIpConfig?.values ?? source?.values;
  return {
    description: strategy.testRoute.describe(),
    sources: source === undefined ? ['0.0.0.0/0', '::/0'] : (Array.isArray(values) ? values.filter((v: unknown) => typeof v === 'string') : []),
  };
}

/**
 * The CIDRs the security groups of a CodeDeploy test listener admit on its port, read from their
 * inline ingress rules. Undefined when they cannot be read (an imported group, a token port).
 */
export function testListenerRoute(listener: elbv2.IApplicationListener | undefined): TestRouteFacts | undefined {
  const cfnListener = listener?.node.defaultChild;
  if (listener === undefined || !(cfnListener instanceof elbv2.CfnListener)) return undefined;
  const port = Stack.of(listener).resolve(cfnListener.port);
  if (typeof port !== 'number') return undefined;
  const sources: string[] = [];
  for (const group of listener.connections.securityGroups) {
    const cfn = group.node.defaultChild;
    if (!(group instanceof ec2.SecurityGroup) || !(cfn instanceof ec2.CfnSecurityGroup)) return undefined;
    const rules = Stack.of(group).resolve(cfn.securityGroupIngress);
    for (const rule of Array.isArray(rules) ? rules : []) {
      const from = rule.fromPort ?? -1;
      const to = rule.toPort ?? -1;
      const covers = rule.ipProtocol === '-1' || (from <= port && port <= to);
      if (!covers) continue;
      if (typeof rule.cidrIp === 'string') sources.push(rule.cidrIp);
      if (typeof rule.cidrIpv6 === 'string') sources.push(rule.cidrIpv6);
    }
  }
  return { description: `test listener on port ${port}`, sources };
}

/** The container images of ECS task definitions, by service name; images known only at deploy time are undefined. */
export function ecsImages(services: Map<string, { taskDefinition: ecs.TaskDefinition }>): ImageFacts[] {
  const images: ImageFacts[] = [];
  for (const [service, { taskDefinition }] of services) {
    for (const container of taskDefinition.node.findAll().filter((c): c is ecs.ContainerDefinition => c instanceof ecs.ContainerDefinition)) {
      images.push({ service, container: container.node.path, image: literalImage(container) });
    }
  }
  return images;
}

function literalImage(container: ecs.ContainerDefinition): string | undefined {
  if (!Token.isUnresolved(container.imageName)) return container.imageName;
  // An ECR repository's image is `<uri>:<tag>` joined at deploy time; its tag is the literal end.
  const resolved = Stack.of(container).resolve(container.imageName);
  const parts = resolved?.['Fn::Join']?.[1];
  const last = Array.isArray(parts) ? parts[parts.length - 1] : undefined;
  return typeof last === 'string' && /^[:@]/.test(last) ? `<deploy-time repository>${last}` : undefined;
}
