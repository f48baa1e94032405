import { App, Duration, Stack } from 'aws-cdk-lib';
import { Annotations, Match as CfnMatch } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as fc from 'fast-check';
import { aws, CapacityMode, guardrails, HealthCheck, Match, StepGate, Strategy } from '../../src';
import { EcsNativeRollout, EcsNativeRolloutProps } from '../../src/aws/ecs-native-rollout';
import { PLAN_METADATA_TYPE } from '../../src/aws/private/plan-metadata';
import { oddValueArb } from '../support/arbitraries';
import { testApp, validatedTemplate } from '../support/cfn';
import { AT, findings } from '../support/guardrails';
import { expectBuildsOrRefuses, expectCleanAssembly } from '../support/properties';
import {
  extraAlarmCount, extraAlarms, extraAlarmsArb, healthCheckAlarmCount, healthChecksProp, healthChecksPropArb, propsWithOdds, real, REAL, realArb,
  rolloutStrategyArb, Spec, spec, withHealthChecksArb,
} from '../support/rollout-arbitraries';
import { expectValidationError } from '../support/validation-error';

const image = ecs.ContainerImage.fromRegistry('public.ecr.aws/nginx/nginx:stable');
const ref = (id: string) => ({ Ref: CfnMatch.stringLikeRegexp(`^${id}`) });
const where = 'EcsNativeRollout Stack/Rollout';
const headerRoute = Strategy.blueGreen({ testRoute: Match.header('x-env', 'green') });

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

interface UserSetup {
  readonly testRoute?: boolean;
  readonly service?: Partial<ecs.FargateServiceProps>;
}

/** What a user has: a Fargate service, blue and green target groups, a production rule and, optionally, a test rule. */
function userApp(options: UserSetup = {}) {
  const base = setup();
  const { stack, vpc, cluster, listener, taskDefinition } = base;
  const service = new ecs.FargateService(stack, 'Service', {
    cluster, taskDefinition, minHealthyPercent: 100, maxHealthyPercent: 200, ...options.service,
  });
  const group = (id: string) => new elbv2.ApplicationTargetGroup(stack, id, {
    vpc, port: 80, protocol: elbv2.ApplicationProtocol.HTTP, targetType: elbv2.TargetType.IP,
  });
  const blue = group('Blue');
  const green = group('Green');
  const productionRule = new elbv2.ApplicationListenerRule(stack, 'ProductionRule', {
    listener,
    priority: 10,
    conditions: [elbv2.ListenerCondition.pathPatterns(['/*'])],
    action: elbv2.ListenerAction.weightedForward([{ targetGroup: blue, weight: 100 }, { targetGroup: green, weight: 0 }]),
  });
  const testRule = options.testRoute ? new elbv2.ApplicationListenerRule(stack, 'TestRule', {
    listener,
    priority: 9,
    conditions: [
      elbv2.ListenerCondition.pathPatterns(['/*']),
      elbv2.ListenerCondition.httpHeader('x-env', ['green']),
      elbv2.ListenerCondition.sourceIps(['10.0.0.0/8']),
    ],
    action: elbv2.ListenerAction.weightedForward([{ targetGroup: blue, weight: 0 }, { targetGroup: green, weight: 100 }]),
  }) : undefined;
  return { ...base, service, blue, green, productionRule, testRule };
}

function rollout(strategy: Strategy, props: Partial<EcsNativeRolloutProps> = {}, options: UserSetup = {}) {
  const user = userApp({ testRoute: strategy instanceof Strategy && strategy.testRoute !== undefined, ...options });
  const construct = new EcsNativeRollout(user.stack, 'Rollout', {
    service: user.service,
    strategy,
    blueTargetGroup: user.blue,
    greenTargetGroup: user.green,
    productionRule: user.productionRule,
    testRule: user.testRule,
    ...props,
  });
  return { ...user, construct };
}

