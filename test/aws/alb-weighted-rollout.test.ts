import { App, Duration, Stack } from 'aws-cdk-lib';
import { Annotations as CfnAnnotations, Match as CfnMatch, Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as fc from 'fast-check';
import { aws, guardrails, HealthCheck, Match, StepGate, Strategy } from '../../src';
import { PLAN_METADATA_TYPE, STEP_METADATA_TYPE } from '../../src/aws/private/plan-metadata';
import { guardrailFactsOf } from '../../src/guardrails/private/facts';
import { oddValueArb, presetArb, strategyArb } from '../support/arbitraries';
import { testApp, validatedTemplate } from '../support/cfn';
import { expectBuildsOrRefuses, expectCleanAssembly } from '../support/properties';
import { definitionOf, expectValidAsl } from '../support/sfn';
import { expectValidationError } from '../support/validation-error';

const where = 'AlbWeightedRollout Stack/Web';
const bake = (minutes: number) => StepGate.bake(Duration.minutes(minutes));
const RULE = 'AWS::ElasticLoadBalancingV2::ListenerRule';

/** A load balancer with a listener and two target groups, without a VPC's resources. */
function setup(context: Record<string, unknown> = {}) {
  const stack = new Stack(testApp({ context }), 'Stack');
  const vpc = ec2.Vpc.fromVpcAttributes(stack, 'Vpc', {
    vpcId: 'vpc-12345678', availabilityZones: ['us-east-1a', 'us-east-1b'], publicSubnetIds: ['subnet-0a1b2c3d4e5f60718', 'subnet-0a1b2c3d4e5f60719'],
  });
  const alb = new elbv2.ApplicationLoadBalancer(stack, 'Lb', { vpc, internetFacing: true });
  const listener = alb.addListener('Http', { port: 80, open: false, defaultAction: elbv2.ListenerAction.fixedResponse(404) });
  const group = (id: string) => new elbv2.ApplicationTargetGroup(stack, id, { vpc, port: 80, targetType: elbv2.TargetType.IP });
  return { stack, vpc, listener, blue: group('Blue'), green: group('Green') };
}

function rollout(props: Partial<aws.AlbWeightedRolloutProps> = {}, context: Record<string, unknown> = {}) {
  const base = setup(context);
  const construct = new aws.AlbWeightedRollout(base.stack, 'Web', {
    listener: base.listener, priority: 10, stable: base.blue, candidate: base.green, strategy: Strategy.CANARY_10PERCENT_5MINUTES, ...props,
  });
  return { ...base, construct };
}

/** The production rule's forward weights, stable first. */
function weights(template: Template, priority: number = 10): number[] {
  const rule = Object.values(template.findResources(RULE)).find(r => r.Properties.Priority === priority)!;
  return rule.Properties.Actions[0].ForwardConfig.TargetGroups.map((t: any) => t.Weight);
}

describe('driven by Step Functions (the default)', () => {
  test('the rule declares everything forwarded to stable; the driver moves the weights', () => {
    const { stack, construct } = rollout();
    const template = validatedTemplate(stack);
    expect(weights(template)).toEqual([1, 0]);
    expect(construct.driver.isDriven).toBe(true);
    expect(construct.stateMachine).toBeDefined();
    expectValidAsl(definitionOf(template.toJSON()));
    // The rule is the primary child, and what starts the driver when a deploy changes it.
    expect(construct.node.defaultChild === construct.rule).toBe(true);
    template.hasResource(RULE, { Properties: CfnMatch.objectLike({ Priority: 10 }), DependsOn: CfnMatch.arrayWith([CfnMatch.stringLikeRegexp('^WebDriverStart')]) });
  });

  test('the candidate target group is watched for 5xx and p99 by default, and CDS-R1 passes', () => {
    const { stack, construct } = rollout();
    const template = validatedTemplate(stack);
    template.resourceCountIs('AWS::CloudWatch::Alarm', 2);
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Metrics: CfnMatch.arrayWith([CfnMatch.objectLike({
        MetricStat: CfnMatch.objectLike({
          Metric: CfnMatch.objectLike({ MetricName: 'HTTPCode_Target_5XX_Count', Dimensions: CfnMatch.arrayWith([{ Name: 'TargetGroup', Value: CfnMatch.anyValue() }]) }),
        }),
      })]),
    });
    const findings = guardrails.Guardrails.report(construct, guardrails.GuardrailPack.recommended()).findings;
    expect(findings.filter(f => f.ruleId === 'CDS-R1')).toEqual([]);
    const entry = (stack.node.root as App).synth().getStackByName('Stack').findMetadataByType(PLAN_METADATA_TYPE)[0];
    expect((entry.data as any).controller).toMatch(/^ALB weighted target groups, driven by the Step Functions state machine Stack-Web-[0-9A-F]{8}$/);
  });

  test('alarms of your own, and health checks added later, are read too; the plan lists the checks and CDS-R1 counts both', () => {
    const { stack, construct } = rollout({ healthChecks: [] });
    construct.addAlarm(new cloudwatch.Alarm(stack, 'Latency', { metric: new cloudwatch.Metric({ namespace: 'App', metricName: 'Latency' }), threshold: 1, evaluationPeriods: 1 }));
    construct.addHealthCheck(HealthCheck.errorRate({ maxErrorPercent: 5, name: 'errors' }));
    expect(definitionOf(validatedTemplate(stack).toJSON()).States['List the alarms'].Result).toHaveLength(2);
    expect(construct.healthCheckAlarms.map(a => a.node.path)).toEqual(['Stack/Web/HealthChecks/errors']);
    expect(construct.plan.healthChecks.map(c => c.name)).toEqual(['errors']);
    const entry = (stack.node.root as App).synth().getStackByName('Stack').findMetadataByType(PLAN_METADATA_TYPE)[0];
    expect((entry.data as any).plan.healthChecks.map((c: any) => c.name)).toEqual(['errors']);
    expect(guardrailFactsOf(construct).map(f => f.rollbackTriggers!().map(t => `${t.kind}: ${t.description}`))).toEqual([['ALARM: health check errors (1 CloudWatch alarm)', 'ALARM: 1 CloudWatch alarm']]);
  });

  test('without a candidate the rule forwards to stable alone, and nothing is driven', () => {
    const { stack, construct } = rollout({ candidate: undefined });
    const template = validatedTemplate(stack);
    template.hasResourceProperties(RULE, { Actions: [{ Type: 'forward', TargetGroupArn: CfnMatch.anyValue() }] });
    template.resourceCountIs('AWS::StepFunctions::StateMachine', 0);
    expect(construct.stateMachine).toBeUndefined();
  });

  test('refuses a step, which the driver would ignore', () => {
    expectValidationError(() => rollout({ step: 2 }),
      `${where}: step is 2: the Step Functions driver runs every step of the plan itself, from the declared start. `
      + 'Leave step out, or drive the rollout with driver: RolloutDriver.pipeline() to deploy one step at a time.');
  });
});

