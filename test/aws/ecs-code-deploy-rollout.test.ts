import { App, Duration, Stack } from 'aws-cdk-lib';
import { Annotations, Match as CfnMatch, Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as codedeploy from 'aws-cdk-lib/aws-codedeploy';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as fc from 'fast-check';
import { aws, FailedRequests, HealthCheck, Match, StepGate, Strategy } from '../../src';
import { EcsCodeDeployRollout, EcsCodeDeployRolloutProps } from '../../src/aws/ecs-code-deploy-rollout';
import { PLAN_METADATA_TYPE } from '../../src/aws/private/plan-metadata';
import { oddValueArb } from '../support/arbitraries';
import { testApp, validatedTemplate } from '../support/cfn';
import { expectBuildsOrRefuses, expectCleanAssembly } from '../support/properties';
import {
  extraAlarmCount, extraAlarms, extraAlarmsArb, healthCheckAlarmCount, healthChecksProp, healthChecksPropArb, propsWithOdds, real, REAL, realArb,
  rolloutStrategyArb, withHealthChecksArb,
} from '../support/rollout-arbitraries';
import { expectValidationError } from '../support/validation-error';

/**
 * A Fargate service behind an ALB, ready for CodeDeploy: the production listener (80) forwards to
 * blue, where the service is registered; the test listener (9000, closed) forwards to green.
 */
function setup(controller: ecs.DeploymentControllerType = ecs.DeploymentControllerType.CODE_DEPLOY) {
  const stack = new Stack(testApp(), 'Stack');
  const vpc = new ec2.Vpc(stack, 'Vpc', {
    natGateways: 0,
    maxAzs: 2,
    subnetConfiguration: [{ name: 'Public', subnetType: ec2.SubnetType.PUBLIC }],
  });
  const cluster = new ecs.Cluster(stack, 'Cluster', { vpc });
  const taskDefinition = new ecs.FargateTaskDefinition(stack, 'Task');
  taskDefinition.addContainer('web', {
    image: ecs.ContainerImage.fromRegistry('public.ecr.aws/nginx/nginx:stable'),
    portMappings: [{ containerPort: 80 }],
  });
  const alb = new elbv2.ApplicationLoadBalancer(stack, 'Alb', { vpc, internetFacing: true });
  const targetGroup = (id: string) => new elbv2.ApplicationTargetGroup(stack, id, {
    vpc, port: 80, protocol: elbv2.ApplicationProtocol.HTTP, targetType: elbv2.TargetType.IP,
  });
  const blue = targetGroup('Blue');
  const green = targetGroup('Green');
  const listener = alb.addListener('Prod', { port: 80, defaultTargetGroups: [blue] });
  const testListener = alb.addListener('Test', { port: 9000, protocol: elbv2.ApplicationProtocol.HTTP, open: false, defaultTargetGroups: [green] });
  const service = new ecs.FargateService(stack, 'Service', {
    cluster,
    taskDefinition,
    deploymentController: { type: controller },
    assignPublicIp: true,
    vpcSubnets: { subnetType: ec2.SubnetType.PUBLIC },
  });
  service.attachToApplicationTargetGroup(blue);
  return { stack, vpc, service, blue, green, listener, testListener };
}

/** The props every rollout of `setup()` needs, without a test listener. */
function wiring(s: ReturnType<typeof setup>) {
  return { service: s.service, blueTargetGroup: s.blue, greenTargetGroup: s.green, listener: s.listener };
}

function rollout(strategy: Strategy, props: Partial<EcsCodeDeployRolloutProps> = {}) {
  const s = setup();
  const construct = new EcsCodeDeployRollout(s.stack, 'Rollout', { ...wiring(s), testListener: s.testListener, strategy, ...props });
  return { ...s, construct };
}

const bake = (minutes: number) => StepGate.bake(Duration.minutes(minutes));
const ref = (id: string) => ({ Ref: CfnMatch.stringLikeRegexp(`^${id}`) });

describe('deployment configuration derived from the strategy', () => {
  test.each([
    ['ALL_AT_ONCE', Strategy.ALL_AT_ONCE, 'CodeDeployDefault.ECSAllAtOnce'],
    ['BLUE_GREEN (one switch)', Strategy.BLUE_GREEN, 'CodeDeployDefault.ECSAllAtOnce'],
    ['CANARY_10PERCENT_5MINUTES', Strategy.CANARY_10PERCENT_5MINUTES, 'CodeDeployDefault.ECSCanary10Percent5Minutes'],
    ['CANARY_10PERCENT_15MINUTES', Strategy.CANARY_10PERCENT_15MINUTES, 'CodeDeployDefault.ECSCanary10Percent15Minutes'],
    ['LINEAR_10PERCENT_EVERY_1MINUTE', Strategy.LINEAR_10PERCENT_EVERY_1MINUTE, 'CodeDeployDefault.ECSLinear10PercentEvery1Minutes'],
    ['LINEAR_10PERCENT_EVERY_3MINUTES', Strategy.LINEAR_10PERCENT_EVERY_3MINUTES, 'CodeDeployDefault.ECSLinear10PercentEvery3Minutes'],
    ['a canary shaped like a preset', Strategy.canary({ steps: [{ weight: 10, gate: bake(5) }] }), 'CodeDeployDefault.ECSCanary10Percent5Minutes'],
  ])('%s uses the predefined configuration', (_, strategy, name) => {
    const { stack, construct } = rollout(strategy);
    const template = validatedTemplate(stack);
    template.hasResourceProperties('AWS::CodeDeploy::DeploymentGroup', { DeploymentConfigName: name });
    template.resourceCountIs('AWS::CodeDeploy::DeploymentConfig', 0);
    expect(construct.deploymentConfig.deploymentConfigName).toBe(name);
  });

  test('any other canary gets a custom TimeBasedCanary configuration for ECS', () => {
    // Canary10Percent10Minutes is predefined for Lambda only.
    const template = validatedTemplate(rollout(Strategy.CANARY_10PERCENT_10MINUTES).stack);
    template.hasResourceProperties('AWS::CodeDeploy::DeploymentConfig', {
      ComputePlatform: 'ECS',
      TrafficRoutingConfig: { Type: 'TimeBasedCanary', TimeBasedCanary: { CanaryInterval: 10, CanaryPercentage: 10 } },
    });
    template.hasResourceProperties('AWS::CodeDeploy::DeploymentGroup', { DeploymentConfigName: ref('RolloutDeploymentConfig') });
  });

  test('any other linear strategy gets a custom TimeBasedLinear configuration for ECS', () => {
    const template = validatedTemplate(rollout(Strategy.linear({ stepPercent: 25, interval: Duration.minutes(4) })).stack);
    template.hasResourceProperties('AWS::CodeDeploy::DeploymentConfig', {
      ComputePlatform: 'ECS',
      TrafficRoutingConfig: { Type: 'TimeBasedLinear', TimeBasedLinear: { LinearInterval: 4, LinearPercentage: 25 } },
    });
    template.hasResourceProperties('AWS::CodeDeploy::DeploymentGroup', { DeploymentConfigName: ref('RolloutDeploymentConfig') });
  });
});

describe('the blue-green deployment group', () => {
  test('routes production and test traffic between the two target groups of the service', () => {
    const template = validatedTemplate(rollout(Strategy.BLUE_GREEN).stack);
    template.hasResourceProperties('AWS::CodeDeploy::DeploymentGroup', {
      DeploymentStyle: { DeploymentType: 'BLUE_GREEN', DeploymentOption: 'WITH_TRAFFIC_CONTROL' },
      ECSServices: [{ ClusterName: ref('Cluster'), ServiceName: { 'Fn::GetAtt': [CfnMatch.stringLikeRegexp('^Service'), 'Name'] } }],
      LoadBalancerInfo: {
        TargetGroupPairInfoList: [{
          TargetGroups: [
            { Name: { 'Fn::GetAtt': [CfnMatch.stringLikeRegexp('^Blue'), 'TargetGroupName'] } },
            { Name: { 'Fn::GetAtt': [CfnMatch.stringLikeRegexp('^Green'), 'TargetGroupName'] } },
          ],
          ProdTrafficRoute: { ListenerArns: [ref('AlbProd')] },
          TestTrafficRoute: { ListenerArns: [ref('AlbTest')] },
        }],
      },
    });
  });

  test('Strategy.BLUE_GREEN switches at once and keeps the old task set for its 5-minute bake', () => {
    validatedTemplate(rollout(Strategy.BLUE_GREEN).stack).hasResourceProperties('AWS::CodeDeploy::DeploymentGroup', {
      BlueGreenDeploymentConfiguration: {
        DeploymentReadyOption: { ActionOnTimeout: 'CONTINUE_DEPLOYMENT', WaitTimeInMinutes: 0 },
        TerminateBlueInstancesOnDeploymentSuccess: { Action: 'TERMINATE', TerminationWaitTimeInMinutes: 5 },
      },
    });
  });

  test('a manual approval with a timeout waits for ContinueDeployment, then stops and rolls back', () => {
    const strategy = Strategy.blueGreen({
      testRoute: Match.header('x-env', 'green'),
      promotion: StepGate.manualApproval({ timeout: Duration.hours(1) }),
      bakeTime: Duration.minutes(30),
    });
    validatedTemplate(rollout(strategy).stack).hasResourceProperties('AWS::CodeDeploy::DeploymentGroup', {
      BlueGreenDeploymentConfiguration: {
        DeploymentReadyOption: { ActionOnTimeout: 'STOP_DEPLOYMENT', WaitTimeInMinutes: 60 },
        TerminateBlueInstancesOnDeploymentSuccess: { Action: 'TERMINATE', TerminationWaitTimeInMinutes: 30 },
      },
      LoadBalancerInfo: { TargetGroupPairInfoList: [CfnMatch.objectLike({ TestTrafficRoute: { ListenerArns: [ref('AlbTest')] } })] },
      AutoRollbackConfiguration: { Enabled: true, Events: CfnMatch.arrayWith(['DEPLOYMENT_STOP_ON_REQUEST']) },
    });
  });

  test('waits of exactly 2 days are accepted', () => {
    const strategy = Strategy.blueGreen({ promotion: StepGate.manualApproval({ timeout: Duration.days(2) }), bakeTime: Duration.days(2) });
    validatedTemplate(rollout(strategy).stack).hasResourceProperties('AWS::CodeDeploy::DeploymentGroup', {
      BlueGreenDeploymentConfiguration: {
        DeploymentReadyOption: { ActionOnTimeout: 'STOP_DEPLOYMENT', WaitTimeInMinutes: 2880 },
        TerminateBlueInstancesOnDeploymentSuccess: { TerminationWaitTimeInMinutes: 2880 },
      },
    });
  });

  test.each([
    ['a blue-green without bake', Strategy.blueGreen({ bakeTime: Duration.seconds(0) })],
    ['a canary', Strategy.CANARY_10PERCENT_5MINUTES],
    ['a linear strategy', Strategy.LINEAR_10PERCENT_EVERY_1MINUTE],
    ['all at once', Strategy.ALL_AT_ONCE],
  ])('%s releases the old task set as soon as all traffic has moved', (_, strategy) => {
    validatedTemplate(rollout(strategy).stack).hasResourceProperties('AWS::CodeDeploy::DeploymentGroup', {
      BlueGreenDeploymentConfiguration: {
        DeploymentReadyOption: { ActionOnTimeout: 'CONTINUE_DEPLOYMENT', WaitTimeInMinutes: 0 },
        TerminateBlueInstancesOnDeploymentSuccess: { Action: 'TERMINATE', TerminationWaitTimeInMinutes: 0 },
      },
    });
  });

  test('without a test listener there is no test traffic route', () => {
    const template = validatedTemplate(rollout(Strategy.BLUE_GREEN, { testListener: undefined }).stack);
    template.hasResourceProperties('AWS::CodeDeploy::DeploymentGroup', {
      LoadBalancerInfo: { TargetGroupPairInfoList: [CfnMatch.objectLike({ TestTrafficRoute: CfnMatch.absent() })] },
    });
  });

  test('goes into the application and under the name given', () => {
    const s = setup();
    new EcsCodeDeployRollout(s.stack, 'Rollout', {
      ...wiring(s),
      strategy: Strategy.ALL_AT_ONCE,
      application: codedeploy.EcsApplication.fromEcsApplicationName(s.stack, 'App', 'shop'),
      deploymentGroupName: 'web',
    });
    const template = validatedTemplate(s.stack);
    template.hasResourceProperties('AWS::CodeDeploy::DeploymentGroup', { ApplicationName: 'shop', DeploymentGroupName: 'web' });
    template.resourceCountIs('AWS::CodeDeploy::Application', 0);
  });

  test('keeps stable construct ids', () => {
    const { construct } = rollout(Strategy.CANARY_10PERCENT_10MINUTES);
    expect(construct.node.children.map(c => c.node.id).sort()).toEqual(['BlueAlarms', 'DeploymentConfig', 'DeploymentGroup', 'GreenAlarms']);
    expect(construct.deploymentGroup.node.id).toBe('DeploymentGroup');
  });

  test('records its traffic plan, at full-copy capacity, in the cloud assembly', () => {
    const { stack, construct } = rollout(Strategy.BLUE_GREEN);
    expect(construct.plan.capacity).toBe('FULL_COPY');
    const entry = construct.node.metadata.find(m => m.type === PLAN_METADATA_TYPE)!;
    expect(entry.data.controller).toBe('CodeDeploy for ECS');
    expect(entry.data.table).toBe(construct.plan.toTable());
    const recorded = (stack.node.root as App).synth().getStackByName('Stack').findMetadataByType(PLAN_METADATA_TYPE);
    expect(recorded.map(m => m.path)).toEqual(['/Stack/Rollout']);
    expect((recorded[0].data as any).plan).toEqual(construct.plan.toJson());
  });
});

describe('alarms and rollback', () => {
  test('by default an error rate and a p99 latency on both target groups stop the deployment and roll back', () => {
    const { stack, construct } = rollout(Strategy.CANARY_10PERCENT_5MINUTES);
    const template = validatedTemplate(stack);
    template.resourceCountIs('AWS::CloudWatch::Alarm', 4);
    for (const side of ['Blue', 'Green']) {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Threshold: 1,
        Metrics: CfnMatch.arrayWith([CfnMatch.objectLike({
          Id: 'errors',
          MetricStat: CfnMatch.objectLike({
            Metric: CfnMatch.objectLike({
              MetricName: 'HTTPCode_Target_5XX_Count',
              Dimensions: CfnMatch.arrayWith([{ Name: 'TargetGroup', Value: { 'Fn::GetAtt': [CfnMatch.stringLikeRegexp(`^${side}`), 'TargetGroupFullName'] } }]),
            }),
          }),
        })]),
      });
    }
    template.hasResourceProperties('AWS::CodeDeploy::DeploymentGroup', {
      AlarmConfiguration: {
        Enabled: true,
        Alarms: [
          { Name: ref('RolloutBlueAlarmserrorrate') }, { Name: ref('RolloutGreenAlarmserrorrate') },
          { Name: ref('RolloutBlueAlarmslatencyp99') }, { Name: ref('RolloutGreenAlarmslatencyp99') },
        ],
      },
      AutoRollbackConfiguration: { Enabled: true, Events: ['DEPLOYMENT_FAILURE', 'DEPLOYMENT_STOP_ON_REQUEST', 'DEPLOYMENT_STOP_ON_ALARM'] },
    });
    expect(construct.blueAlarms.alarms).toHaveLength(2);
    expect(construct.greenAlarms.alarms).toHaveLength(2);
    expect(construct.plan.healthChecks.map(c => c.name)).toEqual(['error-rate', 'latency-p99']);
  });

  test('the strategy\'s health checks, or the rollout\'s own in their place', () => {
    const p90 = HealthCheck.latency({ percentile: 90, maxLatency: Duration.millis(800), failingWindows: 3 });
    const { stack, construct } = rollout(Strategy.ALL_AT_ONCE.withHealthChecks([p90]));
    const template = validatedTemplate(stack);
    template.resourceCountIs('AWS::CloudWatch::Alarm', 2);
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Threshold: 0.8, EvaluationPeriods: 3, Metrics: CfnMatch.arrayWith([CfnMatch.objectLike({ Id: 'latency', MetricStat: CfnMatch.objectLike({ Stat: 'p90' }) })]),
    });
    expect(construct.plan.healthChecks).toEqual([p90]);
    const own = rollout(Strategy.ALL_AT_ONCE.withHealthChecks([p90]), { healthChecks: [HealthCheck.errorRate({ maxErrorPercent: 2 })] });
    expect(own.construct.plan.healthChecks.map(c => c.name)).toEqual(['error-rate']);
  });

  test('no health checks: failures and stops still roll back', () => {
    const { stack, construct } = rollout(Strategy.ALL_AT_ONCE, { healthChecks: [] });
    const template = validatedTemplate(stack);
    template.resourceCountIs('AWS::CloudWatch::Alarm', 0);
    template.hasResourceProperties('AWS::CodeDeploy::DeploymentGroup', {
      AutoRollbackConfiguration: { Enabled: true, Events: ['DEPLOYMENT_FAILURE', 'DEPLOYMENT_STOP_ON_REQUEST'] },
    });
    expect(construct.blueAlarms.alarms).toEqual([]);
    expect(construct.healthCheckAlarms).toEqual([]);
  });

  test('addHealthCheck(): on both target groups, into the deployment group\'s alarms and the plan; a check of the user\'s own once', () => {
    const { stack, construct } = rollout(Strategy.BLUE_GREEN, { healthChecks: [] });
    construct.addHealthCheck(HealthCheck.errorRate({ maxErrorPercent: 1, failedRequests: FailedRequests.CLIENT_AND_SERVER_ERRORS }));
    const own = cloudwatch.Alarm.fromAlarmArn(stack, 'Own', 'arn:aws:cloudwatch:us-east-1:123456789012:alarm:own');
    construct.addHealthCheck(aws.CloudWatchHealthCheck.alarm(own));
    construct.addAlarm(own); // once, even when also given as an alarm
    validatedTemplate(stack).hasResourceProperties('AWS::CodeDeploy::DeploymentGroup', {
      AlarmConfiguration: { Enabled: true, Alarms: [{ Name: ref('RolloutBlueAlarmserrorrate') }, { Name: ref('RolloutGreenAlarmserrorrate') }, { Name: 'own' }] },
    });
    expect(construct.plan.healthChecks.map(c => c.name)).toEqual(['error-rate', 'own']);
  });

  test('alarms given and added later also stop the deployment', () => {
    const s = setup();
    const alarm = (id: string) => new cloudwatch.Alarm(s.stack, id, {
      metric: s.blue.metrics.unhealthyHostCount(), threshold: 1, evaluationPeriods: 1,
    });
    const construct = new EcsCodeDeployRollout(s.stack, 'Rollout', {
      ...wiring(s),
      strategy: Strategy.BLUE_GREEN,
      healthChecks: [],
      alarms: [alarm('Given')],
    });
    construct.addAlarm(alarm('Later'));
    validatedTemplate(s.stack).hasResourceProperties('AWS::CodeDeploy::DeploymentGroup', {
      AlarmConfiguration: { Enabled: true, Alarms: [{ Name: ref('Given') }, { Name: ref('Later') }] },
      AutoRollbackConfiguration: { Events: CfnMatch.arrayWith(['DEPLOYMENT_STOP_ON_ALARM']) },
    });
  });

  test('more than 50 alarms fail at synth', () => {
    const { stack, construct } = rollout(Strategy.BLUE_GREEN);
    for (let i = 0; i < 47; i++) {
      construct.addAlarm(cloudwatch.Alarm.fromAlarmArn(stack, `A${i}`, `arn:aws:cloudwatch:us-east-1:123456789012:alarm:a${i}`));
    }
    expect(() => Template.fromStack(stack)).toThrow(
      'EcsCodeDeployRollout Stack/Rollout: alarms is 51 alarms: CodeDeploy allows at most 50 per deployment group, health checks\' alarms included (each error-rate or latency health check renders one alarm per target group). '
      + 'Combine alarms into a composite alarm (cloudwatch.CompositeAlarm) and pass it with aws.CloudWatchHealthCheck.alarm(), or declare fewer health checks.');
  });

  test('health checks count twice towards the 50 (one alarm per target group), added later too', () => {
    const checks = Array.from({ length: 25 }, (_, i) => HealthCheck.errorRate({ name: `rate-${i}`, maxErrorPercent: 1 }));
    expect(() => Template.fromStack(rollout(Strategy.BLUE_GREEN, { healthChecks: checks }).stack)).not.toThrow();
    const { stack, construct } = rollout(Strategy.BLUE_GREEN, { healthChecks: checks });
    construct.addHealthCheck(HealthCheck.errorRate({ name: 'one-more', maxErrorPercent: 1 }));
    expect(() => Template.fromStack(stack)).toThrow(/alarms is 52 alarms: CodeDeploy allows at most 50 per deployment group/);
  });

  test('50 alarms are accepted', () => {
    const { stack, construct } = rollout(Strategy.BLUE_GREEN);
    for (let i = 0; i < 46; i++) {
      construct.addAlarm(cloudwatch.Alarm.fromAlarmArn(stack, `A${i}`, `arn:aws:cloudwatch:us-east-1:123456789012:alarm:a${i}`));
    }
    expect(() => Template.fromStack(stack)).not.toThrow();
  });
});