describe('on the user\'s service', () => {
  test('aws-cdk-lib\'s advice to enable a circuit breaker is acknowledged, since the rollout enables one', () => {
    const { stack } = rollout(Strategy.BLUE_GREEN);
    const annotations = Annotations.fromStack(stack);
    annotations.hasNoWarning('*', CfnMatch.stringLikeRegexp('circuitBreaker'));
    validatedTemplate(stack).hasResourceProperties('AWS::ECS::Service', {
      DeploymentConfiguration: CfnMatch.objectLike({ DeploymentCircuitBreaker: { Enable: true, Rollback: true } }),
    });
  });

  test('blue-green: blue registered with green as alternate behind the production and test rules', () => {
    const { stack, construct } = rollout(headerRoute);
    validatedTemplate(stack).hasResourceProperties('AWS::ECS::Service', {
      DeploymentConfiguration: CfnMatch.objectLike({
        Strategy: 'BLUE_GREEN',
        BakeTimeInMinutes: 5,
        DeploymentCircuitBreaker: { Enable: true, Rollback: true },
        MinimumHealthyPercent: 100,
        MaximumPercent: 200,
        Alarms: {
          Enable: true,
          Rollback: true,
          AlarmNames: [ref('RolloutBlueAlarmserrorrate'), ref('RolloutGreenAlarmserrorrate'), ref('RolloutBlueAlarmslatencyp99'), ref('RolloutGreenAlarmslatencyp99')],
        },
      }),
      LoadBalancers: [{
        ContainerName: 'web',
        ContainerPort: 80,
        TargetGroupArn: ref('Blue'),
        AdvancedConfiguration: {
          AlternateTargetGroupArn: ref('Green'),
          ProductionListenerRule: ref('ProductionRule'),
          TestListenerRule: ref('TestRule'),
          RoleArn: { 'Fn::GetAtt': [CfnMatch.stringLikeRegexp('^ServiceAlternateTargetRole'), 'Arn'] },
        },
      }],
    });
    expect(construct.plan.capacity).toBe(CapacityMode.FULL_COPY);
    expect([construct.containerName, construct.containerPort]).toEqual(['web', 80]);
    expect(construct.blueAlarms.alarms).toHaveLength(2);
    expect(construct.greenAlarms.alarms).toHaveLength(2);
    expect(construct.healthCheckAlarms).toEqual([
      construct.blueAlarms.alarmFor('error-rate'), construct.greenAlarms.alarmFor('error-rate'),
      construct.blueAlarms.alarmFor('latency-p99'), construct.greenAlarms.alarmFor('latency-p99'),
    ]);
  });

  test('strategy settings the service had are replaced; its own capacity settings stay', () => {
    const { stack } = rollout(Strategy.blueGreen({ bakeTime: Duration.minutes(2) }), {}, {
      service: {
        minHealthyPercent: 50,
        maxHealthyPercent: 150,
        deploymentStrategy: ecs.DeploymentStrategy.CANARY,
        canaryConfiguration: { stepPercent: 5, stepBakeTime: Duration.minutes(1) },
        circuitBreaker: { enable: true, rollback: false },
      },
    });
    validatedTemplate(stack).hasResourceProperties('AWS::ECS::Service', {
      DeploymentConfiguration: CfnMatch.objectLike({
        Strategy: 'BLUE_GREEN',
        BakeTimeInMinutes: 2,
        CanaryConfiguration: CfnMatch.absent(),
        DeploymentCircuitBreaker: { Enable: true, Rollback: true },
        MinimumHealthyPercent: 50,
        MaximumPercent: 150,
      }),
    });
  });

  test('all at once: a rolling update on blue only, an in-place plan', () => {
    const { stack, construct } = rollout(Strategy.ALL_AT_ONCE);
    validatedTemplate(stack).hasResourceProperties('AWS::ECS::Service', {
      DeploymentConfiguration: CfnMatch.objectLike({ Strategy: 'ROLLING', BakeTimeInMinutes: CfnMatch.absent() }),
      LoadBalancers: [{ ContainerName: 'web', ContainerPort: 80, TargetGroupArn: ref('Blue') }],
    });
    expect(construct.plan.capacity).toBe(CapacityMode.IN_PLACE);
  });

  test('records its traffic plan', () => {
    const { construct } = rollout(Strategy.CANARY_10PERCENT_15MINUTES);
    const entry = construct.node.metadata.find(m => m.type === PLAN_METADATA_TYPE)!;
    expect(entry.data.controller).toBe('native ECS deployment');
    expect(entry.data.table).toBe(construct.plan.toTable());
  });

  test('container and port can be chosen', () => {
    const user = userApp();
    user.taskDefinition.addContainer('api', { image, portMappings: [{ containerPort: 8080 }, { containerPort: 9090 }], essential: false });
    const construct = new EcsNativeRollout(user.stack, 'Rollout', {
      service: user.service,
      strategy: Strategy.BLUE_GREEN,
      blueTargetGroup: user.blue,
      greenTargetGroup: user.green,
      productionRule: user.productionRule,
      containerName: 'api',
      containerPort: 9090,
    });
    validatedTemplate(user.stack).hasResourceProperties('AWS::ECS::Service', {
      LoadBalancers: [CfnMatch.objectLike({ ContainerName: 'api', ContainerPort: 9090 })],
    });
    expect([construct.containerName, construct.containerPort]).toEqual(['api', 9090]);
  });

  test('alarms from props and addAlarm() are added once each, after the health checks\' alarms', () => {
    const user = userApp();
    const alarm = (id: string) => cloudwatch.Alarm.fromAlarmArn(user.stack, id, `arn:aws:cloudwatch:us-east-1:123456789012:alarm:${id.toLowerCase()}`);
    const fromProps = alarm('Errors');
    const construct = new EcsNativeRollout(user.stack, 'Rollout', {
      service: user.service,
      strategy: Strategy.BLUE_GREEN,
      blueTargetGroup: user.blue,
      greenTargetGroup: user.green,
      productionRule: user.productionRule,
      alarms: [fromProps],
      healthChecks: [HealthCheck.errorRate({ maxErrorPercent: 1, failingWindows: 1 })],
    });
    construct.addAlarm(alarm('Latency'));
    construct.addAlarm(fromProps);
    const template = validatedTemplate(user.stack);
    template.hasResourceProperties('AWS::ECS::Service', {
      DeploymentConfiguration: CfnMatch.objectLike({
        Alarms: CfnMatch.objectLike({ AlarmNames: [CfnMatch.anyValue(), CfnMatch.anyValue(), 'errors', 'latency'] }),
      }),
    });
    template.allResourcesProperties('AWS::CloudWatch::Alarm', { EvaluationPeriods: 1 });
  });

  test('lifecycle hooks from props and addLifecycleHook() run at their stages', () => {
    const user = userApp();
    const hook = (id: string) => new lambda.Function(user.stack, id, {
      runtime: lambda.Runtime.NODEJS_22_X, handler: 'index.handler', code: lambda.Code.fromInline('exports.handler = async () => ({ hookStatus: "SUCCEEDED" });'),
    });
    const construct = new EcsNativeRollout(user.stack, 'Rollout', {
      service: user.service,
      strategy: Strategy.BLUE_GREEN,
      blueTargetGroup: user.blue,
      greenTargetGroup: user.green,
      productionRule: user.productionRule,
      lifecycleHooks: [new ecs.DeploymentLifecycleLambdaTarget(hook('Smoke'), 'Smoke', { lifecycleStages: [ecs.DeploymentLifecycleStage.POST_TEST_TRAFFIC_SHIFT] })],
    });
    construct.addLifecycleHook(new ecs.DeploymentLifecycleLambdaTarget(hook('Check'), 'Check', { lifecycleStages: [ecs.DeploymentLifecycleStage.POST_PRODUCTION_TRAFFIC_SHIFT] }));
    validatedTemplate(user.stack).hasResourceProperties('AWS::ECS::Service', {
      DeploymentConfiguration: CfnMatch.objectLike({
        Strategy: 'BLUE_GREEN',
        LifecycleHooks: [
          CfnMatch.objectLike({ HookTargetArn: { 'Fn::GetAtt': [CfnMatch.stringLikeRegexp('^Smoke'), 'Arn'] }, LifecycleStages: ['POST_TEST_TRAFFIC_SHIFT'] }),
          CfnMatch.objectLike({ HookTargetArn: { 'Fn::GetAtt': [CfnMatch.stringLikeRegexp('^Check'), 'Arn'] }, LifecycleStages: ['POST_PRODUCTION_TRAFFIC_SHIFT'] }),
        ],
      }),
    });
  });
});

