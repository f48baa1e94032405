import { App, Duration, Stack } from 'aws-cdk-lib';
import { Annotations, Match as CfnMatch } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as codedeploy from 'aws-cdk-lib/aws-codedeploy';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as fc from 'fast-check';
import { CapacityMode, HealthCheck, Match, StepGate, Strategy, StrategyErrors } from '../../src';
import { EcsController, EcsControllerKind } from '../../src/aws/ecs-controller';
import { EcsRolloutService, EcsRolloutServiceProps } from '../../src/aws/ecs-rollout-service';
import { PLAN_METADATA_TYPE } from '../../src/aws/private/plan-metadata';
import { oddValueArb } from '../support/arbitraries';
import { testApp, validatedTemplate } from '../support/cfn';
import { expectBuildsOrRefuses, expectCleanAssembly } from '../support/properties';
import {
  extraAlarmCount, extraAlarms, extraAlarmsArb, healthCheckAlarmCount, healthChecksProp, healthChecksPropArb, propsWithOdds, real, REAL, realArb,
  rolloutStrategyArb, Spec, spec, withHealthChecksArb,
} from '../support/rollout-arbitraries';
import { expectValidationError, thrownBy } from '../support/validation-error';

const image = ecs.ContainerImage.fromRegistry('public.ecr.aws/nginx/nginx:stable');
const bake = (minutes: number) => StepGate.bake(Duration.minutes(minutes));
/** A role ECS itself assumes: the infrastructure role for load balancers. */
const ecsRole = { Properties: { AssumeRolePolicyDocument: { Statement: [CfnMatch.objectLike({ Principal: { Service: 'ecs.amazonaws.com' } })] } } };
const ref = (id: string) => ({ Ref: CfnMatch.stringLikeRegexp(`^${id}`) });

/** A VPC without NAT gateways, a cluster, an ALB with one listener and a Fargate task definition. */
function setup() {
  const stack = new Stack(testApp(), 'Stack');
  const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 0 });
  const cluster = new ecs.Cluster(stack, 'Cluster', { vpc });
  const alb = new elbv2.ApplicationLoadBalancer(stack, 'Alb', { vpc });
  const listener = alb.addListener('Http', { port: 80, open: false, defaultAction: elbv2.ListenerAction.fixedResponse(404) });
  const taskDefinition = new ecs.FargateTaskDefinition(stack, 'Task');
  taskDefinition.addContainer('web', { image, portMappings: [{ containerPort: 80 }] });
  return { stack, vpc, cluster, listener, taskDefinition };
}

function service(strategy: Strategy, props: Partial<EcsRolloutServiceProps> = {}) {
  const base = setup();
  const construct = new EcsRolloutService(base.stack, 'Web', {
    cluster: base.cluster, taskDefinition: base.taskDefinition, listener: base.listener, strategy, ...props,
  });
  return { ...base, construct };
}

function deploymentConfiguration(strategy: Strategy, expected: object) {
  validatedTemplate(service(strategy).stack).hasResourceProperties('AWS::ECS::Service', {
    DeploymentConfiguration: CfnMatch.objectLike(expected),
  });
}

describe('deployment configuration derived from the strategy', () => {
  test('blue-green: BLUE_GREEN with the bake time, the circuit breaker and the green target group as alternate', () => {
    const { stack, construct } = service(Strategy.blueGreen({ bakeTime: Duration.minutes(10) }));
    const template = validatedTemplate(stack);
    template.hasResourceProperties('AWS::ECS::Service', {
      LaunchType: 'FARGATE',
      DeploymentController: { Type: 'ECS' },
      DeploymentConfiguration: CfnMatch.objectLike({
        Strategy: 'BLUE_GREEN',
        BakeTimeInMinutes: 10,
        DeploymentCircuitBreaker: { Enable: true, Rollback: true },
        MinimumHealthyPercent: 100,
        MaximumPercent: 200,
        CanaryConfiguration: CfnMatch.absent(),
        LinearConfiguration: CfnMatch.absent(),
      }),
      LoadBalancers: [{
        ContainerName: 'web',
        ContainerPort: 80,
        TargetGroupArn: ref('WebBlue'),
        AdvancedConfiguration: {
          AlternateTargetGroupArn: ref('WebGreen'),
          ProductionListenerRule: ref('WebProductionRule'),
          TestListenerRule: CfnMatch.absent(),
          RoleArn: { 'Fn::GetAtt': [CfnMatch.stringLikeRegexp('^WebServiceAlternateTargetRole'), 'Arn'] },
        },
      }],
    });
    // aws-cdk-lib's AlternateTarget creates the ECS infrastructure role for load balancers.
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: { Statement: [CfnMatch.objectLike({ Principal: { Service: 'ecs.amazonaws.com' } })] },
      ManagedPolicyArns: [{ 'Fn::Join': ['', CfnMatch.arrayWith([CfnMatch.stringLikeRegexp('AmazonECSInfrastructureRolePolicyForLoadBalancers')])] }],
    });
    expect(construct.plan.capacity).toBe(CapacityMode.FULL_COPY);
  });

  test.each([
    ['Strategy.BLUE_GREEN keeps the old side 5 minutes', Strategy.BLUE_GREEN, 5],
    ['a bake time of zero releases the old side at once', Strategy.blueGreen({ bakeTime: Duration.seconds(0) }), 0],
    ['a bake time of a day is the most ECS takes', Strategy.blueGreen({ bakeTime: Duration.hours(24) }), 1440],
  ])('blue-green: %s', (_, strategy, minutes) => {
    deploymentConfiguration(strategy, { Strategy: 'BLUE_GREEN', BakeTimeInMinutes: minutes });
  });

  test('a one-step canary: CANARY with the step percent and bake, released at once after the last shift', () => {
    deploymentConfiguration(Strategy.CANARY_10PERCENT_15MINUTES, {
      Strategy: 'CANARY',
      CanaryConfiguration: { CanaryPercent: 10, CanaryBakeTimeInMinutes: 15 },
      BakeTimeInMinutes: 0,
      DeploymentCircuitBreaker: { Enable: true, Rollback: true },
    });
  });

  test('a canary of a fraction of a percent with a bake at 100%: the hold becomes the bake time', () => {
    deploymentConfiguration(Strategy.canary({ steps: [{ weight: 2.5, gate: bake(7) }, { weight: 100, gate: bake(30) }] }), {
      Strategy: 'CANARY',
      CanaryConfiguration: { CanaryPercent: 2.5, CanaryBakeTimeInMinutes: 7 },
      BakeTimeInMinutes: 30,
    });
  });

  test.each([
    ['LINEAR_10PERCENT_EVERY_3MINUTES', Strategy.LINEAR_10PERCENT_EVERY_3MINUTES, 10, 3],
    ['12.5% every 2 minutes', Strategy.linear({ stepPercent: 12.5, interval: Duration.minutes(2) }), 12.5, 2],
    ['3%, the smallest linear step', Strategy.linear({ stepPercent: 3, interval: Duration.minutes(1) }), 3, 1],
  ])('linear %s: LINEAR with the step percent and bake', (_, strategy, percent, minutes) => {
    deploymentConfiguration(strategy, {
      Strategy: 'LINEAR',
      LinearConfiguration: { StepPercent: percent, StepBakeTimeInMinutes: minutes },
      BakeTimeInMinutes: 0,
      CanaryConfiguration: CfnMatch.absent(),
    });
  });

  test('all at once: a rolling update with the circuit breaker, blue only, and an in-place plan', () => {
    const { stack, construct } = service(Strategy.ALL_AT_ONCE);
    const template = validatedTemplate(stack);
    template.hasResourceProperties('AWS::ECS::Service', {
      DeploymentConfiguration: CfnMatch.objectLike({
        Strategy: 'ROLLING',
        BakeTimeInMinutes: CfnMatch.absent(),
        DeploymentCircuitBreaker: { Enable: true, Rollback: true },
      }),
      LoadBalancers: [{ ContainerName: 'web', ContainerPort: 80, TargetGroupArn: ref('WebBlue') }],
    });
    expect(Object.keys(template.findResources('AWS::IAM::Role', ecsRole))).toEqual([]);
    expect(construct.plan.capacity).toBe(CapacityMode.IN_PLACE);
  });

  test('creates the service with the circuit breaker, so aws-cdk-lib has nothing to warn about', () => {
    const { stack } = service(Strategy.CANARY_10PERCENT_15MINUTES);
    Annotations.fromStack(stack).hasNoWarning('*', CfnMatch.stringLikeRegexp('circuitBreaker'));
  });

  test('records its traffic plan in the cloud assembly', () => {
    const { stack, construct } = service(Strategy.CANARY_10PERCENT_15MINUTES);
    const entry = construct.nativeRollout!.node.metadata.find(m => m.type === PLAN_METADATA_TYPE)!;
    expect(entry.data.controller).toBe('native ECS deployment');
    expect(entry.data.table).toBe(construct.plan.toTable());
    const recorded = (stack.node.root as App).synth().getStackByName('Stack').findMetadataByType(PLAN_METADATA_TYPE);
    expect(recorded.map(m => m.path)).toEqual(['/Stack/Web/Rollout']);
    expect((recorded[0].data as any).plan).toEqual(construct.plan.toJson());
  });
});