describe('what CodeDeploy for ECS cannot express', () => {
  const prop = 'EcsCodeDeployRollout Stack/Rollout: strategy';
  test.each([
    ['several canary steps', Strategy.canary({ steps: [{ weight: 10, gate: bake(5) }, { weight: 50, gate: bake(5) }] }),
      `${prop} is "canary 10% (bake 5m) → 50% (bake 5m) → 100%": CodeDeploy for ECS shifts a canary in one step, then to 100%; this canary has 2 steps before 100%. Use one step, such as Strategy.CANARY_10PERCENT_5MINUTES, or Strategy.linear() for equal steps.`],
    ['a fractional percent', Strategy.canary({ steps: [{ weight: 2.5, gate: bake(5) }] }),
      `${prop} is "canary 2.5% (bake 5m) → 100%": CodeDeploy for ECS shifts whole percents of traffic, and 2.5% is not. Round the weight to a whole percent.`],
    ['a canary bake that is not whole minutes', Strategy.canary({ steps: [{ weight: 10, gate: StepGate.bake(Duration.seconds(90)) }] }),
      `${prop} is "canary 10% (bake 1m 30s) → 100%": CodeDeploy for ECS counts the time between shifts in whole minutes, and bake 1m 30s is not. Round the bake time to whole minutes.`],
    ['a manual approval between shifts', Strategy.canary({ steps: [{ weight: 10, gate: StepGate.manualApproval() }] }),
      `${prop} is "canary 10% (manual approval) → 100%": CodeDeploy for ECS waits between shifts only for a time; it has no manual approval step. Use StepGate.bake() and add alarms to stop a bad deployment; for approvals or analysis use a Kubernetes Argo Rollouts provider.`],
    ['an analysis between shifts', Strategy.canary({ steps: [{ weight: 10, gate: StepGate.analysis({ name: 'errors', duration: Duration.minutes(5) }) }] }),
      `${prop} is "canary 10% (analysis errors 5m) → 100%": CodeDeploy for ECS waits between shifts only for a time; it has no analysis step. Use StepGate.bake() and add alarms to stop a bad deployment; for approvals or analysis use a Kubernetes Argo Rollouts provider.`],
    ['a hold at 100% of a canary', Strategy.canary({ steps: [{ weight: 10, gate: bake(5) }, { weight: 100, gate: bake(30) }] }),
      `${prop} is "canary 10% (bake 5m) → 100% (bake 30m)": CodeDeploy for ECS completes a deployment as soon as all traffic has shifted, so it cannot hold the 100% step (bake 30m). Remove the gate from the 100% step; alarms keep watching until the deployment ends.`],
    ['a timed wait before a blue-green switch', Strategy.blueGreen({ promotion: bake(10) }),
      `${prop} is "blue-green (promote after bake 10m, bake 5m)": CodeDeploy for ECS holds the new task set before the switch only for an approval; it has no timed wait before promotion (bake 10m). Use StepGate.manualApproval({ timeout }) and approve with the ContinueDeployment API, or bake after the switch with bakeTime, while alarms can still roll back.`],
    ['an analysis before a blue-green switch', Strategy.blueGreen({ promotion: StepGate.analysis({ name: 'smoke', duration: Duration.minutes(10) }) }),
      `${prop} is "blue-green (promote after analysis smoke 10m, bake 5m)": CodeDeploy for ECS has no analysis step before the switch (analysis smoke 10m). Run the checks in an AfterAllowTestTraffic hook of the AppSpec and add alarms, or gate with StepGate.manualApproval({ timeout }); for analysis steps use a Kubernetes Argo Rollouts provider.`],
    ['a manual approval without a timeout', Strategy.blueGreen({ promotion: StepGate.manualApproval() }),
      `${prop} is "blue-green (promote after manual approval, bake 5m)": CodeDeploy for ECS waits for an approval for a set time, at most 2 days, then stops and rolls back; this approval has no timeout. Give it a timeout, such as StepGate.manualApproval({ timeout: Duration.hours(4) }).`],
    ['an approval timeout over 2 days', Strategy.blueGreen({ promotion: StepGate.manualApproval({ timeout: Duration.days(3) }) }),
      `${prop} is "blue-green (promote after manual approval (timeout 3d), bake 5m)": CodeDeploy for ECS waits for an approval for at most 2 days (2880 minutes), and manual approval (timeout 3d) is longer. Use a timeout of at most Duration.days(2).`],
    ['an approval timeout that is not whole minutes', Strategy.blueGreen({ promotion: StepGate.manualApproval({ timeout: Duration.seconds(90) }) }),
      `${prop} is "blue-green (promote after manual approval (timeout 1m 30s), bake 5m)": CodeDeploy for ECS counts how long it waits for an approval in whole minutes, and manual approval (timeout 1m 30s) is not. Round the timeout to whole minutes.`],
    ['a bake time over 2 days', Strategy.blueGreen({ bakeTime: Duration.hours(49) }),
      `${prop} is "blue-green (bake 2d 1h)": CodeDeploy for ECS keeps the old task set after the switch for at most 2 days (2880 minutes), and bake 2d 1h is longer. Use a bakeTime of at most Duration.days(2).`],
    ['a bake time that is not whole minutes', Strategy.blueGreen({ bakeTime: Duration.seconds(150) }),
      `${prop} is "blue-green (bake 2m 30s)": CodeDeploy for ECS counts how long it keeps the old task set after the switch in whole minutes, and bake 2m 30s is not. Round the bakeTime to whole minutes.`],
  ])('refuses %s at construction', (_, strategy, message) => {
    expectValidationError(() => rollout(strategy), message);
  });

  test('refuses a canary\'s test route, with or without a test listener', () => {
    const strategy = Strategy.canary({ testRoute: Match.header('x-qa', '1'), steps: [{ weight: 10, gate: StepGate.bake(Duration.minutes(5)) }] });
    const message = `${prop} is "canary test route header x-qa=1 → 10% (bake 5m) → 100%": CodeDeploy for ECS shifts traffic by weight only and cannot send the requests of a test route (header x-qa=1) to the new version first. `
      + 'Remove the testRoute and give the deployment a test listener (testListener, or testPort with EcsRolloutService), where CodeDeploy sends every request to the new task set before any traffic shifts; '
      + 'or use native ECS deployments (EcsNativeRollout, EcsController.NATIVE), which route a test route by header.';
    expectValidationError(() => rollout(strategy), message);
    expectValidationError(() => rollout(strategy, { testListener: undefined }), message);
  });

  test('refuses a test route without a test listener, and accepts it with one', () => {
    const strategy = Strategy.blueGreen({ testRoute: Match.header('x-env', 'green') });
    expectValidationError(() => rollout(strategy, { testListener: undefined }),
      `${prop} is "blue-green (test route header x-env=green, bake 5m)": CodeDeploy for ECS routes test traffic by a second listener, not by a request match, so the test route (header x-env=green) needs a testListener. Pass testListener: a listener on its own port, reachable only from your testers, where every request reaches the new task set; or leave testRoute out of the strategy.`);
    const { stack } = rollout(strategy);
    Annotations.fromStack(stack).hasWarning('/Stack/Rollout', CfnMatch.stringLikeRegexp(
      '^The test route \\(header x-env=green\\) is the test listener Stack/Alb/Test: CodeDeploy for ECS sends every request reaching that listener to the new task set'));
  });

  test('a strategy that is not a Strategy is refused', () => {
    expectValidationError(() => rollout('blue-green' as any),
      `${prop} is "blue-green": a rollout needs a Strategy. Pass a Strategy, for example Strategy.BLUE_GREEN.`);
  });
});