describe('manual approvals: a PAUSE lifecycle hook', () => {
  const approval = (hours: number) => StepGate.manualApproval({ timeout: Duration.hours(hours) });
  const pause = (minutes: number) => ({ TargetType: 'PAUSE', LifecycleStages: ['POST_TEST_TRAFFIC_SHIFT'], TimeoutConfiguration: { TimeoutInMinutes: minutes, Action: 'ROLLBACK' } });

  test('blue-green: the promotion pauses after the test traffic shift, and rolls back when it times out', () => {
    const { stack, construct } = rollout(Strategy.blueGreen({ testRoute: Match.header('x-env', 'green'), promotion: approval(4) }));
    validatedTemplate(stack).hasResourceProperties('AWS::ECS::Service', {
      DeploymentConfiguration: CfnMatch.objectLike({ Strategy: 'BLUE_GREEN', BakeTimeInMinutes: 5, LifecycleHooks: [pause(240)] }),
    });
    expect(construct.approvalStage).toBe('POST_TEST_TRAFFIC_SHIFT');
  });

  test('a canary with a test route: the test gate pauses before the canary step, beside the Lambda hooks', () => {
    const strategy = Strategy.canary({
      testRoute: Match.header('x-qa', '1'), testGate: approval(2), steps: [{ weight: 10, gate: StepGate.bake(Duration.minutes(10)) }],
    });
    const user = userApp({ testRoute: true });
    const hook = new lambda.Function(user.stack, 'Smoke', {
      runtime: lambda.Runtime.NODEJS_22_X, handler: 'index.handler', code: lambda.Code.fromInline('exports.handler = async () => ({ hookStatus: "SUCCEEDED" });'),
    });
    const construct = new EcsNativeRollout(user.stack, 'Rollout', {
      service: user.service,
      strategy,
      blueTargetGroup: user.blue,
      greenTargetGroup: user.green,
      productionRule: user.productionRule,
      testRule: user.testRule,
      lifecycleHooks: [new ecs.DeploymentLifecycleLambdaTarget(hook, 'Smoke', { lifecycleStages: [ecs.DeploymentLifecycleStage.TEST_TRAFFIC_SHIFT] })],
    });
    validatedTemplate(user.stack).hasResourceProperties('AWS::ECS::Service', {
      DeploymentConfiguration: CfnMatch.objectLike({
        Strategy: 'CANARY',
        CanaryConfiguration: { CanaryPercent: 10, CanaryBakeTimeInMinutes: 10 },
        BakeTimeInMinutes: 0,
        LifecycleHooks: [
          CfnMatch.objectLike({ HookTargetArn: { 'Fn::GetAtt': [CfnMatch.stringLikeRegexp('^Smoke'), 'Arn'] }, LifecycleStages: ['TEST_TRAFFIC_SHIFT'] }),
          pause(120),
        ],
      }),
      LoadBalancers: [CfnMatch.objectLike({ AdvancedConfiguration: CfnMatch.objectLike({ TestListenerRule: ref('TestRule') }) })],
    });
    expect(construct.plan.steps.map(s => s.candidateWeight)).toEqual([0, 10, 100]);
    expect(construct.plan.steps[0].gate?.describe()).toBe('manual approval (timeout 2h)');
  });

  test('a linear strategy with a test route and no test gate: the test phase needs no hook', () => {
    const { stack, construct } = rollout(Strategy.linear({ stepPercent: 20, interval: Duration.minutes(2), testRoute: Match.header('x-qa', '1') }));
    validatedTemplate(stack).hasResourceProperties('AWS::ECS::Service', {
      DeploymentConfiguration: CfnMatch.objectLike({
        Strategy: 'LINEAR', LinearConfiguration: { StepPercent: 20, StepBakeTimeInMinutes: 2 }, LifecycleHooks: CfnMatch.absent(),
      }),
    });
    expect(construct.approvalStage).toBeUndefined();
  });

  test.each([
    ['a test gate that is a bake', Strategy.canary({ testRoute: Match.header('x-qa', '1'), testGate: StepGate.bake(Duration.minutes(5)), steps: [{ weight: 10, gate: StepGate.bake(Duration.minutes(5)) }] }),
      'native ECS deployments hold the first shift only for a manual approval (a PAUSE lifecycle hook at POST_TEST_TRAFFIC_SHIFT), not for a time (bake 5m). Use StepGate.manualApproval({ timeout }); or run the check in a Lambda lifecycle hook at TEST_TRAFFIC_SHIFT or POST_TEST_TRAFFIC_SHIFT (lifecycleHooks); or bake after traffic moves, while alarms can roll back.'],
    ['a promotion that is an analysis', Strategy.blueGreen({ promotion: StepGate.analysis({ name: 'smoke', duration: Duration.minutes(5) }) }),
      'native ECS deployments hold the switch only for a manual approval (a PAUSE lifecycle hook at POST_TEST_TRAFFIC_SHIFT), not for an analysis (analysis smoke 5m). Use StepGate.manualApproval({ timeout }); or run the check in a Lambda lifecycle hook at TEST_TRAFFIC_SHIFT or POST_TEST_TRAFFIC_SHIFT (lifecycleHooks); or bake after traffic moves, while alarms can roll back.'],
    ['an approval of a canary step', Strategy.canary({ steps: [{ weight: 10, gate: approval(1) }] }),
      'native ECS deployments pause for a manual approval only before production traffic moves (a PAUSE lifecycle hook at POST_TEST_TRAFFIC_SHIFT); a hook at PRODUCTION_TRAFFIC_SHIFT runs at every shift of a canary or linear deployment, so none can hold the rollout between shifts (manual approval (timeout 1h)). Hold the test phase for the approval instead (a testRoute with testGate: StepGate.manualApproval({ timeout })), bake this step with StepGate.bake() and alarms that roll back, or use a Kubernetes Argo Rollouts provider for approvals between steps.'],
    ['an approval timeout that is not whole minutes', Strategy.blueGreen({ promotion: StepGate.manualApproval({ timeout: Duration.seconds(90) }) }),
      'native ECS deployments count a PAUSE hook\'s timeout in whole minutes, and manual approval (timeout 1m 30s) is not. Round the timeout to whole minutes.'],
    ['an approval that could outlast CloudFormation\'s wait', Strategy.blueGreen({ promotion: approval(30), bakeTime: Duration.hours(4) }),
      'the rollout can take 1d 10h (4h of bake times, then the approval\'s timeout of 1d 6h), and CloudFormation waits for an ECS deployment at most 36 hours, so the library keeps one under 33. Shorten the approval\'s timeout or the bake times, or start the rollout from a pipeline (ECS UpdateService) instead of a CloudFormation update.'],
  ])('refuses %s', (_, strategy, limit) => {
    expectValidationError(() => rollout(strategy), `${where}: strategy is "${strategy.describe()}": ${limit}`);
  });
});