describe('listener rules', () => {
  test('without a test route: one production rule forwarding to blue, no test rule, no other listener', () => {
    const { stack, construct } = service(Strategy.BLUE_GREEN);
    const template = validatedTemplate(stack);
    template.resourceCountIs('AWS::ElasticLoadBalancingV2::ListenerRule', 1);
    template.resourceCountIs('AWS::ElasticLoadBalancingV2::Listener', 1);
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::ListenerRule', {
      ListenerArn: ref('AlbHttp'),
      Priority: 10,
      Conditions: [{ Field: 'path-pattern', PathPatternConfig: { Values: ['/*'] } }],
      Actions: [{
        Type: 'forward',
        ForwardConfig: { TargetGroups: [{ TargetGroupArn: ref('WebBlue'), Weight: 100 }, { TargetGroupArn: ref('WebGreen'), Weight: 0 }] },
      }],
    });
    expect(construct.testRule).toBeUndefined();
  });

  test('a header test route: a test rule on the production listener, evaluated first, forwarding to green', () => {
    const { stack, construct } = service(Strategy.blueGreen({ testRoute: Match.header('x-env', 'green') }));
    const template = validatedTemplate(stack);
    template.resourceCountIs('AWS::ElasticLoadBalancingV2::Listener', 1);
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::ListenerRule', {
      ListenerArn: ref('AlbHttp'),
      Priority: 9,
      Conditions: [
        { Field: 'path-pattern', PathPatternConfig: { Values: ['/*'] } },
        { Field: 'http-header', HttpHeaderConfig: { HttpHeaderName: 'x-env', Values: ['green'] } },
        // Secure by default: the test route admits private addresses only.
        { Field: 'source-ip', SourceIpConfig: { Values: ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'] } },
      ],
      Actions: [{
        Type: 'forward',
        ForwardConfig: { TargetGroups: [{ TargetGroupArn: ref('WebBlue'), Weight: 0 }, { TargetGroupArn: ref('WebGreen'), Weight: 100 }] },
      }],
    });
    template.hasResourceProperties('AWS::ECS::Service', {
      LoadBalancers: [CfnMatch.objectLike({
        AdvancedConfiguration: CfnMatch.objectLike({ ProductionListenerRule: ref('WebProductionRule'), TestListenerRule: ref('WebTestRule') }),
      })],
    });
    expect(construct.testRule).toBeDefined();
  });

  test('a canary\'s test route: the same test rule, admitting private addresses only, and a test gate paused at POST_TEST_TRAFFIC_SHIFT', () => {
    const strategy = Strategy.canary({
      testRoute: Match.header('x-qa', '1'),
      testGate: StepGate.manualApproval({ timeout: Duration.hours(1) }),
      steps: [{ weight: 10, gate: StepGate.bake(Duration.minutes(10)) }],
    });
    const { stack, construct } = service(strategy);
    const template = validatedTemplate(stack);
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::ListenerRule', {
      Priority: 9,
      Conditions: [
        { Field: 'path-pattern', PathPatternConfig: { Values: ['/*'] } },
        { Field: 'http-header', HttpHeaderConfig: { HttpHeaderName: 'x-qa', Values: ['1'] } },
        { Field: 'source-ip', SourceIpConfig: { Values: ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'] } },
      ],
    });
    template.hasResourceProperties('AWS::ECS::Service', {
      DeploymentConfiguration: CfnMatch.objectLike({
        Strategy: 'CANARY',
        CanaryConfiguration: { CanaryPercent: 10, CanaryBakeTimeInMinutes: 10 },
        LifecycleHooks: [{ TargetType: 'PAUSE', LifecycleStages: ['POST_TEST_TRAFFIC_SHIFT'], TimeoutConfiguration: { TimeoutInMinutes: 60, Action: 'ROLLBACK' } }],
      }),
      LoadBalancers: [CfnMatch.objectLike({ AdvancedConfiguration: CfnMatch.objectLike({ TestListenerRule: ref('WebTestRule') }) })],
    });
    expect(construct.nativeRollout!.approvalStage).toBe('POST_TEST_TRAFFIC_SHIFT');
  });

  test('a query parameter test route becomes a query-string condition', () => {
    const { stack } = service(Strategy.blueGreen({ testRoute: Match.queryParameter('env', 'green') }));
    validatedTemplate(stack).hasResourceProperties('AWS::ElasticLoadBalancingV2::ListenerRule', {
      Conditions: CfnMatch.arrayWith([{ Field: 'query-string', QueryStringConfig: { Values: [{ Key: 'env', Value: 'green' }] } }]),
    });
  });

  test('priorities and conditions can be set; the test rule adds its route to the production conditions', () => {
    const { stack } = service(Strategy.blueGreen({ testRoute: Match.header('x-env', 'green') }), {
      priority: 200, testPriority: 100, conditions: [elbv2.ListenerCondition.pathPatterns(['/api/*'])],
    });
    const template = validatedTemplate(stack);
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::ListenerRule', {
      Priority: 200, Conditions: [{ Field: 'path-pattern', PathPatternConfig: { Values: ['/api/*'] } }],
    });
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::ListenerRule', {
      Priority: 100,
      Conditions: [{ Field: 'path-pattern', PathPatternConfig: { Values: ['/api/*'] } }, CfnMatch.objectLike({ Field: 'http-header' }), CfnMatch.objectLike({ Field: 'source-ip' })],
    });
  });

  test('the sources allowed to use the test route can be listed', () => {
    const { stack } = service(Strategy.blueGreen({ testRoute: Match.header('x-env', 'green') }), { testRouteSources: ['203.0.113.0/24'] });
    validatedTemplate(stack).hasResourceProperties('AWS::ElasticLoadBalancingV2::ListenerRule', {
      Conditions: CfnMatch.arrayWith([{ Field: 'source-ip', SourceIpConfig: { Values: ['203.0.113.0/24'] } }]),
    });
  });

  test.each([
    [['0.0.0.0/0', '198.51.100.7/32', '10.0.0.0/8']],
    [['::/0', '2001:db8::1/128', '::ffff:192.0.2.0/120']],
  ])('test route sources %j: IPv4 and IPv6 ranges at the edges of their prefix lengths', sources => {
    const { stack } = service(Strategy.blueGreen({ testRoute: Match.header('x-env', 'green') }), { testRouteSources: sources });
    validatedTemplate(stack).hasResourceProperties('AWS::ElasticLoadBalancingV2::ListenerRule', {
      Conditions: CfnMatch.arrayWith([{ Field: 'source-ip', SourceIpConfig: { Values: sources } }]),
    });
  });

  test.each([
    [[], 'EcsRolloutService Stack/Web: testRouteSources is an empty array: a test route needs at least one source range. List the ranges your testers connect from, or leave testRouteSources out for private addresses only.'],
    ...[
      'office', '300.1.2.3/40', '300.1.2.3/24', '10.0.0.0/33', '10.0.0.0', '10.0.0.0/', '10.0.0.0/08', '010.0.0.0/8', '10.0.0/8',
      '::/999', '::/129', '2001:db8::/', 'fe80::1%eth0/64', '2001:db8::g/32', '10.0.0.0/8/8', ' 10.0.0.0/8',
    ].map(cidr => [['203.0.113.0/24', cidr], `EcsRolloutService Stack/Web: testRouteSources[1] is ${JSON.stringify(cidr)}: it must be a CIDR range: `
      + 'an IPv4 address with a prefix length from 0 to 32, or an IPv6 address with one from 0 to 128. '
      + 'Write it as an address and a prefix length, such as "203.0.113.0/24".'] as [string[], string]),
    [[42], 'EcsRolloutService Stack/Web: testRouteSources[0] is 42: it must be a CIDR range: '
      + 'an IPv4 address with a prefix length from 0 to 32, or an IPv6 address with one from 0 to 128. '
      + 'Write it as an address and a prefix length, such as "203.0.113.0/24".'],
    ...([
      ['203.0.113.7/24', '203.0.113.0/24', '203.0.113.7/32'],
      ['148.243.143.42/21', '148.243.136.0/21', '148.243.143.42/32'],
      ['10.1.0.0/8', '10.0.0.0/8', '10.1.0.0/32'],
      ['2001:DB8::1/32', '2001:db8::/32', '2001:DB8::1/128'],
      ['::ffff:192.0.2.1/120', '::ffff:c000:200/120', '::ffff:192.0.2.1/128'],
    ] as const).map(([cidr, network, single]) => [['203.0.113.0/24', cidr], `EcsRolloutService Stack/Web: testRouteSources[1] is "${cidr}": `
      + `its address has bits set past the /${cidr.split('/')[1]} prefix, so the range is really ${network}: AWS masks the rest away, and cfn-lint refuses it. `
      + `Write the range as "${network}", or "${single}" for that one address.`] as [string[], string]),
  ])('test route sources %p are refused', (sources, message) => {
    expectValidationError(() => service(Strategy.blueGreen({ testRoute: Match.header('x-env', 'green') }), { testRouteSources: sources as any }), message);
  });

  test('conditions and lifecycle hooks must be what they say', () => {
    expectValidationError(() => service(Strategy.BLUE_GREEN, { conditions: [undefined as any] }),
      'EcsRolloutService Stack/Web: conditions[0] is undefined: it must be an elbv2.ListenerCondition. Use ListenerCondition.pathPatterns(), hostHeaders() or another ListenerCondition factory.');
    expectValidationError(() => service(Strategy.BLUE_GREEN, { lifecycleHooks: [undefined as any] }),
      'EcsNativeRollout Stack/Web/Rollout: lifecycleHooks[0] is undefined: it must be a lifecycle hook target. Use new ecs.DeploymentLifecycleLambdaTarget(fn, id, { lifecycleStages }).');
  });

  test('alarms must be CloudWatch alarms', () => {
    expectValidationError(() => service(Strategy.BLUE_GREEN, { alarms: [undefined as any] }),
      'EcsNativeRollout Stack/Web/Rollout: alarms[0] is undefined: it must be a CloudWatch alarm. Pass a cloudwatch.Alarm, or one imported with Alarm.fromAlarmArn().');
  });
});