describe('misuse of the service, target groups and listeners', () => {
  const where = 'EcsCodeDeployRollout Stack/Rollout';

  test('a service on the ECS deployment controller is refused', () => {
    const s = setup(ecs.DeploymentControllerType.ECS);
    expectValidationError(() => new EcsCodeDeployRollout(s.stack, 'Rollout', {
      ...wiring(s), strategy: Strategy.BLUE_GREEN,
    }), `${where}: service is "Stack/Service": it uses the ECS deployment controller; CodeDeploy deploys only a service created with the CODE_DEPLOY controller. Create the service with deploymentController: { type: ecs.DeploymentControllerType.CODE_DEPLOY } (changing it replaces the service), or roll it out with ECS native deployments instead.`);
  });

  test('the same target group for blue and green is refused', () => {
    const s = setup();
    expectValidationError(() => new EcsCodeDeployRollout(s.stack, 'Rollout', {
      ...wiring(s), greenTargetGroup: s.blue, strategy: Strategy.BLUE_GREEN,
    }), `${where}: greenTargetGroup is "Stack/Blue": it is also the blue target group; CodeDeploy needs two, one per task set. Create a second target group like the first, for the new task set.`);
  });

  test('the production listener as test listener is refused', () => {
    expectValidationError(() => {
      const s = setup();
      new EcsCodeDeployRollout(s.stack, 'Rollout', {
        ...wiring(s), testListener: s.listener, strategy: Strategy.BLUE_GREEN,
      });
    }, `${where}: testListener is "Stack/Alb/Prod": it is also the production listener, so test traffic would be production traffic. Add a second listener on its own port, reachable only from your testers, or leave testListener out.`);
  });

  test('a green target group on no listener is refused while health checks measure it, accepted with checks of the user\'s own only', () => {
    const s = setup();
    const lonely = new elbv2.ApplicationTargetGroup(s.stack, 'Lonely', { vpc: s.vpc, port: 80, protocol: elbv2.ApplicationProtocol.HTTP, targetType: elbv2.TargetType.IP });
    const props = { ...wiring(s), greenTargetGroup: lonely, strategy: Strategy.BLUE_GREEN };
    expectValidationError(() => new EcsCodeDeployRollout(s.stack, 'Rollout', props),
      `${where}: greenTargetGroup is "Stack/Lonely": its metrics, which the health checks read, exist only once it is attached to a load balancer listener (an imported target group needs its loadBalancerArns). `
      + 'Forward a listener (the test listener, say) or a listener rule to it, or measure the rollout only by checks of your own: healthChecks: [aws.CloudWatchHealthCheck.alarm(alarm)].');
    const own = aws.CloudWatchHealthCheck.alarm(cloudwatch.Alarm.fromAlarmArn(s.stack, 'Own', 'arn:aws:cloudwatch:us-east-1:123456789012:alarm:own'));
    expect(() => new EcsCodeDeployRollout(s.stack, 'Other', { ...props, healthChecks: [own] })).not.toThrow();
  });

  test('a missing listener is refused (JavaScript callers)', () => {
    const s = setup();
    expectValidationError(() => new EcsCodeDeployRollout(s.stack, 'Rollout', {
      service: s.service, blueTargetGroup: s.blue, greenTargetGroup: s.green, strategy: Strategy.BLUE_GREEN,
    } as any), `${where}: listener is undefined: it is required. Pass the production listener.`);
  });

  test('health checks are checked, naming the rollout', () => {
    const slow = HealthCheck.errorRate({ maxErrorPercent: 1, window: Duration.seconds(90) });
    expectValidationError(() => rollout(Strategy.BLUE_GREEN, { healthChecks: [slow] }),
      `${where}: health check "error-rate" window is 1 minute 30 seconds: Application Load Balancers publish metrics once a minute, so CloudWatch judges them in windows of whole minutes. Use a window of whole minutes, such as Duration.minutes(2).`);
    expectValidationError(() => rollout(Strategy.BLUE_GREEN, { healthChecks: [HealthCheck.prometheus({ name: 'q', query: 'up', minValue: 1 })] }),
      `${where}: health check "q" is "query below 1": CodeDeploy for ECS measures health checks with CloudWatch alarms, and a PromQL query is measured only by Kubernetes backends with a Prometheus metrics source. `
      + 'Give this rollout its own healthChecks without it, or measure the same signal in CloudWatch with aws.CloudWatchHealthCheck.metric().');
  });
});