describe('the service\'s dependencies on the listener rules', () => {
  const dependsOn = (stack: Stack) => {
    const services = validatedTemplate(stack).findResources('AWS::ECS::Service');
    const value = Object.values(services)[0].DependsOn ?? [];
    return (Array.isArray(value) ? value : [value]).map((id: string) => id.replace(/[0-9A-F]{8}$/, ''));
  };

  test('with an alternate target the service references its rules, so no DependsOn repeats them (W3005)', () => {
    const { stack } = rollout(headerRoute);
    expect(dependsOn(stack)).not.toContain('ProductionRule');
    expect(dependsOn(stack)).not.toContain('TestRule');
  });

  test('a rolling update references no rule, so the service keeps waiting for its target group\'s rule', () => {
    const { stack } = rollout(Strategy.ALL_AT_ONCE);
    expect(dependsOn(stack)).toContain('ProductionRule');
  });

  test('a rule of the blue target group that the service does not reference stays a dependency', () => {
    const user = userApp();
    new elbv2.ApplicationListenerRule(user.stack, 'Extra', {
      listener: user.listener, priority: 20, conditions: [elbv2.ListenerCondition.hostHeaders(['blue.example.com'])], action: elbv2.ListenerAction.forward([user.blue]),
    });
    new EcsNativeRollout(user.stack, 'Rollout', {
      service: user.service,
      strategy: Strategy.BLUE_GREEN,
      blueTargetGroup: user.blue,
      greenTargetGroup: user.green,
      productionRule: user.productionRule,
    });
    expect(dependsOn(user.stack)).toEqual(expect.arrayContaining(['Extra']));
    expect(dependsOn(user.stack)).not.toContain('ProductionRule');
  });
});