describe('one deploy per step with RolloutDriver.pipeline()', () => {
  test.each([
    [1, [9, 1]],
    [2, [0, 1]],
  ])('step %d forwards by the plan\'s weights', (step, expected) => {
    const { stack, construct } = rollout({ driver: aws.RolloutDriver.pipeline(), step });
    expect(weights(validatedTemplate(stack))).toEqual(expected);
    expect(construct.step!.index).toBe(step);
    expect(construct.node.metadata.find(m => m.type === STEP_METADATA_TYPE)!.data).toMatchObject({ step, contextKey: 'Stack/Web:step' });
  });

  test('a canary of tenths of a percent has exact ALB weights', () => {
    const { stack } = rollout({
      driver: aws.RolloutDriver.pipeline(),
      strategy: Strategy.canary({ steps: [{ weight: 0.1, gate: bake(1) }, { weight: 33.3, gate: bake(1) }] }),
      step: 2,
    });
    expect(weights(validatedTemplate(stack))).toEqual([667, 333]);
  });

  test('refuses alarms and health checks, which nothing would act on; CDS-R1 says nothing rolls it back', () => {
    const base = setup();
    const alarm = new cloudwatch.Alarm(base.stack, 'Errors', { metric: new cloudwatch.Metric({ namespace: 'A', metricName: 'B' }), threshold: 1, evaluationPeriods: 1 });
    expectValidationError(() => new aws.AlbWeightedRollout(base.stack, 'Web', {
      listener: base.listener,
      priority: 10,
      stable: base.blue,
      candidate: base.green,
      strategy: Strategy.CANARY_10PERCENT_5MINUTES,
      driver: aws.RolloutDriver.pipeline(),
      alarms: [alarm],
    }), `${where}: alarms is an array of 1: nothing reads them: the pipeline advances one deploy per step, and the load balancer moves no traffic by itself. `
      + 'Drive the rollout with driver: RolloutDriver.stepFunctions() (the default), which rolls back when an alarm fires, or leave alarms out.');
    const { construct } = rollout({ driver: aws.RolloutDriver.pipeline() });
    const findings = guardrails.Guardrails.report(construct, guardrails.GuardrailPack.recommended()).findings.filter(f => f.ruleId === 'CDS-R1');
    expect(findings).toHaveLength(1);
  });
});