describe('the service', () => {
  test('target groups take IP targets on the container port, with the health check given', () => {
    const { stack } = service(Strategy.BLUE_GREEN, { healthCheck: { path: '/healthz' } });
    const template = validatedTemplate(stack);
    template.resourceCountIs('AWS::ElasticLoadBalancingV2::TargetGroup', 2);
    template.allResourcesProperties('AWS::ElasticLoadBalancingV2::TargetGroup', {
      Port: 80, Protocol: 'HTTP', TargetType: 'ip', HealthCheckPath: '/healthz',
    });
  });

  test('container, port, desired count, subnets and security groups can be chosen', () => {
    const base = setup();
    base.taskDefinition.addContainer('api', { image, portMappings: [{ containerPort: 8080 }, { containerPort: 9090 }], essential: false });
    const securityGroup = new ec2.SecurityGroup(base.stack, 'Tasks', { vpc: base.vpc });
    const construct = new EcsRolloutService(base.stack, 'Web', {
      cluster: base.cluster,
      taskDefinition: base.taskDefinition,
      listener: base.listener,
      strategy: Strategy.BLUE_GREEN,
      containerName: 'api',
      containerPort: 9090,
      desiredCount: 3,
      vpcSubnets: { subnetType: ec2.SubnetType.PUBLIC },
      securityGroups: [securityGroup],
    });
    const template = validatedTemplate(base.stack);
    template.hasResourceProperties('AWS::ECS::Service', {
      DesiredCount: 3,
      LoadBalancers: [CfnMatch.objectLike({ ContainerName: 'api', ContainerPort: 9090 })],
      NetworkConfiguration: {
        AwsvpcConfiguration: CfnMatch.objectLike({
          Subnets: [ref('VpcPublicSubnet1'), ref('VpcPublicSubnet2')],
          SecurityGroups: [{ 'Fn::GetAtt': [CfnMatch.stringLikeRegexp('^Tasks'), 'GroupId'] }],
        }),
      },
    });
    expect([construct.containerName, construct.containerPort]).toEqual(['api', 9090]);
  });

  test('a task definition that is not Fargate-compatible runs as an EC2 service with instance targets', () => {
    const base = setup();
    base.cluster.addCapacity('Capacity', { instanceType: new ec2.InstanceType('t3.small'), vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED } });
    const taskDefinition = new ecs.Ec2TaskDefinition(base.stack, 'Ec2Task', { networkMode: ecs.NetworkMode.BRIDGE });
    taskDefinition.addContainer('web', { image, memoryLimitMiB: 256, portMappings: [{ containerPort: 80 }] });
    const construct = new EcsRolloutService(base.stack, 'Web', {
      cluster: base.cluster, taskDefinition, listener: base.listener, strategy: Strategy.CANARY_10PERCENT_15MINUTES,
    });
    const template = validatedTemplate(base.stack);
    template.hasResourceProperties('AWS::ECS::Service', { LaunchType: 'EC2', DeploymentConfiguration: CfnMatch.objectLike({ Strategy: 'CANARY' }) });
    // Each task listens on a dynamic host port: the health check follows the traffic port, written out (cfn-lint E3049).
    template.allResourcesProperties('AWS::ElasticLoadBalancingV2::TargetGroup', { TargetType: 'instance', HealthCheckPort: 'traffic-port' });
    expect(construct.service).toBeInstanceOf(ecs.Ec2Service);
  });

  test('refuses a fixed health check port when the container maps a dynamic host port', () => {
    const base = setup();
    base.cluster.addCapacity('Capacity', { instanceType: new ec2.InstanceType('t3.small'), vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED } });
    const taskDefinition = new ecs.Ec2TaskDefinition(base.stack, 'Ec2Task', { networkMode: ecs.NetworkMode.BRIDGE });
    taskDefinition.addContainer('web', { image, memoryLimitMiB: 256, portMappings: [{ containerPort: 80 }] });
    expectValidationError(() => new EcsRolloutService(base.stack, 'Web', {
      cluster: base.cluster, taskDefinition, listener: base.listener, strategy: Strategy.BLUE_GREEN, healthCheck: { port: '8080' },
    }), 'EcsRolloutService Stack/Web: healthCheck.port is "8080": container "web" maps port 80 to a dynamic host port (bridge network mode, host port 0), '
      + 'so each task listens on a port of its own that a fixed health check port misses. Leave port out (or set "traffic-port"): the health check then follows each task\'s port.');
  });

  test('a fixed host port in the bridge mode keeps the health check as given', () => {
    const base = setup();
    base.cluster.addCapacity('Capacity', { instanceType: new ec2.InstanceType('t3.small'), vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED } });
    const taskDefinition = new ecs.Ec2TaskDefinition(base.stack, 'Ec2Task', { networkMode: ecs.NetworkMode.BRIDGE });
    taskDefinition.addContainer('web', { image, memoryLimitMiB: 256, portMappings: [{ containerPort: 80, hostPort: 8080 }] });
    new EcsRolloutService(base.stack, 'Web', { cluster: base.cluster, taskDefinition, listener: base.listener, strategy: Strategy.BLUE_GREEN });
    validatedTemplate(base.stack).allResourcesProperties('AWS::ElasticLoadBalancingV2::TargetGroup', { HealthCheckPort: CfnMatch.absent() });
  });

  test('an infrastructure role passed in is used instead of a new one', () => {
    const base = setup();
    const role = new iam.Role(base.stack, 'Infra', { assumedBy: new iam.ServicePrincipal('ecs.amazonaws.com') });
    new EcsRolloutService(base.stack, 'Web', {
      cluster: base.cluster, taskDefinition: base.taskDefinition, listener: base.listener, strategy: Strategy.BLUE_GREEN, infrastructureRole: role,
    });
    const template = validatedTemplate(base.stack);
    template.hasResourceProperties('AWS::ECS::Service', {
      LoadBalancers: [CfnMatch.objectLike({ AdvancedConfiguration: CfnMatch.objectLike({ RoleArn: { 'Fn::GetAtt': [CfnMatch.stringLikeRegexp('^Infra'), 'Arn'] } }) })],
    });
    expect(Object.keys(template.findResources('AWS::IAM::Role', ecsRole))).toEqual([expect.stringMatching(/^Infra/)]);
  });

  test('lifecycle hooks from props and addLifecycleHook() run at their stages', () => {
    const base = setup();
    const hook = (id: string) => new lambda.Function(base.stack, id, {
      runtime: lambda.Runtime.NODEJS_22_X, handler: 'index.handler', code: lambda.Code.fromInline('exports.handler = async () => ({ hookStatus: "SUCCEEDED" });'),
    });
    const construct = new EcsRolloutService(base.stack, 'Web', {
      cluster: base.cluster,
      taskDefinition: base.taskDefinition,
      listener: base.listener,
      strategy: Strategy.BLUE_GREEN,
      lifecycleHooks: [new ecs.DeploymentLifecycleLambdaTarget(hook('Smoke'), 'Smoke', { lifecycleStages: [ecs.DeploymentLifecycleStage.POST_TEST_TRAFFIC_SHIFT] })],
    });
    construct.addLifecycleHook(new ecs.DeploymentLifecycleLambdaTarget(hook('Check'), 'Check', { lifecycleStages: [ecs.DeploymentLifecycleStage.POST_PRODUCTION_TRAFFIC_SHIFT] }));
    validatedTemplate(base.stack).hasResourceProperties('AWS::ECS::Service', {
      DeploymentConfiguration: CfnMatch.objectLike({
        LifecycleHooks: [
          CfnMatch.objectLike({ HookTargetArn: { 'Fn::GetAtt': [CfnMatch.stringLikeRegexp('^Smoke'), 'Arn'] }, LifecycleStages: ['POST_TEST_TRAFFIC_SHIFT'] }),
          CfnMatch.objectLike({ HookTargetArn: { 'Fn::GetAtt': [CfnMatch.stringLikeRegexp('^Check'), 'Arn'] }, LifecycleStages: ['POST_PRODUCTION_TRAFFIC_SHIFT'] }),
        ],
      }),
    });
  });
});

describe('alarms that roll back', () => {
  test('by default an error rate and a p99 latency on both target groups roll the deployment back', () => {
    const { stack, construct } = service(Strategy.BLUE_GREEN);
    const template = validatedTemplate(stack);
    template.hasResourceProperties('AWS::ECS::Service', {
      DeploymentConfiguration: CfnMatch.objectLike({
        Alarms: {
          Enable: true,
          Rollback: true,
          AlarmNames: [ref('WebRolloutBlueAlarmserrorrate'), ref('WebRolloutGreenAlarmserrorrate'), ref('WebRolloutBlueAlarmslatencyp99'), ref('WebRolloutGreenAlarmslatencyp99')],
        },
      }),
    });
    for (const group of ['WebBlue', 'WebGreen']) {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Metrics: CfnMatch.arrayWith([CfnMatch.objectLike({
          Id: 'errors',
          MetricStat: CfnMatch.objectLike({
            Metric: CfnMatch.objectLike({
              MetricName: 'HTTPCode_Target_5XX_Count',
              Dimensions: CfnMatch.arrayWith([{ Name: 'TargetGroup', Value: { 'Fn::GetAtt': [CfnMatch.stringLikeRegexp(`^${group}`), 'TargetGroupFullName'] } }]),
            }),
          }),
        })]),
      });
    }
    expect(construct.healthCheckAlarms).toHaveLength(4);
    expect(construct.blueAlarms.alarms).toHaveLength(2);
    expect(construct.greenAlarms.alarms).toHaveLength(2);
  });

  test('alarms from props and addAlarm() are added once each, after the health checks\' alarms', () => {
    const base = setup();
    const alarm = (id: string) => cloudwatch.Alarm.fromAlarmArn(base.stack, id, `arn:aws:cloudwatch:us-east-1:123456789012:alarm:${id.toLowerCase()}`);
    const fromProps = alarm('Errors');
    const construct = new EcsRolloutService(base.stack, 'Web', {
      cluster: base.cluster, taskDefinition: base.taskDefinition, listener: base.listener, strategy: Strategy.BLUE_GREEN, alarms: [fromProps],
    });
    construct.addAlarm(alarm('Latency'));
    construct.addAlarm(fromProps);
    validatedTemplate(base.stack).hasResourceProperties('AWS::ECS::Service', {
      DeploymentConfiguration: CfnMatch.objectLike({
        Alarms: CfnMatch.objectLike({ AlarmNames: [CfnMatch.anyValue(), CfnMatch.anyValue(), CfnMatch.anyValue(), CfnMatch.anyValue(), 'errors', 'latency'] }),
      }),
    });
  });

  test('the rollout\'s own health checks, and addHealthCheck(), on either controller', () => {
    const quick = HealthCheck.errorRate({ maxErrorPercent: 2, failingWindows: 1 });
    const p95 = HealthCheck.latency({ percentile: 95, maxLatency: Duration.millis(500) });
    const native = service(Strategy.BLUE_GREEN, { healthChecks: [quick] });
    native.construct.addHealthCheck(p95);
    const template = validatedTemplate(native.stack);
    template.resourceCountIs('AWS::CloudWatch::Alarm', 4);
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { Threshold: 2, EvaluationPeriods: 1 });
    expect(native.construct.plan.healthChecks).toEqual([quick, p95]);
    expect(native.construct.plan).toBe(native.construct.nativeRollout!.plan);
    const base = setup();
    const listener = (base.listener.loadBalancer as elbv2.ApplicationLoadBalancer).addListener('Web', { port: 8080, open: false });
    const codeDeploy = new EcsRolloutService(base.stack, 'Web', {
      cluster: base.cluster,
      taskDefinition: base.taskDefinition,
      listener,
      strategy: Strategy.CANARY_10PERCENT_5MINUTES,
      controller: EcsController.codeDeploy(),
      healthChecks: [],
    });
    codeDeploy.addHealthCheck(p95);
    expect(codeDeploy.plan.healthChecks).toEqual([p95]);
    expect(codeDeploy.healthCheckAlarms).toHaveLength(2);
    expect(codeDeploy.blueAlarms.alarmFor('latency-p95')).toBeDefined();
  });
});