describe('review follow-ups', () => {
  const prop = 'EcsCodeDeployRollout Stack/Rollout: strategy';

  test('addAlarm refuses something that is not an alarm', () => {
    const { construct } = rollout(Strategy.BLUE_GREEN);
    expectValidationError(() => construct.addAlarm('x' as any),
      'EcsCodeDeployRollout Stack/Rollout: alarm is "x": it must be a CloudWatch alarm. Pass a cloudwatch.Alarm, or one imported with Alarm.fromAlarmArn().');
  });

  test.each([
    [Strategy.linear({ stepPercent: 2.5, interval: Duration.minutes(3) }),
      `${prop} is "linear 2.5% every 3m": CodeDeploy for ECS shifts whole percents of traffic, and 2.5% is not. Round the weight to a whole percent.`],
    [Strategy.linear({ stepPercent: 10, interval: Duration.seconds(90) }),
      `${prop} is "linear 10% every 1m 30s": CodeDeploy for ECS counts the time between shifts in whole minutes, and bake 1m 30s is not. Round the bake time to whole minutes.`],
  ])('refuses a linear strategy CodeDeploy cannot express: %s', (strategy, message) => {
    expectValidationError(() => rollout(strategy), message);
  });
});

describe('props aws-cdk-lib would fail on at synth', () => {
  const where = 'EcsCodeDeployRollout Stack/Rollout';
  test.each([
    ['service', { service: {} }, 'an object', 'an ECS service', 'Pass the ECS service created with the CODE_DEPLOY deployment controller.'],
    ['blueTargetGroup', { blueTargetGroup: Match.header('x', 'y') }, 'a Match', 'an application target group', 'Pass the target group the service is registered in.'],
    ['greenTargetGroup', { greenTargetGroup: 'green' }, '"green"', 'an application target group', 'Pass a second target group, for the new task set.'],
    ['listener', { listener: {} }, 'an object', 'an application load balancer listener', 'Pass the production listener.'],
    ['testListener', { testListener: 9000 }, '9000', 'an application load balancer listener', 'Pass a second listener on its own port, reachable only from your testers, or leave testListener out.'],
  ])('refuses a %s that is not one', (name, props, shown, what, fix) => {
    expectValidationError(() => rollout(Strategy.BLUE_GREEN, props as any), `${where}: ${name} is ${shown}: it must be ${what}. ${fix}`);
  });

  test('refuses an application for another compute platform, and a deployment group name aws-cdk-lib would refuse', () => {
    const s = setup();
    const application = new codedeploy.LambdaApplication(s.stack, 'App');
    expectValidationError(() => new EcsCodeDeployRollout(s.stack, 'Rollout', { ...wiring(s), strategy: Strategy.BLUE_GREEN, application: application as any }),
      `${where}: application is "Stack/App": it is an application for the Lambda compute platform, and this deployment group deploys to ECS. Pass a codedeploy.EcsApplication, or one imported with EcsApplication.fromEcsApplicationName(), or leave it out for a new application.`);
    expectValidationError(() => new EcsCodeDeployRollout(s.stack, 'Rollout2', { ...wiring(s), strategy: Strategy.BLUE_GREEN, deploymentGroupName: 'web production' }),
      'EcsCodeDeployRollout Stack/Rollout2: deploymentGroupName is "web production": a CodeDeploy deployment group name is 1 to 100 letters, digits or . _ + = , @ -. Use a name such as "web-production", or leave it out for a generated one.');
  });

  test('refuses more than 50 alarms at construction when the props alone pass the limit', () => {
    const s = setup();
    const alarms = Array.from({ length: 47 }, (_, i) => cloudwatch.Alarm.fromAlarmArn(s.stack, `A${i}`, `arn:aws:cloudwatch:us-east-1:123456789012:alarm:a${i}`));
    expectValidationError(() => new EcsCodeDeployRollout(s.stack, 'Rollout', { ...wiring(s), testListener: s.testListener, strategy: Strategy.BLUE_GREEN, alarms }),
      `${where}: alarms is 51 alarms: CodeDeploy allows at most 50 per deployment group, health checks' alarms included (each error-rate or latency health check renders one alarm per target group). `
      + 'Combine alarms into a composite alarm (cloudwatch.CompositeAlarm) and pass it with aws.CloudWatchHealthCheck.alarm(), or declare fewer health checks.');
  });
});