describe('health checks', () => {
  const coverage = guardrails.GuardrailPack.recommended({ at: AT }).withRule(new guardrails.HealthCheckCoverageRule());
  const errorRate = HealthCheck.errorRate({ maxErrorPercent: 0.5, failingWindows: 3 });
  const p95 = HealthCheck.latency({ percentile: 95, maxLatency: Duration.millis(300) });

  test('the strategy\'s checks are measured on both target groups and feed the deployment alarms; the plan lists them', () => {
    const { stack, construct } = rollout(Strategy.CANARY_10PERCENT_15MINUTES.withHealthChecks([errorRate, p95]));
    const template = validatedTemplate(stack);
    template.resourceCountIs('AWS::CloudWatch::Alarm', 4);
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Threshold: 0.5,
      EvaluationPeriods: 3,
      DatapointsToAlarm: 3,
      ComparisonOperator: 'GreaterThanThreshold',
      TreatMissingData: 'missing',
      Metrics: CfnMatch.arrayWith([CfnMatch.objectLike({ Expression: 'IF(requests >= 10, 100 * errors / requests)' })]),
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Threshold: 0.3, Metrics: CfnMatch.arrayWith([CfnMatch.objectLike({ Id: 'latency', MetricStat: CfnMatch.objectLike({ Stat: 'p95' }) })]),
    });
    template.hasResourceProperties('AWS::ECS::Service', {
      DeploymentConfiguration: CfnMatch.objectLike({
        Alarms: { Enable: true, Rollback: true, AlarmNames: [ref('RolloutBlueAlarmserrorrate'), ref('RolloutGreenAlarmserrorrate'), ref('RolloutBlueAlarmslatencyp95'), ref('RolloutGreenAlarmslatencyp95')] },
      }),
    });
    expect(construct.plan.healthChecks).toEqual([errorRate, p95]);
    expect(construct.plan.steps[0].watchedBy).toEqual(['error-rate', 'latency-p95']);
  });

  test('the rollout\'s own replace the strategy\'s; [] leaves the circuit breaker and the alarms added', () => {
    const own = rollout(Strategy.CANARY_10PERCENT_15MINUTES.withHealthChecks([errorRate]), { healthChecks: [p95] });
    expect(own.construct.plan.healthChecks).toEqual([p95]);
    expect(own.construct.healthCheckAlarms).toHaveLength(2);
    const none = rollout(Strategy.CANARY_10PERCENT_15MINUTES, { healthChecks: [] });
    const template = validatedTemplate(none.stack);
    template.resourceCountIs('AWS::CloudWatch::Alarm', 0);
    template.hasResourceProperties('AWS::ECS::Service', {
      DeploymentConfiguration: CfnMatch.objectLike({ Alarms: CfnMatch.absent(), DeploymentCircuitBreaker: { Enable: true, Rollback: true } }),
    });
    expect(none.construct.plan.healthChecks).toEqual([]);
  });

  test('addHealthCheck(): measured on both target groups, in the plan, the recorded plan and the guardrails\' facts', () => {
    const { stack, construct } = rollout(Strategy.CANARY_10PERCENT_15MINUTES);
    const backlog = aws.CloudWatchHealthCheck.metric({
      name: 'backlog', metric: new cloudwatch.Metric({ namespace: 'Shop', metricName: 'Backlog', period: Duration.minutes(1) }), threshold: 100,
    });
    construct.addHealthCheck(p95);
    construct.addHealthCheck(backlog);
    expect(construct.blueAlarms.alarmFor('latency-p95')).toBeDefined();
    expect(construct.greenAlarms.alarmFor('latency-p95')).toBeDefined();
    expect(construct.node.tryFindChild('backlog')).toBeInstanceOf(cloudwatch.Alarm);
    expect(construct.plan.healthChecks.map(c => c.name)).toEqual(['error-rate', 'latency-p99', 'latency-p95', 'backlog']);
    const template = validatedTemplate(stack);
    const names = Object.values(template.findResources('AWS::ECS::Service'))[0].Properties.DeploymentConfiguration.Alarms.AlarmNames;
    expect(names).toHaveLength(7);
    const [recorded] = (stack.node.root as App).synth().getStackByName('Stack').findMetadataByType(PLAN_METADATA_TYPE);
    expect((recorded.data as any).plan.healthChecks.map((c: any) => c.name)).toEqual(['error-rate', 'latency-p99', 'latency-p95', 'backlog']);
    expect((recorded.data as any).table).toContain('latency-p95: p95 above 300ms for 2 windows of 1m (10+ requests)');
    expect(findings(stack, 'CDS-R8', coverage)).toEqual([]);
  });

  test('addHealthCheck() refuses a name taken and a check ECS cannot measure', () => {
    const { construct } = rollout(Strategy.CANARY_10PERCENT_15MINUTES);
    expectValidationError(() => construct.addHealthCheck(HealthCheck.errorRate({ maxErrorPercent: 5 })),
      `${where}: healthCheck name is "error-rate": a health check of this name already watches it, and a name picks one alarm. Give the check another name with its name option, such as "latency-p99-strict".`);
    expectValidationError(() => construct.addHealthCheck(HealthCheck.prometheus({ name: 'q', query: 'up', minValue: 1 })),
      `${where}: health check "q" is "query below 1": native ECS deployment measures health checks with CloudWatch alarms, and a PromQL query is measured only by Kubernetes backends with a Prometheus metrics source. `
      + 'Give this rollout its own healthChecks without it, or measure the same signal in CloudWatch with aws.CloudWatchHealthCheck.metric().');
  });

  test('the guardrails count the health checks as a rollback trigger (CDS-R1) and as measuring the rollout (CDS-R8)', () => {
    const measured = rollout(Strategy.CANARY_10PERCENT_15MINUTES);
    expect(findings(measured.stack, 'CDS-R1', coverage)).toEqual([]);
    expect(findings(measured.stack, 'CDS-R8', coverage)).toEqual([]);
    const bare = rollout(Strategy.CANARY_10PERCENT_15MINUTES, { healthChecks: [] });
    expect(findings(bare.stack, 'CDS-R8', coverage)).toEqual([
      'Stack/Rollout: canary 10% (bake 15m) → 100% on native ECS deployment: nothing measures the new version (no health check is declared)',
    ]);
  });
});

