import { App, Duration, Stack } from 'aws-cdk-lib';
import { Annotations, Match as CfnMatch, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { aws, Experiment, ExperimentProps, Match } from '../../src';
import { EXPERIMENT_METADATA_TYPE } from '../../src/private/plan-metadata';
import { testApp, validatedTemplate } from '../support/cfn';
import { expectValidationError } from '../support/validation-error';

const where = 'AlbExperiment Stack/Checkout';
const at = new Date('2026-06-01T00:00:00Z');
const RULE = 'AWS::ElasticLoadBalancingV2::ListenerRule';

/** A header, 30% of the cookie-holders, a query parameter, and weighted shares of everyone else. */
const mixed = new Experiment({
  name: 'new-checkout',
  variants: [
    { name: 'staff', match: Match.header('x-staff', 'yes') },
    { name: 'beta', match: Match.cookie('beta', 'true'), weight: 30 },
    { name: 'mobile', match: Match.queryParameter('ui', 'mobile') },
    { name: 'one-click', weight: 10 },
    { name: 'express', weight: 12.5 },
  ],
  stickiness: Duration.days(1),
  endDate: new Date('2027-12-31T00:00:00Z'),
});

function experimentOf(props: Partial<ExperimentProps>): Experiment {
  return new Experiment({ name: 'new-checkout', variants: [{ name: 'b', weight: 10 }], ...props });
}

function setup() {
  const stack = new Stack(testApp(), 'Stack');
  const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 0, subnetConfiguration: [{ name: 'Isolated', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }] });
  const alb = new elbv2.ApplicationLoadBalancer(stack, 'Alb', { vpc });
  const listener = alb.addListener('Http', { port: 80, open: false, defaultAction: elbv2.ListenerAction.fixedResponse(404) });
  const groups = new Map<string, elbv2.ApplicationTargetGroup>();
  const targetGroupsFor = (experiment: Experiment) => Object.fromEntries([experiment.control, ...experiment.variants.map(v => v.name)].map(name => {
    if (!groups.has(name)) groups.set(name, new elbv2.ApplicationTargetGroup(stack, `Tg-${name}`, { vpc, port: 80, targetType: elbv2.TargetType.IP }));
    return [name, groups.get(name)!];
  }));
  return { stack, vpc, listener, targetGroupsFor };
}

function render(experiment: Experiment, props: Partial<aws.AlbExperimentProps> = {}) {
  const { stack, listener, targetGroupsFor } = setup();
  const construct = new aws.AlbExperiment(stack, 'Checkout', { listener, experiment, targetGroups: targetGroupsFor(experiment), at, ...props });
  const template = validatedTemplate(stack);
  const tg = (name: string) => stack.resolve(targetGroupsFor(experiment)[name].targetGroupArn);
  return { stack, construct, template, tg, rules: rulesOf(template) };
}

function attempt(props: Partial<aws.AlbExperimentProps>, experiment: Experiment = mixed) {
  return () => {
    const { stack, listener, targetGroupsFor } = setup();
    return new aws.AlbExperiment(stack, 'Checkout', { listener, experiment, targetGroups: targetGroupsFor(experiment), at, ...props } as aws.AlbExperimentProps);
  };
}

/** The rules in the template, by priority, with their logical ids. */
function rulesOf(template: Template): Array<{ id: string; Priority: number; Conditions: any[]; Actions: any[]; DependsOn?: string[] }> {
  return Object.entries(template.findResources(RULE))
    .map(([id, r]) => ({ id, ...r.Properties, DependsOn: r.DependsOn }))
    .sort((a, b) => a.Priority - b.Priority);
}

const path = (...values: string[]) => ({ Field: 'path-pattern', PathPatternConfig: { Values: values } });
const forward = (arn: unknown) => [{ Type: 'forward', TargetGroupArn: arn }];
const weighted = (groups: Array<[unknown, number]>, seconds?: number) => [{
  Type: 'forward',
  ForwardConfig: {
    TargetGroups: groups.map(([arn, weight]) => ({ TargetGroupArn: arn, Weight: weight })),
    ...(seconds === undefined ? {} : { TargetGroupStickinessConfig: { Enabled: true, DurationSeconds: seconds } }),
  },
}];