describe('what native ECS deployments cannot express', () => {
  const prop = 'EcsNativeRollout Stack/Web/Rollout: strategy';
  test.each([
    ['a promotion approval without a timeout', Strategy.blueGreen({ promotion: StepGate.manualApproval() }),
      `${prop} is "blue-green (promote after manual approval, bake 5m)": native ECS deployments end every PAUSE hook with a timeout (24 hours unless set) and CloudFormation waits for the deployment meanwhile, so manual approval needs one. Set a timeout, such as StepGate.manualApproval({ timeout: Duration.hours(4) }); when it passes, ECS rolls the deployment back.`],
    ['a promotion bake', Strategy.blueGreen({ promotion: bake(5) }),
      `${prop} is "blue-green (promote after bake 5m, bake 5m)": native ECS deployments hold the switch only for a manual approval (a PAUSE lifecycle hook at POST_TEST_TRAFFIC_SHIFT), not for a time (bake 5m). Use StepGate.manualApproval({ timeout }); or run the check in a Lambda lifecycle hook at TEST_TRAFFIC_SHIFT or POST_TEST_TRAFFIC_SHIFT (lifecycleHooks); or bake after traffic moves, while alarms can roll back.`],
    ['a blue-green bake that is not whole minutes', Strategy.blueGreen({ bakeTime: Duration.seconds(90) }),
      `${prop} is "blue-green (bake 1m 30s)": native ECS deployments count bake times in whole minutes, and bake 1m 30s is not. Round the bake time to whole minutes.`],
    ['a blue-green bake over a day', Strategy.blueGreen({ bakeTime: Duration.hours(25) }),
      `${prop} is "blue-green (bake 1d 1h)": native ECS deployments bake at most 1440 minutes (24 hours) after the switch, and bake 1d 1h is longer. Use a bake time of at most Duration.hours(24).`],
    ['several canary steps', Strategy.canary({ steps: [{ weight: 10, gate: bake(5) }, { weight: 50, gate: bake(5) }] }),
      `${prop} is "canary 10% (bake 5m) → 50% (bake 5m) → 100%": native ECS deployments shift a canary in one step, then to 100%; this canary has 2 steps before 100%. Use one step, such as Strategy.CANARY_10PERCENT_15MINUTES, or Strategy.linear() for equal steps.`],
    ['a manual approval', Strategy.canary({ steps: [{ weight: 10, gate: StepGate.manualApproval() }] }),
      `${prop} is "canary 10% (manual approval) → 100%": native ECS deployments pause for a manual approval only before production traffic moves (a PAUSE lifecycle hook at POST_TEST_TRAFFIC_SHIFT); a hook at PRODUCTION_TRAFFIC_SHIFT runs at every shift of a canary or linear deployment, so none can hold the rollout between shifts (manual approval). Hold the test phase for the approval instead (a testRoute with testGate: StepGate.manualApproval({ timeout })), bake this step with StepGate.bake() and alarms that roll back, or use a Kubernetes Argo Rollouts provider for approvals between steps.`],
    ['an analysis', Strategy.canary({ steps: [{ weight: 10, gate: StepGate.analysis({ name: 'errors', duration: Duration.minutes(5) }) }] }),
      `${prop} is "canary 10% (analysis errors 5m) → 100%": native ECS deployments wait between shifts only for a time; they have no analysis step (analysis errors 5m). Use StepGate.bake() with alarms that roll back, or run the check in a lifecycle hook (lifecycleHooks); for analysis between steps use a Kubernetes Argo Rollouts provider.`],
    ['an approval at 100%', Strategy.canary({ steps: [{ weight: 10, gate: bake(5) }, { weight: 100, gate: StepGate.manualApproval() }] }),
      `${prop} is "canary 10% (bake 5m) → 100% (manual approval)": native ECS deployments pause for a manual approval only before production traffic moves (a PAUSE lifecycle hook at POST_TEST_TRAFFIC_SHIFT); a hook at PRODUCTION_TRAFFIC_SHIFT runs at every shift of a canary or linear deployment, so none can hold the rollout after the last shift (manual approval). Hold the test phase for the approval instead (a testRoute with testGate: StepGate.manualApproval({ timeout })), bake this step with StepGate.bake() and alarms that roll back, or use a Kubernetes Argo Rollouts provider for approvals between steps.`],
    ['a canary bake that is not whole minutes', Strategy.canary({ steps: [{ weight: 10, gate: StepGate.bake(Duration.seconds(90)) }] }),
      `${prop} is "canary 10% (bake 1m 30s) → 100%": native ECS deployments count bake times in whole minutes, and bake 1m 30s is not. Round the bake time to whole minutes.`],
    ['a canary bake over a day', Strategy.canary({ steps: [{ weight: 10, gate: StepGate.bake(Duration.hours(25)) }] }),
      `${prop} is "canary 10% (bake 1d 1h) → 100%": native ECS deployments bake at most 1440 minutes (24 hours) between shifts, and bake 1d 1h is longer. Use a bake time of at most Duration.hours(24).`],
    ['a linear step under 3%', Strategy.linear({ stepPercent: 2.5, interval: Duration.minutes(1) }),
      `${prop} is "linear 2.5% every 1m": native ECS deployments move at least 3% of traffic per linear step, and 2.5% is less. Use a stepPercent of 3 or more, or a one-step canary for a smaller first share.`],
    ['a linear interval that is not whole minutes', Strategy.linear({ stepPercent: 10, interval: Duration.seconds(30) }),
      `${prop} is "linear 10% every 30s": native ECS deployments count bake times in whole minutes, and bake 30s is not. Round the bake time to whole minutes.`],
    ['a canary longer than CloudFormation waits', Strategy.canary({ steps: [{ weight: 10, gate: StepGate.bake(Duration.hours(24)) }, { weight: 100, gate: StepGate.bake(Duration.hours(13)) }] }),
      `${prop} is "canary 10% (bake 1d) → 100% (bake 13h)": the rollout takes 1d 13h, and CloudFormation rejects an ECS deployment whose bake times add up to more than 33 hours. Use a shorter plan (fewer or shorter steps), or start the rollout from a pipeline (ECS UpdateService) instead of a CloudFormation update.`],
    ['a linear rollout longer than CloudFormation waits', Strategy.linear({ stepPercent: 10, interval: Duration.hours(5) }),
      `${prop} is "linear 10% every 5h": the rollout takes 1d 21h, and CloudFormation rejects an ECS deployment whose bake times add up to more than 33 hours. Use a shorter plan (fewer or shorter steps), or start the rollout from a pipeline (ECS UpdateService) instead of a CloudFormation update.`],
  ])('refuses %s at construction', (_, strategy, message) => {
    expectValidationError(() => service(strategy), message);
  });

  const route = 'EcsRolloutService Stack/Web: strategy.testRoute';
  test.each([
    ['a header regex', Match.headerRegex('user-agent', '.*Mobile.*'),
      `${route} is "header user-agent~/.*Mobile.*/": an ALB listener rule has no regular-expression condition; it compares header values whole. Use Match.header() with an exact value, such as Match.header("x-env", "green").`],
    ['a cookie', Match.cookie('beta', 'true'),
      `${route} is "cookie beta=true": an ALB listener rule has no cookie condition, and a condition on the whole Cookie header would miss requests that carry other cookies. Use Match.header(), such as Match.header("x-env", "green"), or Match.queryParameter().`],
    ['a header value with a wildcard', Match.header('x-env', 'green*'),
      `${route} is "header x-env=green*": an ALB listener rule reads * and ? as wildcards, so "green*" would route more requests than the one value declared. Use a value without * or ?.`],
    ['a query value with a wildcard', Match.queryParameter('env', 'gr?en'),
      `${route} is "query env=gr?en": an ALB listener rule reads * and ? as wildcards, so "gr?en" would route more requests than the one value declared. Use a value without * or ?.`],
    ['a header name over 40 characters', Match.header('x-'.padEnd(41, 'a'), 'green'),
      `${route} is "header x-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa=green": an ALB http-header condition takes a header name of at most 40 characters, and "x-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" has 41. Use a shorter header name.`],
    ['a value over 128 characters', Match.header('x-env', 'g'.repeat(129)),
      `${route} is "header x-env=${'g'.repeat(129)}": an ALB condition compares strings of at most 128 characters, and this one has 129. Use a shorter name or value.`],
  ])('refuses a test route with %s', (_, match, message) => {
    expectValidationError(() => service(Strategy.blueGreen({ testRoute: match })), message);
  });
});