describe('random props', () => {
  const half = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined, freq: 2 });
  const propsArb = propsWithOdds(odd => withHealthChecksArb(rolloutStrategyArb(odd, 2)).chain(strategy => fc.record({
    // The service: on the CODE_DEPLOY controller, or by mistake on ECS's.
    service: odd<unknown>(fc.constant(REAL), fc.oneof(fc.constant('ecs'), oddValueArb)),
    blueTargetGroup: odd<unknown>(fc.constant(REAL), fc.oneof(fc.constant('green'), oddValueArb)),
    // Green on the test listener, or by mistake on no listener at all (no metrics for its alarms).
    greenTargetGroup: odd<unknown>(fc.constant(REAL), fc.oneof(fc.constant('lonely'), oddValueArb)),
    listener: realArb(odd),
    // A test route needs a test listener; the production listener is no test listener.
    testListener: strategy instanceof Strategy && strategy.testRoute
      ? odd<unknown>(fc.constant(REAL), fc.oneof(fc.constant(undefined), fc.constant('production'), oddValueArb))
      : half(odd<unknown>(fc.constant(REAL), fc.oneof(fc.constant('production'), oddValueArb))),
    strategy: fc.constant(strategy),
    alarms: extraAlarmsArb(odd),
    healthChecks: healthChecksPropArb(odd),
    application: half(odd<unknown>(fc.constant(REAL), fc.oneof(fc.constant('lambda'), oddValueArb))),
    deploymentGroupName: half(odd<unknown>(fc.stringMatching(/^[a-zA-Z0-9._+=,@-]{1,100}$/), fc.oneof(fc.string(), oddValueArb))),
  })), 10);

  function build(p: any) {
    const s = setup(p.service === 'ecs' ? ecs.DeploymentControllerType.ECS : ecs.DeploymentControllerType.CODE_DEPLOY);
    const lonely = () => new elbv2.ApplicationTargetGroup(s.stack, 'Lonely', { vpc: s.vpc, port: 80, protocol: elbv2.ApplicationProtocol.HTTP, targetType: elbv2.TargetType.IP });
    const construct = new EcsCodeDeployRollout(s.stack, 'Rollout', {
      service: p.service === 'ecs' ? s.service : real(p.service, () => s.service),
      blueTargetGroup: p.blueTargetGroup === 'green' ? s.green : real(p.blueTargetGroup, () => s.blue),
      greenTargetGroup: p.greenTargetGroup === 'lonely' ? lonely() : real(p.greenTargetGroup, () => s.green),
      listener: real(p.listener, () => s.listener),
      testListener: p.testListener === 'production' ? s.listener : real(p.testListener, () => s.testListener),
      strategy: p.strategy,
      alarms: extraAlarms(s.stack, p.alarms) as cloudwatch.IAlarm[],
      healthChecks: healthChecksProp(s.stack, p.healthChecks) as HealthCheck[],
      application: p.application === 'lambda' ? new codedeploy.LambdaApplication(s.stack, 'LambdaApp')
        : real(p.application, () => new codedeploy.EcsApplication(s.stack, 'App')),
      deploymentGroupName: p.deploymentGroupName,
    });
    return { stack: s.stack, construct };
  }

  test('either synthesize a valid, clean deployment group or refuse with the library error', () => {
    expectBuildsOrRefuses(propsArb, p => {
      const { stack, construct } = build(p);
      const template = validatedTemplate(stack);
      expectCleanAssembly(stack.node.root as App);
      const group = Object.values(template.findResources('AWS::CodeDeploy::DeploymentGroup'))[0].Properties;
      // Each health check's alarms (on blue and on green, or the user's own once), and the ones passed.
      const count = healthCheckAlarmCount(construct.plan.healthChecks, 2) + extraAlarmCount(p.alarms);
      expect(group.AlarmConfiguration?.Alarms ?? []).toHaveLength(count);
      // The old task set lives for the plan's final bake, and a custom configuration shifts the plan's first step.
      const plan = construct.plan;
      const bakeMinutes = (plan.steps[plan.steps.length - 1].gate?.minimumDuration.toSeconds() ?? 0) / 60;
      expect(group.BlueGreenDeploymentConfiguration.TerminateBlueInstancesOnDeploymentSuccess.TerminationWaitTimeInMinutes).toBe(bakeMinutes);
      const configs = Object.values(template.findResources('AWS::CodeDeploy::DeploymentConfig'));
      if (configs.length > 0) {
        const routing = configs[0].Properties.TrafficRoutingConfig;
        expect(routing.TimeBasedCanary?.CanaryPercentage ?? routing.TimeBasedLinear?.LinearPercentage).toBe(plan.steps[0].candidateWeight);
      }
    }, { quickRuns: 25 });
  });
});