describe('an active experiment', () => {
  test('one rule per matched variant, in order, then everyone else split between the weighted variants and the control', () => {
    const { rules, tg } = render(mixed);
    expect(rules.map(r => [r.Priority, r.Conditions, r.Actions])).toEqual([
      [100, [path('/*'), { Field: 'http-header', HttpHeaderConfig: { HttpHeaderName: 'x-staff', Values: ['yes'] } }], forward(tg('staff'))],
      [101, [path('/*'), { Field: 'http-header', HttpHeaderConfig: { HttpHeaderName: 'Cookie', Values: ['beta=true', 'beta=true;*', '*; beta=true', '*; beta=true;*'] } }],
        weighted([[tg('beta'), 3], [tg('control'), 7]], 86400)],
      [102, [path('/*'), { Field: 'query-string', QueryStringConfig: { Values: [{ Key: 'ui', Value: 'mobile' }] } }], forward(tg('mobile'))],
      // 10% / 12.5% / 77.5% in tenths is 100 / 125 / 775: the smallest exact weights are 4 / 5 / 31.
      [103, [path('/*')], weighted([[tg('one-click'), 4], [tg('express'), 5], [tg('control'), 31]], 86400)],
    ]);
  });

  test('a header-matched variant and a 10% variant: 1 / 9 with the stickiness of the experiment', () => {
    const experiment = experimentOf({ variants: [{ name: 'beta', match: Match.header('x-beta', 'true') }, { name: 'one-click', weight: 10 }], stickiness: Duration.hours(12) });
    const { rules, tg, template } = render(experiment);
    expect(rules.map(r => [r.Priority, r.Actions])).toEqual([
      [100, forward(tg('beta'))],
      [101, weighted([[tg('one-click'), 1], [tg('control'), 9]], 43200)],
    ]);
    template.resourceCountIs(RULE, 2);
  });

  test('12.5% is 1 / 7, and without stickiness the forward has no stickiness config', () => {
    const { rules, tg } = render(experimentOf({ variants: [{ name: 'b', weight: 12.5 }] }));
    expect(rules).toHaveLength(1);
    expect(rules[0].Actions).toEqual(weighted([[tg('b'), 1], [tg('control'), 7]]));
  });

  test('an experiment whose variants all have a match leaves everyone else to the control alone', () => {
    const { rules, tg } = render(experimentOf({ variants: [{ name: 'b', match: Match.queryParameter('v', 'b') }], stickiness: Duration.days(1) }));
    expect(rules.map(r => [r.Priority, r.Actions])).toEqual([[100, forward(tg('b'))], [101, forward(tg('control'))]]);
  });

  test('every rule carries the conditions, from the priority given, updated from the highest priority number down', () => {
    const conditions = [elbv2.ListenerCondition.hostHeaders(['shop.example.com'])];
    const { rules } = render(mixed, { conditions, priority: 7 });
    const host = { Field: 'host-header', HostHeaderConfig: { Values: ['shop.example.com'] } };
    expect(rules.map(r => r.Priority)).toEqual([7, 8, 9, 10]);
    rules.forEach(r => expect(r.Conditions[0]).toEqual(host));
    expect(rules[3].Conditions).toEqual([host]);
    expect(rules.map(r => r.DependsOn)).toEqual([[rules[1].id], [rules[2].id], [rules[3].id], undefined]);
  });

  test('construct ids name the variant of each rule, and the rule for everyone else', () => {
    const { construct } = render(mixed);
    expect(construct.rules.map(r => r.node.id)).toEqual(['Variant-staff', 'Variant-beta', 'Variant-mobile', 'EveryoneElse']);
    expect(construct.experiment).toBe(mixed);
    expect(construct.active).toBe(true);
  });

  test('works on an imported listener and imported target groups', () => {
    const stack = new Stack(testApp(), 'Stack');
    const sg = ec2.SecurityGroup.fromSecurityGroupId(stack, 'Sg', 'sg-12345678');
    const listener = elbv2.ApplicationListener.fromApplicationListenerAttributes(stack, 'Listener', {
      listenerArn: 'arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/shop/50dc6c495c0c9188/f2f7dc8efc522ab2',
      securityGroup: sg,
    });
    const group = (name: string) => elbv2.ApplicationTargetGroup.fromTargetGroupAttributes(stack, name, {
      targetGroupArn: `arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/${name}/73e2d6bc24d8a067`,
    });
    const experiment = experimentOf({});
    new aws.AlbExperiment(stack, 'Checkout', { listener, experiment, targetGroups: { control: group('control'), b: group('b') }, at });
    validatedTemplate(stack).hasResourceProperties(RULE, {
      ListenerArn: 'arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/shop/50dc6c495c0c9188/f2f7dc8efc522ab2',
      Priority: 100,
      Actions: weighted([
        ['arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/b/73e2d6bc24d8a067', 1],
        ['arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/control/73e2d6bc24d8a067', 9],
      ]),
    });
  });

  test('records the experiment, active, with its allocation table', () => {
    const { stack, construct } = render(mixed);
    const recorded = (stack.node.root as App).synth().getStackByName('Stack').findMetadataByType(EXPERIMENT_METADATA_TYPE);
    expect(recorded).toHaveLength(1);
    expect(recorded[0].path).toBe('/Stack/Checkout');
    expect(recorded[0].data).toEqual({ backend: 'Application Load Balancer', active: true, table: mixed.toTable(at) });
    expect(construct.node.metadata.find(m => m.type === EXPERIMENT_METADATA_TYPE)).toBeDefined();
    Annotations.fromStack(stack).hasNoWarning('/Stack/Checkout', CfnMatch.anyValue());
  });
});