describe('bad input', () => {
  const where = 'EcsRolloutService Stack/Web';
  const green = Strategy.blueGreen({ testRoute: Match.header('x-env', 'green') });
  test.each([
    ['a priority of 0', Strategy.BLUE_GREEN, { priority: 0 },
      `${where}: priority is 0: an ALB listener rule priority is a whole number from 1 to 50000. Pick a priority no other rule on the listener uses, such as 10.`],
    ['a fractional priority', Strategy.BLUE_GREEN, { priority: 1.5 },
      `${where}: priority is 1.5: an ALB listener rule priority is a whole number from 1 to 50000. Pick a priority no other rule on the listener uses, such as 10.`],
    ['a priority of 1 with a test route', green, { priority: 1 },
      `${where}: testPriority is 0: an ALB listener rule priority is a whole number from 1 to 50000. Pick a priority no other rule on the listener uses, such as 10.`],
    ['a test priority after the production rule', green, { priority: 10, testPriority: 10 },
      `${where}: testPriority is 10: the test rule must be evaluated before the production rule (priority 10), so its priority must be lower. Use a testPriority below 10, or raise priority.`],
    ['no conditions', Strategy.BLUE_GREEN, { conditions: [] },
      `${where}: conditions is an empty array: a listener rule needs at least one condition. Leave conditions out to match every path, or pass one such as ListenerCondition.pathPatterns(["/api/*"]).`],
    ['more than 5 condition values', Strategy.BLUE_GREEN,
      { conditions: [elbv2.ListenerCondition.pathPatterns(['/a', '/b', '/c']), elbv2.ListenerCondition.hostHeaders(['a.example.com', 'b.example.com', 'c.example.com'])] },
      `${where}: conditions is an array of 2: an ALB listener rule compares at most 5 values, and the production rule would compare 6. Use fewer values, such as one path pattern.`],
    ['5 condition values and a test route', green,
      { conditions: [elbv2.ListenerCondition.pathPatterns(['/a', '/b', '/c', '/d', '/e'])] },
      `${where}: conditions is an array of 1: an ALB listener rule compares at most 5 values, and the test rule (with the test route and its sources) would compare 9. Use fewer values, such as one path pattern.`],
    ['more than 5 wildcards in the production rule', Strategy.BLUE_GREEN,
      { conditions: [elbv2.ListenerCondition.pathPatterns(['/*/a/*', '/*/b/*']), elbv2.ListenerCondition.hostHeaders(['*.example.com', 'a?.example.com'])] },
      `${where}: conditions is an array of 2: an ALB listener rule uses at most 5 wildcards (* or ?), and the production rule would use 6. Use conditions with fewer wildcards, such as a host header without one.`],
    ['an unknown container', Strategy.BLUE_GREEN, { containerName: 'api' },
      `${where}: containerName is "api": the task definition has no container of this name. Use one of: "web".`],
    ['an unmapped port', Strategy.BLUE_GREEN, { containerPort: 8080 },
      `${where}: containerPort is 8080: container "web" does not map this port. Use a mapped port (80), or add a port mapping for it.`],
    ['a negative desired count', Strategy.BLUE_GREEN, { desiredCount: -1 },
      `${where}: desiredCount is -1: it is a number of tasks, a whole number of at least 0. Use a whole number such as 2.`],
    ['a strategy that is not a Strategy', 'blue-green' as any, {},
      `${where}: strategy is "blue-green": a rollout needs a Strategy. Pass a Strategy, for example Strategy.BLUE_GREEN.`],
  ])('refuses %s', (_, strategy, props, message) => {
    expectValidationError(() => service(strategy, props as Partial<EcsRolloutServiceProps>), message);
  });

  test('refuses a task definition without a container, or whose container maps no port', () => {
    const base = setup();
    const empty = new ecs.FargateTaskDefinition(base.stack, 'Empty');
    expectValidationError(() => new EcsRolloutService(base.stack, 'Web', { ...base, taskDefinition: empty, strategy: Strategy.BLUE_GREEN }),
      `${where}: containerName is undefined: the task definition has no essential container to send traffic to. Add the container to the task definition before creating the rollout, or set containerName.`);
    const portless = new ecs.FargateTaskDefinition(base.stack, 'Portless');
    portless.addContainer('worker', { image });
    expectValidationError(() => new EcsRolloutService(base.stack, 'Web2', { ...base, taskDefinition: portless, strategy: Strategy.BLUE_GREEN }),
      'EcsRolloutService Stack/Web2: containerPort is undefined: container "worker" maps no port, so there is nothing to send traffic to. Add a port mapping to the container, such as portMappings: [{ containerPort: 80 }].');
  });

  test('refuses a task definition without a network', () => {
    const base = setup();
    const none = new ecs.Ec2TaskDefinition(base.stack, 'None', { networkMode: ecs.NetworkMode.NONE });
    none.addContainer('web', { image, memoryLimitMiB: 256 });
    expectValidationError(() => new EcsRolloutService(base.stack, 'Web', { ...base, taskDefinition: none, strategy: Strategy.BLUE_GREEN }),
      `${where}: taskDefinition.networkMode is "none": a load-balanced service needs a network to receive traffic on. Use the awsvpc network mode (the Fargate default), bridge or host.`);
  });

  test('refuses an imported listener and a task definition that is not a TaskDefinition', () => {
    const base = setup();
    const imported = elbv2.ApplicationListener.fromApplicationListenerAttributes(base.stack, 'Imported', {
      listenerArn: 'arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/alb/1/2',
      securityGroup: ec2.SecurityGroup.fromSecurityGroupId(base.stack, 'Sg', 'sg-12345678'),
    });
    const error = thrownBy(() => new EcsRolloutService(base.stack, 'Web', { ...base, listener: imported as any, strategy: Strategy.BLUE_GREEN }));
    expect(StrategyErrors.isValidationError(error)).toBe(true);
    expect((error as Error).message).toMatch(/^EcsRolloutService Stack\/Web: listener is an? \w+: it must be an elbv2.ApplicationListener, to which the construct adds its routes\. Pass the listener defined in this app, for example alb.addListener\(\.\.\.\)\.$/);
    expectValidationError(() => new EcsRolloutService(base.stack, 'Web2', { ...base, taskDefinition: {} as any, strategy: Strategy.BLUE_GREEN }),
      'EcsRolloutService Stack/Web2: taskDefinition is an object: it must be an ecs.TaskDefinition, whose containers the service runs. Pass the FargateTaskDefinition or Ec2TaskDefinition defined in this app.');
  });

  test('refuses props that are not an object, and an alarm that is not one', () => {
    const base = setup();
    expectValidationError(() => new EcsRolloutService(base.stack, 'Web', Strategy.BLUE_GREEN as any),
      `${where}: props is a Strategy: it must be a plain object of props, not an instance of a class. Pass { cluster, taskDefinition, listener, strategy }.`);
    const construct = new EcsRolloutService(base.stack, 'Web2', { ...base, strategy: Strategy.BLUE_GREEN });
    expectValidationError(() => construct.addAlarm('my-alarm' as any),
      'EcsNativeRollout Stack/Web2/Rollout: alarm is "my-alarm": it must be a CloudWatch alarm. Pass a cloudwatch.Alarm, or one imported with Alarm.fromAlarmArn().');
  });
});

describe('the 33-hour limit', () => {
  test('a plan of exactly 33 hours is accepted', () => {
    const { stack } = service(Strategy.canary({ steps: [{ weight: 10, gate: bake(1440) }, { weight: 100, gate: bake(540) }] }));
    validatedTemplate(stack).hasResourceProperties('AWS::ECS::Service', {
      DeploymentConfiguration: CfnMatch.objectLike({ BakeTimeInMinutes: 540 }),
    });
  });

  test('a minute more is refused', () => {
    expect(() => service(Strategy.canary({ steps: [{ weight: 10, gate: bake(1440) }, { weight: 100, gate: bake(541) }] })))
      .toThrow(/the rollout takes 1d 9h 1m, and CloudFormation rejects an ECS deployment whose bake times add up to more than 33 hours/);
  });
});