describe('errors', () => {
  test.each([
    ['the CODE_DEPLOY controller', ecs.DeploymentControllerType.CODE_DEPLOY, '"CODE_DEPLOY"'],
    ['the EXTERNAL controller', ecs.DeploymentControllerType.EXTERNAL, '"EXTERNAL"'],
  ])('refuses a service with %s', (_, type, shown) => {
    expectValidationError(() => rollout(Strategy.BLUE_GREEN, {}, { service: { deploymentController: { type } } }),
      `${where}: service.deploymentController is ${shown}: native ECS deployments need the ECS deployment controller. Leave deploymentController out (or use DeploymentControllerType.ECS); for the CODE_DEPLOY controller use EcsCodeDeployRollout.`);
  });

  test('accepts a service with the ECS controller named explicitly', () => {
    const { stack } = rollout(Strategy.BLUE_GREEN, {}, { service: { deploymentController: { type: ecs.DeploymentControllerType.ECS } } });
    validatedTemplate(stack).hasResourceProperties('AWS::ECS::Service', { DeploymentController: { Type: 'ECS' } });
  });

  test('refuses a test route without a test rule, and a test rule without a test route', () => {
    expectValidationError(() => rollout(headerRoute, {}, { testRoute: false }),
      `${where}: testRule is undefined: the strategy has a test route (header x-env=green), and ECS sends test traffic through a test listener rule. Build a listener rule with the test route as a condition, forwarding to green (weight 100), and pass it as testRule.`);
    expectValidationError(() => rollout(Strategy.BLUE_GREEN, {}, { testRoute: true }),
      `${where}: testRule is "Stack/TestRule": the strategy (blue-green (bake 5m)) has no test route, so nothing declares which requests the test rule sends to green. Add the test route to the strategy, such as Strategy.blueGreen({ testRoute: Match.header("x-env", "green") }), or leave testRule out.`);
  });

  test.each([
    ['a strategy that is not a Strategy', { strategy: 'blue-green' as any },
      `${where}: strategy is "blue-green": a rollout needs a Strategy. Pass a Strategy, for example Strategy.BLUE_GREEN.`],
    ['a service that is not a BaseService', { service: {} as any },
      `${where}: service is an object: it must be an ecs.BaseService, whose deployment configuration the construct sets. Pass the FargateService or Ec2Service defined in this app.`],
    ['a blue target group that is not one', { blueTargetGroup: 'blue' as any },
      `${where}: blueTargetGroup is "blue": it must be an application target group. Pass an elbv2.ApplicationTargetGroup.`],
    ['a production rule that is not one', { productionRule: undefined as any },
      `${where}: productionRule is undefined: it must be an elbv2.ApplicationListenerRule, whose weights ECS rewrites. Pass a rule defined in this app that forwards to both target groups with ListenerAction.weightedForward().`],
    ['an unknown container', { containerName: 'api' },
      `${where}: containerName is "api": the task definition has no container of this name. Use one of: "web".`],
    ['an unmapped port', { containerPort: 8080 },
      `${where}: containerPort is 8080: container "web" does not map this port. Use a mapped port (80), or add a port mapping for it.`],
    ['an alarm that is not one', { alarms: [undefined as any] },
      `${where}: alarms[0] is undefined: it must be a CloudWatch alarm. Pass a cloudwatch.Alarm, or one imported with Alarm.fromAlarmArn().`],
    ['a lifecycle hook that is not one', { lifecycleHooks: [undefined as any] },
      `${where}: lifecycleHooks[0] is undefined: it must be a lifecycle hook target. Use new ecs.DeploymentLifecycleLambdaTarget(fn, id, { lifecycleStages }).`],
    ['health checks that are not a list', { healthChecks: HealthCheck.errorRate({ maxErrorPercent: 1 }) as any },
      `${where}: healthChecks is a HealthCheck: it must be an array of health checks. Pass checks such as [HealthCheck.errorRate({ maxErrorPercent: 1 })], or [] for none.`],
    ['a health check no AWS backend measures', { healthChecks: [HealthCheck.prometheus({ name: 'queue-depth', query: 'sum(queue_depth)', maxValue: 100 })] },
      `${where}: health check "queue-depth" is "query above 100": native ECS deployment measures health checks with CloudWatch alarms, and a PromQL query is measured only by Kubernetes backends with a Prometheus metrics source. `
      + 'Give this rollout its own healthChecks without it, or measure the same signal in CloudWatch with aws.CloudWatchHealthCheck.metric().'],
    ['a window shorter than load balancer metrics', { healthChecks: [HealthCheck.latency({ percentile: 99, maxLatency: Duration.seconds(1), window: Duration.seconds(30) })] },
      `${where}: health check "latency-p99" window is 30 seconds: Application Load Balancers publish metrics once a minute, so CloudWatch judges them in windows of whole minutes. Use a window of whole minutes, such as Duration.minutes(1).`],
  ])('refuses %s', (_, props: Partial<EcsNativeRolloutProps>, message) => {
    expectValidationError(() => rollout(props.strategy ?? Strategy.BLUE_GREEN, props), message);
  });

  test('refuses the same target group as blue and green', () => {
    const user = userApp();
    expectValidationError(() => new EcsNativeRollout(user.stack, 'Rollout', {
      service: user.service,
      strategy: Strategy.BLUE_GREEN,
      blueTargetGroup: user.blue,
      greenTargetGroup: user.blue,
      productionRule: user.productionRule,
    }), `${where}: greenTargetGroup is "Stack/Blue": it is the blue target group; ECS needs a second one to start the new revision on. Pass two different target groups.`);
  });

  test('refuses what native ECS deployments cannot express, naming the rollout', () => {
    expectValidationError(() => rollout(Strategy.linear({ stepPercent: 2.5, interval: Duration.minutes(1) })),
      `${where}: strategy is "linear 2.5% every 1m": native ECS deployments move at least 3% of traffic per linear step, and 2.5% is less. Use a stepPercent of 3 or more, or a one-step canary for a smaller first share.`);
    expectValidationError(() => rollout(Strategy.blueGreen({ promotion: StepGate.manualApproval() })),
      `${where}: strategy is "blue-green (promote after manual approval, bake 5m)": native ECS deployments end every PAUSE hook with a timeout (24 hours unless set) and CloudFormation waits for the deployment meanwhile, so manual approval needs one. Set a timeout, such as StepGate.manualApproval({ timeout: Duration.hours(4) }); when it passes, ECS rolls the deployment back.`);
  });

  test('refuses props that are not an object, and an alarm that is not one', () => {
    const { stack, construct } = rollout(Strategy.BLUE_GREEN);
    expectValidationError(() => new EcsNativeRollout(stack, 'Other', Strategy.BLUE_GREEN as any),
      'EcsNativeRollout Stack/Other: props is a Strategy: it must be a plain object of props, not an instance of a class. Pass { service, strategy, blueTargetGroup, greenTargetGroup, productionRule }.');
    expectValidationError(() => construct.addAlarm('my-alarm' as any),
      `${where}: alarm is "my-alarm": it must be a CloudWatch alarm. Pass a cloudwatch.Alarm, or one imported with Alarm.fromAlarmArn().`);
  });
});