describe('an experiment that does not run', () => {
  test.each([
    ['past its end date', mixed, new Date('2028-01-01T00:00:00Z'), 'experiment "new-checkout" ended on 2027-12-31T00:00:00.000Z'],
    ['switched off', new Experiment({ name: 'new-checkout', variants: mixed.variants, enabled: false }), at, 'experiment "new-checkout" is switched off'],
  ])('%s: one rule sends everything to the control, at the priority of the rule for everyone else, with a warning', (_, experiment, moment, reason) => {
    const { rules, tg, construct, stack } = render(experiment, { at: moment });
    expect(rules.map(r => [r.Priority, r.Conditions, r.Actions])).toEqual([[103, [path('/*')], forward(tg('control'))]]);
    expect(construct.rules.map(r => r.node.id)).toEqual(['EveryoneElse']);
    expect(construct.active).toBe(false);
    Annotations.fromStack(stack).hasWarning('/Stack/Checkout',
      `Every request goes to the control "control": ${reason}. Remove the AlbExperiment (and the variants' target groups) once you have your results, or change the experiment and deploy again. [ack: cdk-deploy-strategies:albExperimentInactive]`);
    const [recorded] = (stack.node.root as App).synth().getStackByName('Stack').findMetadataByType(EXPERIMENT_METADATA_TYPE);
    expect(recorded.data).toEqual({ backend: 'Application Load Balancer', active: false, reason, table: experiment.toTable(moment) });
  });

  test('the rule for everyone else keeps its construct id, and so its logical id, when the experiment ends', () => {
    const running = render(mixed).rules;
    const ended = render(mixed, { at: new Date('2028-01-01T00:00:00Z') }).rules;
    expect(ended[0].id).toBe(running[3].id);
  });

  test('is still checked as if it ran, so switching it on again cannot fail', () => {
    const off = new Experiment({ name: 'new-checkout', variants: [{ name: 'b', match: Match.headerRegex('user-agent', '.*Mobile.*') }], enabled: false });
    expect(attempt({}, off)).toThrow(/AlbExperiment matches a header by its exact value/);
  });
});