describe('the CodeDeploy controller', () => {
  /** A listener dedicated to the service: created without a default action, which the construct sets. */
  function codeDeployService(strategy: Strategy, controller: EcsController, props: Partial<EcsRolloutServiceProps> = {}) {
    const base = setup();
    const alb = base.listener.loadBalancer as elbv2.ApplicationLoadBalancer;
    const listener = alb.addListener('Web', { port: 8080, open: false });
    const construct = new EcsRolloutService(base.stack, 'Web', {
      cluster: base.cluster, taskDefinition: base.taskDefinition, listener, strategy, controller, ...props,
    });
    return { ...base, listener, construct };
  }
  const where = 'EcsRolloutService Stack/Web';

  test('blue-green: a CODE_DEPLOY service, the listener\'s default action on blue, a deployment group over both target groups', () => {
    const { stack, construct } = codeDeployService(Strategy.blueGreen({ bakeTime: Duration.minutes(30) }), EcsController.codeDeploy());
    const template = validatedTemplate(stack);
    template.hasResourceProperties('AWS::ECS::Service', {
      DeploymentController: { Type: 'CODE_DEPLOY' },
      DeploymentConfiguration: { MinimumHealthyPercent: 100, MaximumPercent: 200 },
      LoadBalancers: [{ ContainerName: 'web', ContainerPort: 80, TargetGroupArn: ref('WebBlue') }],
    });
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Port: 8080,
      DefaultActions: [{
        Type: 'forward',
        ForwardConfig: { TargetGroups: [{ TargetGroupArn: ref('WebBlue'), Weight: 100 }, { TargetGroupArn: ref('WebGreen'), Weight: 0 }] },
      }],
    });
    template.hasResourceProperties('AWS::CodeDeploy::DeploymentGroup', {
      DeploymentConfigName: 'CodeDeployDefault.ECSAllAtOnce',
      BlueGreenDeploymentConfiguration: CfnMatch.objectLike({
        TerminateBlueInstancesOnDeploymentSuccess: { Action: 'TERMINATE', TerminationWaitTimeInMinutes: 30 },
      }),
      LoadBalancerInfo: { TargetGroupPairInfoList: [CfnMatch.objectLike({ TestTrafficRoute: CfnMatch.absent() })] },
      AlarmConfiguration: CfnMatch.objectLike({
        Alarms: [{ Name: ref('WebRolloutBlueAlarmserrorrate') }, { Name: ref('WebRolloutGreenAlarmserrorrate') },
          { Name: ref('WebRolloutBlueAlarmslatencyp99') }, { Name: ref('WebRolloutGreenAlarmslatencyp99') }],
      }),
    });
    template.resourceCountIs('AWS::ElasticLoadBalancingV2::ListenerRule', 0);
    expect(construct.productionRule).toBeUndefined();
    expect(construct.testListener).toBeUndefined();
    expect(construct.codeDeployRollout).toBeDefined();
    expect(construct.nativeRollout).toBeUndefined();
    expect(construct.blueAlarms).toBe(construct.codeDeployRollout!.blueAlarms);
    expect(construct.plan).toBe(construct.codeDeployRollout!.plan);
    expect(construct.node.tryFindChild('Rollout')!.node.metadata.find(m => m.type === PLAN_METADATA_TYPE)!.data.controller).toBe('CodeDeploy for ECS');
  });

  test('a test port adds a test listener on the same load balancer, open only to private ranges by default', () => {
    const { stack, construct } = codeDeployService(Strategy.CANARY_10PERCENT_5MINUTES, EcsController.codeDeploy({ testPort: 9000 }));
    const template = validatedTemplate(stack);
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Port: 9000,
      Protocol: 'HTTP',
      DefaultActions: [CfnMatch.objectLike({ Type: 'forward' })],
    });
    template.hasResourceProperties('AWS::CodeDeploy::DeploymentGroup', {
      DeploymentConfigName: 'CodeDeployDefault.ECSCanary10Percent5Minutes',
      LoadBalancerInfo: { TargetGroupPairInfoList: [CfnMatch.objectLike({ TestTrafficRoute: { ListenerArns: [ref('WebTestListener')] } })] },
    });
    const ingress = Object.values(template.findResources('AWS::EC2::SecurityGroup'))
      .flatMap(sg => sg.Properties.SecurityGroupIngress ?? [])
      .filter((rule: any) => rule.FromPort === 9000);
    expect(ingress.map((rule: any) => rule.CidrIp).sort()).toEqual(['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16']);
    expect(construct.testListener).toBeDefined();
  });

  test('the test listener admits the sources listed, IPv6 included', () => {
    const testRouteSources = ['203.0.113.0/24', '2001:db8::/32'];
    const { stack } = codeDeployService(Strategy.BLUE_GREEN, EcsController.codeDeploy({ testPort: 9000 }), { testRouteSources });
    const groups = Object.values(validatedTemplate(stack).findResources('AWS::EC2::SecurityGroup'));
    const ingress = groups.flatMap(sg => sg.Properties.SecurityGroupIngress ?? []).filter((rule: any) => rule.FromPort === 9000);
    expect(ingress.map((rule: any) => rule.CidrIp ?? rule.CidrIpv6).sort()).toEqual(['2001:db8::/32', '203.0.113.0/24']);
  });

  test('a canary\'s test route is refused by CodeDeploy, with a test port or without', () => {
    const strategy = Strategy.canary({ testRoute: Match.header('x-qa', '1'), steps: [{ weight: 10, gate: StepGate.bake(Duration.minutes(5)) }] });
    const message = 'EcsCodeDeployRollout Stack/Web/Rollout: strategy is "canary test route header x-qa=1 → 10% (bake 5m) → 100%": CodeDeploy for ECS shifts traffic by weight only and cannot send the requests of a test route (header x-qa=1) to the new version first. '
      + 'Remove the testRoute and give the deployment a test listener (testListener, or testPort with EcsRolloutService), where CodeDeploy sends every request to the new task set before any traffic shifts; '
      + 'or use native ECS deployments (EcsNativeRollout, EcsController.NATIVE), which route a test route by header.';
    expectValidationError(() => codeDeployService(strategy, EcsController.codeDeploy()), message);
    expectValidationError(() => codeDeployService(strategy, EcsController.codeDeploy({ testPort: 9000 })), message);
  });

  test('a strategy\'s test route needs a test port; with one, a warning says the match is not applied', () => {
    const strategy = Strategy.blueGreen({ testRoute: Match.header('x-env', 'green') });
    expectValidationError(() => codeDeployService(strategy, EcsController.codeDeploy()),
      `${where}: controller is "EcsController.codeDeploy() without a testPort": CodeDeploy routes test traffic by a second listener, not by a request match, so the strategy's test route (header x-env=green) needs a test listener. Set a testPort, such as EcsController.codeDeploy({ testPort: 9000 }); or leave testRoute out of the strategy; or use EcsController.NATIVE, which routes tests by header.`);
    const { stack } = codeDeployService(strategy, EcsController.codeDeploy({ testPort: 9000 }));
    Annotations.fromStack(stack).hasWarning('/Stack/Web/Rollout', CfnMatch.stringLikeRegexp('is the test listener Stack/Web/TestListener'));
  });

  test('refuses a listener that already has a default action, and a test port the listener uses', () => {
    const base = setup();
    expectValidationError(() => new EcsRolloutService(base.stack, 'Web', {
      cluster: base.cluster,
      taskDefinition: base.taskDefinition,
      listener: base.listener,
      strategy: Strategy.BLUE_GREEN,
      controller: EcsController.codeDeploy(),
    }), `${where}: listener is "Stack/Alb/Http": it already has a default action, and CodeDeploy moves the default action of a listener dedicated to this service. Create the listener without defaultAction or defaultTargetGroups (the construct sets it), or use EcsController.NATIVE to share a listener through rules.`);
    expectValidationError(() => codeDeployService(Strategy.BLUE_GREEN, EcsController.codeDeploy({ testPort: 8080 })),
      `${where}: controller is "EcsController.codeDeploy({ testPort: 8080 })": the production listener already uses port 8080. Pick another free port of the load balancer for the test listener, such as 9000.`);
  });

  test.each([
    ['priority', { priority: 5 }, '5', 'CodeDeploy moves the listener\'s default action, so there is no production rule to prioritize'],
    ['testPriority', { testPriority: 4 }, '4', 'CodeDeploy routes tests by a test listener, so there is no test rule to prioritize'],
    ['conditions', { conditions: [elbv2.ListenerCondition.pathPatterns(['/api/*'])] }, 'an array of 1', 'CodeDeploy moves the listener\'s default action, which has no conditions'],
    ['lifecycleHooks', { lifecycleHooks: [] }, 'an empty array', 'CodeDeploy runs the hook functions named in the deployment\'s AppSpec, not ECS lifecycle hooks'],
  ])('refuses %s, which only the native controller uses', (name, props, shown, why) => {
    expectValidationError(() => codeDeployService(Strategy.BLUE_GREEN, EcsController.codeDeploy(), props as Partial<EcsRolloutServiceProps>),
      `${where}: ${name} is ${shown}: it applies to the native controller only: ${why}. Leave ${name} out with EcsController.codeDeploy(), or use EcsController.NATIVE.`);
  });

  test('test sources without a test listener are refused, with either controller', () => {
    expectValidationError(() => codeDeployService(Strategy.BLUE_GREEN, EcsController.codeDeploy(), { testRouteSources: ['10.0.0.0/8'] }),
      `${where}: testRouteSources is an array of 1: it limits who reaches the CodeDeploy test listener, and there is none without a testPort. Set testPort in EcsController.codeDeploy({ testPort }), or leave testRouteSources out.`);
    expectValidationError(() => service(Strategy.BLUE_GREEN, { testRouteSources: ['10.0.0.0/8'] }),
      `${where}: testRouteSources is an array of 1: it limits who may use the test route, and the strategy blue-green (bake 5m) has none. Add a test route to the strategy, such as Strategy.blueGreen({ testRoute: Match.header("x-env", "green") }), or leave testRouteSources out.`);
  });

  test('addAlarm() reaches the deployment group; addLifecycleHook() is refused', () => {
    const { stack, construct } = codeDeployService(Strategy.BLUE_GREEN, EcsController.codeDeploy());
    const alarm = cloudwatch.Alarm.fromAlarmArn(stack, 'Extra', 'arn:aws:cloudwatch:us-east-1:123456789012:alarm:extra');
    construct.addAlarm(alarm);
    validatedTemplate(stack).hasResourceProperties('AWS::CodeDeploy::DeploymentGroup', {
      AlarmConfiguration: CfnMatch.objectLike({ Alarms: CfnMatch.arrayWith([{ Name: 'extra' }]) }),
    });
    const fn = new lambda.Function(stack, 'Hook', { runtime: lambda.Runtime.NODEJS_22_X, handler: 'index.handler', code: lambda.Code.fromInline('exports.handler = async () => {}') });
    expectValidationError(() => construct.addLifecycleHook(new ecs.DeploymentLifecycleLambdaTarget(fn, 'Smoke', { lifecycleStages: [ecs.DeploymentLifecycleStage.POST_TEST_TRAFFIC_SHIFT] })),
      `${where}: lifecycleHook is a DeploymentLifecycleLambdaTarget: ECS lifecycle hooks run only with the native controller. With CodeDeploy, name the hook functions in the AppSpec of the deployment (BeforeInstall ... AfterAllowTraffic); or use EcsController.NATIVE.`);
  });
});