describe('random props', () => {
  const half = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined, freq: 2 });
  const propsArb = propsWithOdds(odd => withHealthChecksArb(rolloutStrategyArb(odd, 2)).chain(strategy => fc.record({
    // The user's service: on the ECS deployment controller, or by mistake on CodeDeploy's.
    service: odd<unknown>(fc.constant('ecs'), fc.oneof(fc.constant('code-deploy'), oddValueArb)),
    strategy: fc.constant(strategy),
    blueTargetGroup: odd<unknown>(fc.constant(REAL), fc.oneof(fc.constant('green'), oddValueArb)),
    greenTargetGroup: realArb(odd),
    productionRule: realArb(odd),
    // A test rule goes with a test route: refused without one, and missing when there is one.
    testRule: strategy instanceof Strategy && strategy.testRoute
      ? odd<unknown>(fc.constant(REAL), fc.oneof(fc.constant(undefined), oddValueArb))
      : odd<unknown>(fc.constant(undefined), fc.constant(REAL)),
    containerName: half(odd<unknown>(fc.constant('web'), fc.oneof(fc.constant('sidecar'), fc.string(), oddValueArb))),
    containerPort: half(odd<unknown>(fc.constantFrom(80, 8080), fc.oneof(fc.integer(), oddValueArb))),
    alarms: extraAlarmsArb(odd),
    healthChecks: healthChecksPropArb(odd),
    lifecycleHooks: half(odd<unknown>(spec(fc.integer({ min: 0, max: 2 })),
      fc.oneof(fc.array(oddValueArb, { minLength: 1, maxLength: 2 }), oddValueArb))),
    infrastructureRole: half(realArb(odd)),
  })), 10);

  function build(p: any) {
    const user = userApp({
      testRoute: p.testRule === REAL,
      service: p.service === 'code-deploy' ? { deploymentController: { type: ecs.DeploymentControllerType.CODE_DEPLOY } } : {},
    });
    const { stack, taskDefinition } = user;
    taskDefinition.defaultContainer!.addPortMappings({ containerPort: 8080 });
    taskDefinition.addContainer('sidecar', { image, essential: false });
    const hook = (i: number) => new ecs.DeploymentLifecycleLambdaTarget(new lambda.Function(stack, `Hook${i}`, {
      runtime: lambda.Runtime.NODEJS_22_X, handler: 'index.handler', code: lambda.Code.fromInline('exports.handler = async () => {};'),
    }), `Hook${i}`, { lifecycleStages: [ecs.DeploymentLifecycleStage.POST_TEST_TRAFFIC_SHIFT] });
    const checks = healthChecksProp(stack, p.healthChecks);
    const construct = new EcsNativeRollout(stack, 'Rollout', {
      service: p.service === 'ecs' || p.service === 'code-deploy' ? user.service : p.service,
      strategy: p.strategy,
      blueTargetGroup: p.blueTargetGroup === 'green' ? user.green : real(p.blueTargetGroup, () => user.blue),
      greenTargetGroup: real(p.greenTargetGroup, () => user.green),
      productionRule: real(p.productionRule, () => user.productionRule),
      testRule: real(p.testRule, () => user.testRule),
      containerName: p.containerName,
      containerPort: p.containerPort,
      alarms: extraAlarms(stack, p.alarms) as cloudwatch.IAlarm[],
      healthChecks: checks as HealthCheck[],
      lifecycleHooks: p.lifecycleHooks instanceof Spec ? Array.from({ length: p.lifecycleHooks.value }, (_, i) => hook(i)) : p.lifecycleHooks,
      infrastructureRole: real(p.infrastructureRole, () => new iam.Role(stack, 'InfraRole', { assumedBy: new iam.ServicePrincipal('ecs.amazonaws.com') })),
    });
    return { stack, construct, checks };
  }

  const ecsStrategy: Record<string, string> = { ALL_AT_ONCE: 'ROLLING', BLUE_GREEN: 'BLUE_GREEN', CANARY: 'CANARY', LINEAR: 'LINEAR' };

  test('either synthesize a valid, clean native deployment or refuse with the library error', () => {
    expectBuildsOrRefuses(propsArb, p => {
      const { stack, construct, checks } = build(p);
      const template = validatedTemplate(stack);
      expectCleanAssembly(stack.node.root as App);
      const service = Object.values(template.findResources('AWS::ECS::Service'))[0].Properties;
      const deployment = service.DeploymentConfiguration;
      const kind = construct.plan.strategy.kind;
      expect(deployment.Strategy).toBe(ecsStrategy[kind]);
      // Each health check's alarms (on blue and on green, or the user's own once), and the ones passed.
      const count = healthCheckAlarmCount(construct.plan.healthChecks, 2) + extraAlarmCount(p.alarms);
      expect(deployment.Alarms?.AlarmNames ?? []).toHaveLength(count);
      // The rollout's own checks, else the strategy's, else the defaults (an error rate and a p99 latency).
      const expected = checks !== undefined ? checks : p.strategy.healthChecks.length > 0 ? p.strategy.healthChecks : undefined;
      if (expected === undefined) expect(construct.plan.healthChecks.map(c => c.name)).toEqual(['error-rate', 'latency-p99']);
      else expect(construct.plan.healthChecks).toEqual(expected);
      // The canary or linear step recorded in the plan is the one ECS shifts.
      const step = deployment.CanaryConfiguration?.CanaryPercent ?? deployment.LinearConfiguration?.StepPercent;
      const shifted = construct.plan.steps.find(st => st.candidateWeight > 0)!;
      expect(step).toBe(kind === 'CANARY' || kind === 'LINEAR' ? shifted.candidateWeight : undefined);
      // A test phase held by a person is a PAUSE hook that rolls back on its timeout, and nothing else is.
      const pauses = (deployment.LifecycleHooks ?? []).filter((h: any) => h.TargetType === 'PAUSE');
      expect(pauses).toEqual(construct.approvalStage === undefined ? [] : [{
        TargetType: 'PAUSE',
        LifecycleStages: ['POST_TEST_TRAFFIC_SHIFT'],
        TimeoutConfiguration: { TimeoutInMinutes: construct.plan.steps[0].gate!.timeout!.toMinutes(), Action: 'ROLLBACK' },
      }]);
      // A rolling update has no second target group; the others swap blue and green behind the rules.
      const advanced = service.LoadBalancers[0].AdvancedConfiguration;
      expect(advanced === undefined).toBe(kind === 'ALL_AT_ONCE');
      if (advanced) expect(advanced.TestListenerRule !== undefined).toBe(p.testRule === REAL);
    }, { quickRuns: 25 });
  });
});