describe('what the ALB cannot express fails', () => {
  test('a regular expression, naming what works instead', () => {
    const experiment = experimentOf({ variants: [{ name: 'b', match: Match.headerRegex('user-agent', '.*Mobile.*') }] });
    expectValidationError(attempt({}, experiment),
      `${where}: experiment "new-checkout" variants[0].match is "header user-agent~/.*Mobile.*/": AlbExperiment matches a header by its exact value: it renders aws-cdk-lib's ListenerCondition, which has no regular-expression condition. `
      + 'Use Match.header() with an exact value, such as Match.header("user-agent", "on"), or render this experiment on Kubernetes with k8s.GatewayExperiment, whose Gateway API route matches headers by regular expression.');
  });

  test('more than 4 variants without a match: a forward action has at most 5 target groups', () => {
    const experiment = experimentOf({ variants: ['a', 'b', 'c', 'd', 'e'].map(name => ({ name, weight: 10 })) });
    expectValidationError(attempt({}, experiment),
      `${where}: experiment "new-checkout" variants without a match is "a, b, c, d, e, control": an ALB forward action sends to at most 5 target groups, and the rule for everyone else (priority 100) would send to 6. `
      + 'Use at most 4 variants without a match (the control takes one target group), or give some of them a match.');
  });

  test('stickiness longer than 7 days', () => {
    expectValidationError(attempt({}, experimentOf({ stickiness: Duration.days(8) })),
      `${where}: experiment "new-checkout" stickiness is 8 days: ALB target group stickiness lasts from 1 second to 7 days. `
      + 'Use a stickiness of at most Duration.days(7); for longer, select the variant by a cookie match, which a user keeps as long as the cookie lives.');
  });

  test('a cookie and conditions of more than one value: 5 condition values per rule', () => {
    const conditions = [elbv2.ListenerCondition.hostHeaders(['shop.example.com']), elbv2.ListenerCondition.pathPatterns(['/checkout'])];
    expectValidationError(attempt({ conditions }),
      `${where}: conditions is an array of 2: an ALB listener rule compares at most 5 values, and the rule of variant "beta" (cookie beta=true) would compare 6. Use fewer values, such as one path pattern.`);
  });

  test('a cookie and conditions with more than one wildcard: 5 wildcards per rule', () => {
    const conditions = [elbv2.ListenerCondition.pathPatterns(['/*/checkout/*'])];
    expectValidationError(attempt({ conditions }),
      `${where}: conditions is an array of 1: an ALB listener rule uses at most 5 wildcards (* or ?), and the rule of variant "beta" (cookie beta=true) would use 6. `
      + 'Use conditions with fewer wildcards, such as a host header without one, or match the variant by a header instead of a cookie.');
  });

  test.each([
    ['headers', Match.header('X-Beta', 'on'), Match.header('x-beta', 'ON'), 'header X-Beta=on', 'header x-beta=ON'],
    ['query parameters', Match.queryParameter('ui', 'Mobile'), Match.queryParameter('UI', 'mobile'), 'query ui=Mobile', 'query UI=mobile'],
    ['cookies', Match.cookie('beta', 'true'), Match.cookie('Beta', 'TRUE'), 'cookie beta=true', 'cookie Beta=TRUE'],
  ])('two variants whose %s differ only by letter case: the ALB compares them case-insensitively', (_, first, second, firstShown, secondShown) => {
    const experiment = experimentOf({ variants: [{ name: 'a', match: first }, { name: 'b', match: second }] });
    expectValidationError(attempt({}, experiment),
      `${where}: experiment "new-checkout" variants[1].match is "${secondShown}": the ALB compares header names and values, cookies and query parameters without regard to case, `
      + `so it reads this as the match of variant "a" (${firstShown}), whose rule comes first: variant "b" would receive no request. `
      + 'Give variant "b" a match that differs from variant "a"\'s by more than letter case, or merge the two variants.');
  });

  test('matches that differ by more than letter case render a rule each', () => {
    const experiment = experimentOf({
      variants: [{ name: 'a', match: Match.header('x-beta', 'on') }, { name: 'b', match: Match.header('x-beta', 'off') }, { name: 'c', match: Match.queryParameter('x-beta', 'on') }],
    });
    const { template } = render(experiment);
    template.resourceCountIs(RULE, 4);
  });

  test('a header value with a wildcard, as albCondition refuses it', () => {
    const experiment = experimentOf({ variants: [{ name: 'b', match: Match.header('x-v', 'b*') }] });
    expect(attempt({}, experiment)).toThrow(`${where}: experiment "new-checkout" variants[0].match is "header x-v=b*": an ALB listener rule reads * and ? as wildcards`);
  });
});