describe('a blue-green test route', () => {
  const blueGreen = Strategy.blueGreen({ testRoute: Match.header('x-env', 'green'), promotion: StepGate.manualApproval() });

  test('is a rule before the production rule, for the route\'s header and private addresses only, forwarding to the candidate', () => {
    const { stack, construct } = rollout({ strategy: blueGreen });
    const template = validatedTemplate(stack);
    template.hasResourceProperties(RULE, {
      Priority: 9,
      Conditions: CfnMatch.arrayWith([
        { Field: 'http-header', HttpHeaderConfig: { HttpHeaderName: 'x-env', Values: ['green'] } },
        { Field: 'source-ip', SourceIpConfig: { Values: ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'] } },
      ]),
      Actions: [{ Type: 'forward', TargetGroupArn: { Ref: CfnMatch.stringLikeRegexp('^Green') } }],
    });
    const findings = guardrails.Guardrails.report(construct, guardrails.GuardrailPack.recommended()).findings.filter(f => f.ruleId === 'CDS-R4');
    expect(findings).toEqual([]);
  });

  test.each([
    [{ testPriority: 10 }, `${where}: testPriority is 10: the test rule must be evaluated before the production rule (priority 10), so its priority must be lower. Use a testPriority below 10, or raise priority.`],
    [{ testRouteSources: [] }, `${where}: testRouteSources is an empty array: a test route needs at least one source range. `
      + 'List the ranges your testers connect from, or leave testRouteSources out for private addresses only.'],
  ])('refuses %j', (props, message) => {
    expectValidationError(() => rollout({ strategy: blueGreen, ...props }), message);
  });

  test('without a test route, its props are refused', () => {
    expectValidationError(() => rollout({ testRouteSources: ['10.0.0.0/8'] }),
      `${where}: testRouteSources is an array of 1: the strategy has no test route, so nobody is let through to the candidate early. `
      + 'Add a test route to the strategy, such as Strategy.blueGreen({ testRoute: Match.header("x-env", "green") }), or leave testRouteSources out.');
  });
});

describe('rules sharing the listener', () => {
  const REFUSED = 'a listener takes one rule per priority, and the load balancer refuses the second at deploy time (PriorityInUse)';
  const host = (name: string) => elbv2.ListenerCondition.hostHeaders([name]);
  const priorityOf = (rule: elbv2.ApplicationListenerRule) => Stack.of(rule).resolve((rule.node.defaultChild as elbv2.CfnListenerRule).priority);
  const blueGreen = Strategy.blueGreen({ testRoute: Match.header('x-env', 'green'), promotion: StepGate.manualApproval() });

  /** A second rollout on the listener of `base`, between target groups of its own. */
  function another(base: ReturnType<typeof setup>, id: string, props: Partial<aws.AlbWeightedRolloutProps> = {}) {
    const group = (suffix: string) => new elbv2.ApplicationTargetGroup(base.stack, `${id}${suffix}`, {
      vpc: base.vpc, port: 80, targetType: elbv2.TargetType.IP,
    });
    return new aws.AlbWeightedRollout(base.stack, id, {
      listener: base.listener, stable: group('Blue'), candidate: group('Green'), strategy: Strategy.CANARY_10PERCENT_5MINUTES, ...props,
    });
  }

  test('two rollouts at one priority are refused at synth, naming both and a free priority', () => {
    const base = rollout({ conditions: [host('www.example.com')] });
    another(base, 'Api', { priority: 10, conditions: [host('api.example.com')] });
    expectValidationError(() => (base.stack.node.root as App).synth(),
      'AlbWeightedRollout Stack/Api: priority is 10: the production rule takes priority 10, which the listener Stack/Lb/Http already gives to '
      + `the production rule of AlbWeightedRollout Stack/Web (priority 10): ${REFUSED}. Use a free range, such as priority 11.`);
  });

  test('a test rule at the priority of another rollout\'s production rule is refused, naming the range both rules need', () => {
    const base = rollout({ conditions: [host('www.example.com')] });
    another(base, 'Api', { priority: 11, strategy: blueGreen, conditions: [host('api.example.com')] });
    expectValidationError(() => (base.stack.node.root as App).synth(),
      'AlbWeightedRollout Stack/Api: testPriority is 10: the test rule takes priority 10, which the listener Stack/Lb/Http already gives to '
      + `the production rule of AlbWeightedRollout Stack/Web (priority 10): ${REFUSED}. Use a free range, such as priority 12 (its test rule then takes 11).`);
  });

  test('without a priority on a listener the library does not number, refused', () => {
    expectValidationError(() => rollout({ priority: undefined }),
      `${where}: priority is undefined: the rollout's rule needs a priority of its own on the listener. `
      + 'Pass a priority no other rule on the listener uses, such as 10, or let the library choose one with ListenerPriorities.automatic(listener).');
  });

  test('automatic priorities: a slot chosen by the construct path, the test rule first, the production rule second', () => {
    const base = setup();
    aws.ListenerPriorities.automatic(base.listener);
    const web = new aws.AlbWeightedRollout(base.stack, 'Web', {
      listener: base.listener, stable: base.blue, candidate: base.green, strategy: blueGreen, conditions: [host('www.example.com')],
    });
    const api = another(base, 'Api', { conditions: [host('api.example.com')] });
    // What deployed stacks hold: these numbers must never change from one release of the library to the next.
    expect([priorityOf(web.testRule!), priorityOf(web.rule)]).toEqual([23290, 23291]);
    expect(priorityOf(api.rule)).toEqual(2461);
    validatedTemplate(base.stack);
    expectCleanAssembly(base.stack.node.root as App);
  });

  test('a given priority wins over the automatic one', () => {
    const base = setup();
    aws.ListenerPriorities.automatic(base.listener);
    const web = new aws.AlbWeightedRollout(base.stack, 'Web', {
      listener: base.listener, priority: 7, stable: base.blue, candidate: base.green, strategy: Strategy.CANARY_10PERCENT_5MINUTES,
    });
    expect(priorityOf(web.rule)).toEqual(7);
  });

  test('a rollout shadowed by an earlier rollout with the same conditions is refused, naming both and the fix', () => {
    const base = rollout();
    another(base, 'Api', { priority: 20 });
    expectValidationError(() => (base.stack.node.root as App).synth(),
      'AlbWeightedRollout Stack/Api: priority is 20: the production rule (priority 20) on the listener Stack/Lb/Http can never match: '
      + 'the production rule of AlbWeightedRollout Stack/Web (priority 10) is evaluated first and takes every request it matches (path-pattern "/*" matches every path), '
      + 'so the rollout would receive no request. Tell the rules apart: give AlbWeightedRollout Stack/Web conditions that leave these requests out '
      + '(a host header, such as ListenerCondition.hostHeaders(["www.example.com"]), or a path pattern); or evaluate AlbWeightedRollout Stack/Api first, '
      + 'with a priority below 10, if its rules are the narrower ones.');
  });

  test('a rule of your own that the rollout shadows is a warning', () => {
    const base = rollout();
    new elbv2.ApplicationListenerRule(base.stack, 'Admin', {
      listener: base.listener, priority: 30, conditions: [elbv2.ListenerCondition.pathPatterns(['/admin/*'])], action: elbv2.ListenerAction.fixedResponse(403),
    });
    validatedTemplate(base.stack);
    const warnings = CfnAnnotations.fromStack(base.stack).findWarning('/Stack/Admin', CfnMatch.stringLikeRegexp('can never match'));
    expect(warnings.map(w => w.entry.data)).toEqual(['The listener rule Stack/Admin (priority 30) on the listener Stack/Lb/Http can never match: '
      + 'the production rule of AlbWeightedRollout Stack/Web (priority 10) is evaluated first and takes every request it matches (path-pattern "/*" matches every path). '
      + 'Give AlbWeightedRollout Stack/Web conditions that leave these requests out, or give the rule a priority below 10; if the rule is kept on purpose, '
      + 'acknowledge this warning: Annotations.of(rule).acknowledgeWarning(\'cdk-deploy-strategies:shadowedListenerRule\', \'<why>\'). '
      + '[ack: cdk-deploy-strategies:shadowedListenerRule]']);
  });
});

describe('bad input', () => {
  test.each([
    [{ strategy: 'canary' }, `${where}: strategy is "canary": a rollout needs a Strategy. Pass a Strategy, for example Strategy.CANARY_10PERCENT_5MINUTES.`],
    [{ listener: 'http' }, `${where}: listener is "http": it must be an Application Load Balancer listener (elbv2.IApplicationListener). `
      + 'Pass the listener that serves production, such as loadBalancer.addListener("Http", { port: 80, ... }).'],
    [{ priority: 0 }, `${where}: priority is 0: an ALB listener rule priority is a whole number from 1 to 50000. Pick a priority no other rule on the listener uses, such as 10.`],
    [{ candidate: 'green' }, `${where}: candidate is "green": it must be an Application Load Balancer target group (elbv2.IApplicationTargetGroup). `
      + 'Pass an elbv2.ApplicationTargetGroup, such as the one an Auto Scaling group or an ECS service registers in.'],
    [{ driver: 'stepFunctions' }, `${where}: driver is "stepFunctions": it must be a RolloutDriver. Pass RolloutDriver.stepFunctions() or RolloutDriver.pipeline().`],
  ])('refuses %j', (props, message) => {
    expectValidationError(() => rollout(props as any), message);
  });

  test('refuses the same target group on both sides', () => {
    const base = setup();
    expectValidationError(() => new aws.AlbWeightedRollout(base.stack, 'Web', {
      listener: base.listener, priority: 10, stable: base.blue, candidate: base.blue, strategy: Strategy.CANARY_10PERCENT_5MINUTES,
    }), `${where}: candidate is "Stack/Blue": it is also the stable target group, so the rollout would move no traffic. Point candidate at the target group of the new version.`);
  });
});

describe('random props', () => {
  const seldom = <T>(valid: fc.Arbitrary<T>, odd: fc.Arbitrary<unknown> = oddValueArb): fc.Arbitrary<T> =>
    fc.oneof({ weight: 12, arbitrary: valid }, { weight: 1, arbitrary: odd as fc.Arbitrary<T> });
  const propsArb = fc.record({
    strategy: seldom(fc.oneof(presetArb, strategyArb)),
    driver: fc.constantFrom('driven', 'pipeline', undefined),
    candidate: fc.constantFrom('green', 'green', 'green', 'none'),
    priority: seldom(fc.integer({ min: 2, max: 50_000 }) as fc.Arbitrary<unknown>, fc.oneof(fc.constantFrom(0, 1, 50_001, 1.5), oddValueArb)),
    // Automatic priorities on the listener; a given priority still wins.
    automatic: fc.boolean(),
    step: fc.option(fc.integer({ min: 0, max: 4 }), { nil: undefined, freq: 3 }),
    testRouteSources: fc.option(fc.constantFrom(['10.0.0.0/8'], ['203.0.113.0/24', '2001:db8::/32'], [], ['not a cidr']), { nil: undefined, freq: 4 }),
  });
  type Props = typeof propsArb extends fc.Arbitrary<infer P> ? P : never;

  function build(p: Props) {
    const base = setup();
    if (p.automatic) aws.ListenerPriorities.automatic(base.listener);
    const driver = p.driver === 'driven' ? aws.RolloutDriver.stepFunctions() : p.driver === 'pipeline' ? aws.RolloutDriver.pipeline() : undefined;
    const construct = new aws.AlbWeightedRollout(base.stack, 'Web', {
      listener: base.listener,
      priority: p.priority as number,
      stable: base.blue,
      candidate: p.candidate === 'green' ? base.green : undefined,
      strategy: p.strategy,
      driver,
      step: p.step,
      testRouteSources: p.testRouteSources as string[] | undefined,
    });
    const template = validatedTemplate(base.stack);
    expectCleanAssembly(base.stack.node.root as App);
    if (construct.stateMachine) expectValidAsl(definitionOf(template.toJSON()));
    if (p.candidate === 'green') {
      const priority = Stack.of(construct).resolve((construct.rule.node.defaultChild as elbv2.CfnListenerRule).priority);
      const [stable, candidate] = weights(template, priority);
      expect(Math.max(stable, candidate)).toBeLessThanOrEqual(999);
      if (!construct.driver.isDriven) expect(candidate * 100).toBeCloseTo(construct.step!.candidateWeight * (stable + candidate), 6);
    }
  }

  test('either synthesize a valid, clean rule (and driver) or refuse with the library error', () => {
    expectBuildsOrRefuses(propsArb, build);
  });
});