describe('props aws-cdk-lib or the load balancer would refuse later', () => {
  const where = 'EcsRolloutService Stack/Web';
  const headerRoute = Strategy.blueGreen({ testRoute: Match.header('x-env', 'green') });

  test.each([
    [{ securityGroups: 'sg-123' }, `${where}: securityGroups is "sg-123": it must be an array. Pass an array of security groups.`],
    [{ securityGroups: [{ securityGroupId: 'sg-123' }] }, `${where}: securityGroups[0] is an object: it must be an EC2 security group. Pass an ec2.SecurityGroup, or one imported with SecurityGroup.fromSecurityGroupId().`],
    [{ vpcSubnets: ec2.SubnetType.PUBLIC }, `${where}: vpcSubnets is "Public": it must be an object. Pass a subnet selection such as { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS }.`],
    [{ vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS } }, `${where}: vpcSubnets is { subnetType: Private }: the cluster's VPC has no subnets of this selection `
      + '(There are no \'Private\' subnet groups in this VPC. Available types: Isolated,Deprecated_Isolated,Public). Select subnets the VPC has, or leave vpcSubnets out for its private subnets.'],
  ])('refuses the tasks\' network %p', (props, message) => {
    expectValidationError(() => service(Strategy.BLUE_GREEN, props as any), message);
  });

  test('refuses subnets and security groups for tasks that are not in the awsvpc network mode, which would ignore them', () => {
    const base = setup();
    base.cluster.addCapacity('Capacity', { instanceType: new ec2.InstanceType('t3.micro'), vpcSubnets: { subnetType: ec2.SubnetType.PUBLIC } });
    const taskDefinition = new ecs.Ec2TaskDefinition(base.stack, 'Ec2Task', { networkMode: ecs.NetworkMode.BRIDGE });
    taskDefinition.addContainer('web', { image, memoryLimitMiB: 256, portMappings: [{ containerPort: 80 }] });
    const props = { cluster: base.cluster, taskDefinition, listener: base.listener, strategy: Strategy.BLUE_GREEN };
    expectValidationError(() => new EcsRolloutService(base.stack, 'Web', { ...props, vpcSubnets: { subnetType: ec2.SubnetType.PUBLIC } }),
      `${where}: vpcSubnets is an object: it applies to tasks in the awsvpc network mode only, and the task definition uses bridge. Leave vpcSubnets out (the tasks use the network of their container instance), or use the awsvpc network mode.`);
    expectValidationError(() => new EcsRolloutService(base.stack, 'Web2', { ...props, securityGroups: [] }),
      'EcsRolloutService Stack/Web2: securityGroups is an empty array: it applies to tasks in the awsvpc network mode only, and the task definition uses bridge. Leave securityGroups out (the tasks use the network of their container instance), or use the awsvpc network mode.');
  });

  test.each([
    [{ healthyThresholdCount: 1 }, 'healthCheck.healthyThresholdCount is 1: it is a number of consecutive health checks, a whole number from 2 to 10. Use 2 to 10.'],
    [{ unhealthyThresholdCount: 12 }, 'healthCheck.unhealthyThresholdCount is 12: it is a number of consecutive health checks, a whole number from 2 to 10. Use 2 to 10.'],
    [{ interval: Duration.seconds(400) }, 'healthCheck.interval is 6 minutes 40 seconds: the load balancer takes a health check interval of 5 to 300 seconds. Use 5 to 300 seconds.'],
    [{ interval: Duration.seconds(5) }, 'healthCheck.interval is 5 seconds: a health check must time out before the next one starts, so the interval must be longer than the default timeout of 6 seconds. Lengthen the interval or shorten the timeout.'],
    [{ interval: Duration.seconds(10), timeout: Duration.seconds(10) }, 'healthCheck.interval is 10 seconds: a health check must time out before the next one starts, so the interval must be longer than the timeout of 10 seconds. Lengthen the interval or shorten the timeout.'],
    [{ timeout: Duration.seconds(40) }, 'healthCheck.timeout is 40 seconds: a health check must time out before the next one starts, every 30 seconds by default. Use a timeout under 30 seconds, or set a longer interval.'],
    [{ path: 'health' }, 'healthCheck.path is "health": a health check path starts with "/" and has at most 1024 visible ASCII characters. Use a path such as "/health".'],
    [{ healthyHttpCodes: '200-600' }, 'healthCheck.healthyHttpCodes is "200-600": it lists HTTP codes from 200 to 499, separated by commas, or ranges of them. Use a value such as "200", "200,302" or "200-299".'],
    [{ healthyGrpcCodes: '12' }, 'healthCheck.healthyGrpcCodes is "12": the blue and green target groups speak HTTP/1.1, not gRPC. Use healthyHttpCodes.'],
    [{ protocol: elbv2.Protocol.TCP }, 'healthCheck.protocol is "TCP": an application load balancer health-checks over HTTP or HTTPS. Use elbv2.Protocol.HTTP or elbv2.Protocol.HTTPS.'],
    [{ port: '80a' }, 'healthCheck.port is "80a": a health check port is "traffic-port" or a port number from 1 to 65535, as a string. Leave it out to check the port that receives traffic.'],
    [{ enabled: false }, 'healthCheck.enabled is false: the load balancer always health-checks targets of type ip and instance, and routes only to healthy tasks. Leave enabled out; tune the interval and thresholds instead.'],
  ])('refuses the health check %p', (healthCheck, message) => {
    expectValidationError(() => service(Strategy.BLUE_GREEN, { healthCheck: healthCheck as elbv2.HealthCheck }), `${where}: ${message}`);
  });

  test('accepts a health check the load balancer takes', () => {
    const healthCheck = { path: '/health', interval: Duration.seconds(10), timeout: Duration.seconds(5), healthyThresholdCount: 2, unhealthyThresholdCount: 10, healthyHttpCodes: '200-299,302', port: '8080' };
    validatedTemplate(service(Strategy.BLUE_GREEN, { healthCheck }).stack).hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', {
      HealthCheckPath: '/health', HealthCheckIntervalSeconds: 10, HealthCheckTimeoutSeconds: 5, Matcher: { HttpCode: '200-299,302' }, HealthCheckPort: '8080',
    });
  });

  test.each([
    ['two path-pattern conditions', [elbv2.ListenerCondition.pathPatterns(['/api/*']), elbv2.ListenerCondition.pathPatterns(['/v1/*'])], Strategy.BLUE_GREEN,
      'an ALB listener rule takes at most one path-pattern condition, and the production rule would have 2. Put the values in one condition, such as ListenerCondition.pathPatterns(["/a/*", "/b/*"]); it holds when any of them matches.'],
    ['a value twice', [elbv2.ListenerCondition.pathPatterns(['/api/*', '/api/*'])], Strategy.BLUE_GREEN,
      'the ALB refuses a condition that lists a value twice, and the production rule would list "/api/*" twice in its path-pattern condition. List each value once.'],
    ['the same header condition twice', [elbv2.ListenerCondition.httpHeader('x-team', ['a']), elbv2.ListenerCondition.httpHeader('x-team', ['a'])], Strategy.BLUE_GREEN,
      'the ALB refuses a rule that has the same condition twice, and the production rule would have two identical http-header conditions. List each condition once.'],
    ['a source-ip condition with a test route', [elbv2.ListenerCondition.sourceIps(['192.0.2.0/24'])], headerRoute,
      'an ALB listener rule takes at most one source-ip condition, and the test rule (with the test route and its sources) sets its own from testRouteSources. Leave the source-ip condition out of conditions, and list the ranges allowed to test in testRouteSources.'],
    ['the test route\'s own header condition', [elbv2.ListenerCondition.httpHeader('x-env', ['green'])], headerRoute,
      'the ALB refuses a rule that has the same condition twice, and the test rule (with the test route and its sources) would have two identical http-header conditions. List each condition once.'],
  ])('refuses conditions the load balancer refuses: %s', (_, conditions, strategy, why) => {
    expectValidationError(() => service(strategy, { conditions }), `${where}: conditions is an array of ${conditions.length}: ${why}`);
  });

  test('refuses a shared listener without a default action with the native controller', () => {
    const base = setup();
    const listener = (base.listener.loadBalancer as elbv2.ApplicationLoadBalancer).addListener('Bare', { port: 8080, open: false });
    expectValidationError(() => new EcsRolloutService(base.stack, 'Web', { cluster: base.cluster, taskDefinition: base.taskDefinition, listener, strategy: Strategy.BLUE_GREEN }),
      `${where}: listener is "Stack/Alb/Bare": it has no default action, and the native controller only adds listener rules, so requests no rule matches would have nowhere to go. `
      + 'Create the listener with a default action, such as defaultAction: ListenerAction.fixedResponse(404), before the service; or, for a listener dedicated to this service, use EcsController.codeDeploy(), which sets the default action.');
  });

  /** A service on the CodeDeploy controller, on a listener of its own at 8080 beside the shared one at 80. */
  function codeDeployService(controller: EcsController, props: Partial<EcsRolloutServiceProps> = {}) {
    const base = setup();
    const listener = (base.listener.loadBalancer as elbv2.ApplicationLoadBalancer).addListener('Web', { port: 8080, open: false });
    const construct = new EcsRolloutService(base.stack, 'Web', {
      cluster: base.cluster, taskDefinition: base.taskDefinition, listener, strategy: Strategy.BLUE_GREEN, controller, ...props,
    });
    return { ...base, construct };
  }

  test('refuses a test port another listener of the load balancer uses', () => {
    expectValidationError(() => codeDeployService(EcsController.codeDeploy({ testPort: 80 })),
      `${where}: controller is "EcsController.codeDeploy({ testPort: 80 })": the listener Stack/Alb/Http of the same load balancer already uses port 80. Pick another free port of the load balancer for the test listener, such as 9000.`);
  });

  test('IPv6 test sources in any valid notation reach the test listener, written as aws-cdk-lib takes them', () => {
    const testRouteSources = ['2001:DB8::/32', '::ffff:192.0.2.0/120', '::0:0:0:0:0:0:1/128'];
    const { stack } = codeDeployService(EcsController.codeDeploy({ testPort: 9000 }), { testRouteSources });
    const groups = Object.values(validatedTemplate(stack).findResources('AWS::EC2::SecurityGroup'));
    const ingress = groups.flatMap(sg => sg.Properties.SecurityGroupIngress ?? []).filter((rule: any) => rule.FromPort === 9000);
    expect(ingress.map((rule: any) => rule.CidrIpv6).sort()).toEqual(['2001:db8::/32', '::1/128', '::ffff:c000:200/120']);
  });
});