describe('props', () => {
  test.each([
    [0, 'is 0: an ALB listener rule priority is a whole number from 1 to 50000'],
    [1.5, 'is 1.5: an ALB listener rule priority is a whole number from 1 to 50000'],
  ])('priority %p fails', (priority, message) => {
    expectValidationError(attempt({ priority }),
      `${where}: priority ${message}. Pick the first of a range of priorities no other rule on the listener uses, such as 100.`);
  });

  test('the rules must fit below priority 50000', () => {
    expect(() => attempt({ priority: 49_997 })()).not.toThrow();
    expectValidationError(attempt({ priority: 49_998 }),
      `${where}: priority is 49998: the experiment needs 4 consecutive priorities (one per variant with a match, one for everyone else), up to 50001, and an ALB listener rule priority is at most 50000. Use a priority of at most 49997.`);
  });

  test('a missing target group fails, listing the names expected', () => {
    const experiment = experimentOf({});
    const { stack, listener, targetGroupsFor } = setup();
    const { control } = targetGroupsFor(experiment);
    expectValidationError(() => new aws.AlbExperiment(stack, 'Checkout', { listener, experiment, targetGroups: { control }, at }),
      `${where}: targetGroups["b"] is undefined: every variant of experiment "new-checkout" and its control need a target group (expected "control", "b"). Add the target group of variant "b".`);
  });

  test('an unknown name fails, listing the names expected', () => {
    const experiment = experimentOf({});
    const { stack, listener, targetGroupsFor } = setup();
    const groups = targetGroupsFor(experiment);
    expectValidationError(() => new aws.AlbExperiment(stack, 'Checkout', { listener, experiment, targetGroups: { ...groups, beta: groups.b }, at }),
      `${where}: targetGroups key is "beta": experiment "new-checkout" has no variant or control of this name (expected "control", "b"). Rename the key to the variant it serves, or remove it.`);
  });

  test('one target group for two variants fails', () => {
    const experiment = experimentOf({});
    const { stack, listener, targetGroupsFor } = setup();
    const { control } = targetGroupsFor(experiment);
    expectValidationError(() => new aws.AlbExperiment(stack, 'Checkout', { listener, experiment, targetGroups: { control, b: control }, at }),
      `${where}: targetGroups["b"] is "Stack/Tg-control": it is also the target group of "control", so the experiment could not tell the two apart. Give every variant and the control a target group of its own.`);
  });

  test('a target group that is not one fails', () => {
    const experiment = experimentOf({});
    const { stack, listener, targetGroupsFor } = setup();
    const { control } = targetGroupsFor(experiment);
    expectValidationError(() => new aws.AlbExperiment(stack, 'Checkout', { listener, experiment, targetGroups: { control, b: 'arn:aws:tg' as any }, at }),
      `${where}: targetGroups["b"] is "arn:aws:tg": it must be an elbv2.IApplicationTargetGroup. Pass the ApplicationTargetGroup that serves variant "b".`);
  });

  test('targetGroups that is not an object fails', () => {
    expectValidationError(attempt({ targetGroups: undefined as any }, experimentOf({})),
      `${where}: targetGroups is undefined: it must be an object. Pass one target group per variant and one for the control ("control", "b"), such as { "control": currentTargetGroup }.`);
  });

  test('an experiment that is not one fails', () => {
    expectValidationError(() => {
      const { stack, listener } = setup();
      return new aws.AlbExperiment(stack, 'Checkout', { listener, experiment: { name: 'x' } as any, targetGroups: {} });
    }, `${where}: experiment is an object: it must be an Experiment. Pass new Experiment({ name, variants }).`);
  });

  test('a listener that is not one fails', () => {
    expectValidationError(attempt({ listener: 'arn:aws:listener' as any }),
      `${where}: listener is "arn:aws:listener": it must be an elbv2.IApplicationListener. Pass the listener of your Application Load Balancer, such as alb.addListener("Http", { port: 80, ... }), or one imported with ApplicationListener.fromApplicationListenerAttributes().`);
  });

  test('conditions must hold at least one ListenerCondition', () => {
    expectValidationError(attempt({ conditions: [] }),
      `${where}: conditions is an empty array: a listener rule needs at least one condition. Leave conditions out to match every path, or pass one such as ListenerCondition.hostHeaders(["shop.example.com"]).`);
    expectValidationError(attempt({ conditions: ['/*'] as any }),
      `${where}: conditions[0] is "/*": it must be an elbv2.ListenerCondition. Use ListenerCondition.hostHeaders(), pathPatterns() or another ListenerCondition factory.`);
  });

  test('at must be a valid Date', () => {
    expectValidationError(attempt({ at: new Date('not a date') }),
      `${where}: at is an invalid Date: it must be a valid Date. Pass the moment to render, such as new Date("2027-01-01T00:00:00Z"), or leave it out for now.`);
  });

  test('props must be an object', () => {
    const { stack } = setup();
    expectValidationError(() => new aws.AlbExperiment(stack, 'Checkout', undefined as any),
      `${where}: props is undefined: it must be an object. Pass { listener, experiment, targetGroups }.`);
  });

  test('at defaults to now', () => {
    const ended = new Experiment({ name: 'new-checkout', variants: [{ name: 'b', weight: 10 }], endDate: new Date('2020-01-01T00:00:00Z') });
    const { stack, listener, targetGroupsFor } = setup();
    const construct = new aws.AlbExperiment(stack, 'Checkout', { listener, experiment: ended, targetGroups: targetGroupsFor(ended) });
    expect(construct.active).toBe(false);
  });
});