describe('random props', () => {
  /** An optional prop, present in about half the cases. */
  const half = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined, freq: 2 });
  /** An optional prop, present in one case out of `n`. */
  const rarely = <T>(n: number, arb: fc.Arbitrary<T>) =>
    fc.oneof({ weight: n - 1, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: arb });
  /** An IPv4 network: a random address with the bits past a random prefix cleared. */
  const ipv4NetworkArb = fc.tuple(fc.ipV4(), fc.integer({ min: 0, max: 32 })).map(([ip, prefix]) => {
    const size = 2 ** (32 - prefix);
    const network = Math.floor(ip.split('.').reduce((n, octet) => n * 256 + Number(octet), 0) / size) * size;
    return `${[24, 16, 8, 0].map(shift => Math.floor(network / 2 ** shift) % 256).join('.')}/${prefix}`;
  });
  const cidrArb = fc.oneof(
    ipv4NetworkArb,
    fc.ipV6().map(ip => `${ip}/128`),
    fc.constantFrom('10.0.0.0/8', '0.0.0.0/0', '::/0', '2001:DB8::/32', '::ffff:192.0.2.0/120'),
  );
  const wrongCidrArb = fc.oneof(
    fc.constantFrom('203.0.113.7/24', '2001:db8::1/32'),
    fc.tuple(fc.ipV6(), fc.integer({ min: 129, max: 130 })).map(([ip, prefix]) => `${ip}/${prefix}`),
    fc.tuple(fc.ipV4(), fc.integer({ min: 33, max: 40 })).map(([ip, prefix]) => `${ip}/${prefix}`),
    fc.ipV4(),
    fc.string(),
  );
  const optional = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });
  const healthCheckArb = fc.record({
    path: optional(fc.constantFrom('/', '/health')),
    interval: optional(fc.integer({ min: 15, max: 300 }).map(s => Duration.seconds(s))),
    timeout: optional(fc.integer({ min: 2, max: 14 }).map(s => Duration.seconds(s))),
    healthyThresholdCount: optional(fc.integer({ min: 2, max: 10 })),
    unhealthyThresholdCount: optional(fc.integer({ min: 2, max: 10 })),
    healthyHttpCodes: optional(fc.constantFrom('200', '200-299', '200,302')),
    protocol: optional(fc.constantFrom(elbv2.Protocol.HTTP, elbv2.Protocol.HTTPS)),
  }, { requiredKeys: [] });
  const wrongHealthCheckArb = fc.record({
    path: optional(fc.constantFrom('/', 'health', '/a b', `/${'x'.repeat(1100)}`)),
    interval: optional(fc.integer({ min: 1, max: 400 }).map(s => Duration.seconds(s))),
    timeout: optional(fc.integer({ min: 1, max: 150 }).map(s => Duration.seconds(s))),
    healthyThresholdCount: optional(fc.oneof(fc.integer({ min: 0, max: 12 }), fc.double())),
    unhealthyThresholdCount: optional(fc.integer({ min: 0, max: 12 })),
    healthyHttpCodes: optional(fc.constantFrom('200', 'ok', '99', '500', '300-200', '200,')),
    healthyGrpcCodes: optional(fc.constant('12')),
    protocol: optional(fc.constantFrom(elbv2.Protocol.HTTP, elbv2.Protocol.TCP, elbv2.Protocol.TLS)),
    port: optional(fc.constantFrom('traffic-port', '8080', '0', 'eighty')),
    enabled: optional(fc.boolean()),
  }, { requiredKeys: [] });
  /** Listener rule conditions, as specs for `conditions()`: a path pattern, maybe a host and a header. */
  const conditionsArb = fc.record({
    path: fc.uniqueArray(fc.constantFrom('/*', '/api/*', '/v1/*'), { minLength: 1, maxLength: 2 }).map(values => ({ field: 'path', values })),
    host: optional(fc.constant({ field: 'host', values: ['shop.example.com'] })),
    header: optional(fc.constant({ field: 'header', values: ['x-team'] })),
  }).map(c => new Spec([c.path, c.host, c.header].filter(x => x !== undefined)));
  /** Conditions the load balancer refuses: none, too many values, two of one field, a source-ip the test rule sets too. */
  const wrongConditionsArb = fc.oneof(
    fc.constant([]),
    fc.array(fc.constantFrom('/*', '/api/*', '/v1/*'), { minLength: 2, maxLength: 6 }).map(paths => paths.map(p => ({ field: 'path', values: [p] }))),
    fc.constant([{ field: 'path', values: ['/*'] }, { field: 'source', values: ['192.0.2.0/24'] }]),
    fc.constant([{ field: 'header', values: ['x-a'] }, { field: 'header', values: ['x-a'] }]),
    fc.constant([{ field: 'path', values: ['/api/*', '/api/*'] }]),
  ).map(specs => new Spec(specs));
  const conditions = (given: unknown) => (given instanceof Spec ? given.value.map(({ field, values }: { field: string; values: string[] }) =>
    field === 'path' ? elbv2.ListenerCondition.pathPatterns(values)
      : field === 'host' ? elbv2.ListenerCondition.hostHeaders(values)
        : field === 'source' ? elbv2.ListenerCondition.sourceIps(values)
          : elbv2.ListenerCondition.httpHeader(values[0], ['yes'])) : given);
  const taskDefinitionArb = fc.oneof({ weight: 3, arbitrary: fc.constant('fargate') }, { weight: 1, arbitrary: fc.constant('ec2-bridge') });

  const propsArb = propsWithOdds(odd => fc.tuple(
    fc.boolean(), withHealthChecksArb(rolloutStrategyArb(odd, 2)), odd<unknown>(taskDefinitionArb, fc.oneof(fc.constant('ec2-none'), oddValueArb)),
    half(odd<unknown>(fc.constantFrom(9000, 8443), fc.oneof(fc.constantFrom(80, 8080, 0, 65536), fc.double()))),
  ).chain(([codeDeploy, strategy, taskDefinition, testPort]) => {
    /** Props only the native controller takes: CodeDeploy refuses them, so they are rare with it. */
    const nativeOnly = <T>(arb: fc.Arbitrary<T>) => (codeDeploy ? rarely(30, arb) : half(arb));
    /** Subnets and security groups: for tasks in the awsvpc network mode, refused with the bridge mode. */
    const awsvpcOnly = <T>(arb: fc.Arbitrary<T>) => (taskDefinition === 'fargate' ? half(arb) : rarely(20, arb));
    const testRoute = codeDeploy ? testPort !== undefined : strategy instanceof Strategy && strategy.testRoute !== undefined;
    return fc.record({
      controller: codeDeploy
        ? odd<unknown>(fc.record({
          testPort: fc.constant(testPort),
          deploymentGroupName: half(odd<unknown>(fc.stringMatching(/^[a-zA-Z0-9._-]{1,30}$/), fc.string())),
          application: half(odd<unknown>(fc.constant(REAL), fc.oneof(fc.constant('lambda'), oddValueArb))),
        }, { requiredKeys: [] }).map(options => new Spec(options)))
        : fc.constantFrom('NATIVE', undefined),
      // The listener that fits the controller: shared for native, dedicated for CodeDeploy.
      listener: odd<unknown>(fc.constant('fits'), fc.oneof(fc.constant('other'), oddValueArb)),
      strategy: fc.constant(strategy),
      taskDefinition: fc.constant(taskDefinition),
      priority: nativeOnly(odd<unknown>(fc.integer({ min: 1, max: 50_000 }), fc.oneof(fc.integer(), fc.double()))),
      testPriority: nativeOnly(odd<unknown>(fc.integer({ min: 1, max: 50_000 }), fc.oneof(fc.integer(), fc.double()))),
      conditions: nativeOnly(odd<unknown>(conditionsArb, fc.oneof(wrongConditionsArb, oddValueArb))),
      // Test sources go with a test route, and are refused without one.
      testRouteSources: testRoute
        ? half(odd<unknown>(fc.array(cidrArb, { minLength: 1, maxLength: 3 }),
          fc.oneof(fc.constant([]), fc.array(wrongCidrArb, { minLength: 1, maxLength: 2 }), oddValueArb)))
        : rarely(20, fc.constant(['10.0.0.0/8'])),
      containerName: half(odd<unknown>(fc.constant('web'), fc.oneof(fc.constant('sidecar'), fc.string(), oddValueArb))),
      containerPort: half(odd<unknown>(fc.constantFrom(80, 8080), fc.oneof(fc.integer(), oddValueArb))),
      desiredCount: half(odd<unknown>(fc.integer({ min: 0, max: 10 }), fc.oneof(fc.integer({ min: -3, max: -1 }), fc.double(), oddValueArb))),
      alarms: extraAlarmsArb(odd),
      healthChecks: healthChecksPropArb(odd),
      lifecycleHooks: nativeOnly(odd<unknown>(spec(fc.integer({ min: 0, max: 2 })),
        fc.oneof(fc.array(oddValueArb, { minLength: 1, maxLength: 2 }), oddValueArb))),
      infrastructureRole: nativeOnly(realArb(odd)),
      healthCheck: half(odd<unknown>(healthCheckArb, fc.oneof(wrongHealthCheckArb, oddValueArb))),
      vpcSubnets: awsvpcOnly(odd<unknown>(fc.constantFrom(ec2.SubnetType.PUBLIC, ec2.SubnetType.PRIVATE_ISOLATED).map(subnetType => ({ subnetType })),
        fc.oneof(fc.constant({ subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS }), oddValueArb))),
      securityGroups: awsvpcOnly(odd<unknown>(spec(fc.integer({ min: 0, max: 2 })))),
    });
  }), 15);

  /** The construct's props for a case, built in the case's own stack. */
  function build(p: any) {
    const base = setup();
    const { stack, vpc, cluster } = base;
    const options = p.controller instanceof Spec ? p.controller.value : undefined;
    const controller = p.controller === 'NATIVE' ? EcsController.NATIVE
      : options ? EcsController.codeDeploy({
        ...options,
        application: options.application === 'lambda' ? new codedeploy.LambdaApplication(stack, 'LambdaApp')
          : real(options.application, () => new codedeploy.EcsApplication(stack, 'App')),
      })
        : p.controller;
    const codeDeploy = controller instanceof EcsController && controller.kind === EcsControllerKind.CODE_DEPLOY;
    const dedicated = () => (base.listener.loadBalancer as elbv2.ApplicationLoadBalancer).addListener('Dedicated', { port: 8080, open: false });
    const listener = p.listener === 'fits' || p.listener === 'other'
      ? ((p.listener === 'fits') === codeDeploy ? dedicated() : base.listener)
      : p.listener;
    let taskDefinition: unknown = p.taskDefinition;
    if (p.taskDefinition === 'fargate') {
      taskDefinition = base.taskDefinition;
      base.taskDefinition.defaultContainer!.addPortMappings({ containerPort: 8080 });
      base.taskDefinition.addContainer('sidecar', { image, essential: false });
    } else if (p.taskDefinition === 'ec2-bridge' || p.taskDefinition === 'ec2-none') {
      const ec2Task = new ecs.Ec2TaskDefinition(stack, 'Ec2Task', {
        networkMode: p.taskDefinition === 'ec2-bridge' ? ecs.NetworkMode.BRIDGE : ecs.NetworkMode.NONE,
      });
      ec2Task.addContainer('web', { image, memoryLimitMiB: 256, portMappings: p.taskDefinition === 'ec2-bridge' ? [{ containerPort: 80 }, { containerPort: 8080 }] : [] });
      ec2Task.addContainer('sidecar', { image, memoryLimitMiB: 128, essential: false });
      cluster.addCapacity('Capacity', { instanceType: new ec2.InstanceType('t3.micro'), vpcSubnets: { subnetType: ec2.SubnetType.PUBLIC } });
      taskDefinition = ec2Task;
    }
    const hook = (i: number) => new ecs.DeploymentLifecycleLambdaTarget(new lambda.Function(stack, `Hook${i}`, {
      runtime: lambda.Runtime.NODEJS_22_X, handler: 'index.handler', code: lambda.Code.fromInline('exports.handler = async () => {};'),
    }), `Hook${i}`, { lifecycleStages: [ecs.DeploymentLifecycleStage.POST_TEST_TRAFFIC_SHIFT] });
    const construct = new EcsRolloutService(stack, 'Web', {
      cluster,
      taskDefinition: taskDefinition as ecs.TaskDefinition,
      listener: listener as elbv2.ApplicationListener,
      strategy: p.strategy,
      controller,
      priority: p.priority,
      testPriority: p.testPriority,
      conditions: conditions(p.conditions) as elbv2.ListenerCondition[],
      testRouteSources: p.testRouteSources,
      containerName: p.containerName,
      containerPort: p.containerPort,
      desiredCount: p.desiredCount,
      alarms: extraAlarms(stack, p.alarms) as cloudwatch.IAlarm[],
      healthChecks: healthChecksProp(stack, p.healthChecks) as HealthCheck[],
      lifecycleHooks: p.lifecycleHooks instanceof Spec ? Array.from({ length: p.lifecycleHooks.value }, (_, i) => hook(i)) : p.lifecycleHooks,
      infrastructureRole: real(p.infrastructureRole, () => new iam.Role(stack, 'InfraRole', { assumedBy: new iam.ServicePrincipal('ecs.amazonaws.com') })),
      healthCheck: p.healthCheck,
      vpcSubnets: p.vpcSubnets,
      securityGroups: p.securityGroups instanceof Spec
        ? Array.from({ length: p.securityGroups.value }, (_, i) => new ec2.SecurityGroup(stack, `Sg${i}`, { vpc })) : p.securityGroups,
    });
    return { stack, construct, codeDeploy };
  }

  const ecsStrategy: Record<string, string> = { ALL_AT_ONCE: 'ROLLING', BLUE_GREEN: 'BLUE_GREEN', CANARY: 'CANARY', LINEAR: 'LINEAR' };

  test('either synthesize a valid, clean service and rollout or refuse with the library error', () => {
    expectBuildsOrRefuses(propsArb, p => {
      const { stack, construct, codeDeploy } = build(p);
      const template = validatedTemplate(stack);
      expectCleanAssembly(stack.node.root as App);
      // Each health check's alarms: on blue and on green, or the user's own once.
      const generated = healthCheckAlarmCount(construct.plan.healthChecks, 2);
      template.resourceCountIs('AWS::ElasticLoadBalancingV2::TargetGroup', 2);
      // One load balancer: each of its listeners on a port of its own.
      const ports = Object.values(template.findResources('AWS::ElasticLoadBalancingV2::Listener')).map(l => l.Properties.Port);
      expect(new Set(ports).size).toBe(ports.length);
      const ecsService = Object.values(template.findResources('AWS::ECS::Service'))[0].Properties;
      if (codeDeploy) {
        expect(ecsService.DeploymentController).toEqual({ Type: 'CODE_DEPLOY' });
        const group = Object.values(template.findResources('AWS::CodeDeploy::DeploymentGroup'))[0].Properties;
        expect(group.AlarmConfiguration?.Alarms ?? []).toHaveLength(generated + extraAlarmCount(p.alarms));
      } else {
        expect(ecsService.DeploymentConfiguration.Strategy).toBe(ecsStrategy[construct.plan.strategy.kind]);
        expect(ecsService.DeploymentConfiguration.Alarms?.AlarmNames ?? []).toHaveLength(generated + extraAlarmCount(p.alarms));
        template.resourceCountIs('AWS::ElasticLoadBalancingV2::ListenerRule', construct.plan.strategy.testRoute ? 2 : 1);
      }
    }, { quickRuns: 25 });
  });
});
