import { App, Duration, Stack } from 'aws-cdk-lib';
import { Annotations, Match as CfnMatch, Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as fc from 'fast-check';
import { aws, Experiment, ExperimentProps, FailedRequests, guardrails, HealthCheck, Match } from '../../src';
import { EXPERIMENT_METADATA_TYPE } from '../../src/aws/private/plan-metadata';
import { dnsLabelArb, experimentPropsArb, healthChecksArb, oddValueArb } from '../support/arbitraries';
import { testApp, validatedTemplate } from '../support/cfn';
import { findings } from '../support/guardrails';
import { expectBuildsOrRefuses, expectCleanAssembly } from '../support/properties';
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

describe('what measures each variant', () => {
  const errorRate = HealthCheck.errorRate({ maxErrorPercent: 2 });
  const p95 = HealthCheck.latency({ percentile: 95, maxLatency: Duration.millis(400), failingWindows: 3 });
  const measured = new Experiment({
    name: 'new-checkout',
    variants: [{ name: 'beta', match: Match.header('x-beta', 'true') }, { name: 'one-click', weight: 10 }],
    endDate: new Date('2027-12-31T00:00:00Z'),
    healthChecks: [errorRate, p95],
  });
  /** The body of the only dashboard, with the stack's tokens resolved to their logical ids. */
  const bodyOf = (template: Template) => {
    const [dashboard] = Object.values(template.findResources('AWS::CloudWatch::Dashboard'));
    const parts = dashboard.Properties.DashboardBody['Fn::Join'][1] as unknown[];
    return JSON.parse(parts.map(p => (typeof p === 'string' ? p : JSON.stringify(p).replace(/"/g, ''))).join(''));
  };

  test('each health check is an alarm per variant and one for the control, on its target group', () => {
    const { template, construct } = render(measured);
    template.resourceCountIs('AWS::CloudWatch::Alarm', 6);
    expect(Object.keys(construct.variantAlarms)).toEqual(['control', 'beta', 'one-click']);
    for (const name of ['control', 'beta', 'one-click']) {
      expect(construct.variantAlarms[name].alarms.map(a => a.node.id)).toEqual(['error-rate', 'latency-p95']);
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Threshold: 2,
        EvaluationPeriods: 2,
        ComparisonOperator: 'GreaterThanThreshold',
        TreatMissingData: 'missing',
        Metrics: CfnMatch.arrayWith([
          CfnMatch.objectLike({ Expression: 'IF(requests >= 10, 100 * errors / requests)' }),
          CfnMatch.objectLike({
            Id: 'errors',
            MetricStat: CfnMatch.objectLike({
              Metric: CfnMatch.objectLike({
                MetricName: 'HTTPCode_Target_5XX_Count',
                Dimensions: CfnMatch.arrayWith([{ Name: 'TargetGroup', Value: { 'Fn::GetAtt': [CfnMatch.stringLikeRegexp(`^Tg${name.replace('-', '')}`), 'TargetGroupFullName'] } }]),
              }),
            }),
          }),
        ]),
        AlarmDescription: CfnMatch.stringLikeRegexp('measures one side of experiment "new-checkout"'),
      });
    }
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Threshold: 0.4, EvaluationPeriods: 3, Metrics: CfnMatch.arrayWith([CfnMatch.objectLike({ Id: 'latency', MetricStat: CfnMatch.objectLike({ Stat: 'p95' }) })]),
    });
  });

  test('one dashboard: requests, error rate and latency, a line per variant and the control, the checks as thresholds', () => {
    const { template, construct } = render(measured);
    template.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
    expect(construct.dashboard.node.id).toBe('Dashboard');
    const widgets = bodyOf(template).widgets as any[];
    expect(widgets.map(w => w.type)).toEqual(['text', 'metric', 'metric', 'metric']);
    expect(widgets[0].properties.markdown).toBe([
      '# Experiment "new-checkout" on Application Load Balancer',
      'Each variant is measured by: error-rate: 5xx above 2% for 2 windows of 1m (10+ requests); latency-p95: p95 above 400ms for 3 windows of 1m (10+ requests).',
    ].join('\n\n'));
    const [requests, errors, latency] = widgets.slice(1).map(w => w.properties);
    expect([requests.title, errors.title, latency.title]).toEqual(['Requests', 'Error rate (5xx, %)', 'Latency p95 (seconds)']);
    const optionsOf = (m: any[]) => m[m.length - 1] as any;
    const labels = (graph: any) => graph.metrics.filter((m: any[]) => optionsOf(m).label).map((m: any[]) => optionsOf(m).label);
    for (const graph of [requests, errors, latency]) expect(labels(graph)).toEqual(['control (control)', 'beta', 'one-click']);
    expect(errors.metrics.filter((m: any[]) => m[0].expression).map((m: any[]) => m[0].expression)).toEqual([
      '100 * errors_v0 / requests_v0', '100 * errors_v1 / requests_v1', '100 * errors_v2 / requests_v2',
    ]);
    expect(errors.annotations).toEqual({ horizontal: [{ value: 2, label: 'error-rate', color: '#d62728', yAxis: 'left' }] });
    expect(latency.annotations).toEqual({ horizontal: [{ value: 0.4, label: 'latency-p95', color: '#d62728', yAxis: 'left' }] });
  });

  test('without health checks: the dashboard alone, p99 latency and 5xx by default, no alarm', () => {
    const { template, construct } = render(experimentOf({}));
    template.resourceCountIs('AWS::CloudWatch::Alarm', 0);
    expect(construct.variantAlarms.b.alarms).toEqual([]);
    const widgets = bodyOf(template).widgets as any[];
    expect(widgets[0].properties.markdown).toContain('No health check measures the variants: add healthChecks to the experiment for per-variant alarms.');
    expect(widgets.slice(1).map(w => w.properties.title)).toEqual(['Requests', 'Error rate (5xx, %)', 'Latency p99 (seconds)']);
  });

  test('4xx and 5xx when the experiment\'s error-rate check counts them', () => {
    const check = HealthCheck.errorRate({ maxErrorPercent: 5, failedRequests: FailedRequests.CLIENT_AND_SERVER_ERRORS });
    const all = experimentOf({ healthChecks: [check] });
    const widgets = bodyOf(render(all).template).widgets as any[];
    expect(widgets[2].properties.title).toBe('Error rate (4xx and 5xx, %)');
  });

  test('an experiment that does not run measures what it still forwards to: the control', () => {
    const { template, construct } = render(measured, { at: new Date('2028-01-01T00:00:00Z') });
    expect(Object.keys(construct.variantAlarms)).toEqual(['control']);
    template.resourceCountIs('AWS::CloudWatch::Alarm', 2);
    expect((bodyOf(template).widgets as any[])[0].properties.markdown).toContain(
      'Not shown: variant "beta", whose target group has no metrics: it is attached to no load balancer listener (an imported one needs its loadBalancerArns).');
  });

  test('target groups imported without their load balancer: refused with health checks, left off the dashboard with a warning without', () => {
    const importedGroups = (stack: Stack, experiment: Experiment) => Object.fromEntries([experiment.control, ...experiment.variants.map(v => v.name)]
      .map(name => [name, elbv2.ApplicationTargetGroup.fromTargetGroupAttributes(stack, `Tg-${name}`, {
        targetGroupArn: `arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/${name}/73e2d6bc24d8a067`,
      })]));
    const s1 = setup();
    expectValidationError(() => new aws.AlbExperiment(s1.stack, 'Checkout', { listener: s1.listener, experiment: measured, targetGroups: importedGroups(s1.stack, measured), at }),
      `${where}: targetGroups["control"] is "Stack/Tg-control": its metrics, which the health checks read, exist only once it is attached to a load balancer listener (an imported target group needs its loadBalancerArns). `
      + 'Attach the target group of the control to the load balancer (an imported one needs its loadBalancerArns), or leave healthChecks out of the experiment.');
    const s2 = setup();
    const plain = experimentOf({});
    new aws.AlbExperiment(s2.stack, 'Checkout', { listener: s2.listener, experiment: plain, targetGroups: importedGroups(s2.stack, plain), at });
    Annotations.fromStack(s2.stack).hasWarning('/Stack/Checkout', CfnMatch.stringLikeRegexp('^The dashboard cannot show "control", "b", whose target group has no metrics'));
  });

  test('a check of the user\'s own is refused: it measures the application, not one variant', () => {
    const s = setup();
    const own = aws.CloudWatchHealthCheck.alarm(cloudwatch.Alarm.fromAlarmArn(s.stack, 'Own', 'arn:aws:cloudwatch:us-east-1:123456789012:alarm:own'));
    const experiment = experimentOf({ healthChecks: [own] });
    expectValidationError(() => new aws.AlbExperiment(s.stack, 'Checkout', { listener: s.listener, experiment, targetGroups: s.targetGroupsFor(experiment), at }),
      `${where}: experiment "new-checkout": health check "own" is "alarm Stack/Own in ALARM": Application Load Balancer measures every variant of the experiment apart, `
      + 'and an alarm or metric of your own measures the application as a whole, not one variant. '
      + 'Declare the experiment\'s checks with HealthCheck.errorRate() or HealthCheck.latency(), which are measured per variant; watch your own alarm beside the experiment.');
  });

  test('CDS-R8: measured variants pass, an experiment without checks is named', () => {
    const pack = guardrails.GuardrailPack.recommended({ at }).withRule(new guardrails.HealthCheckCoverageRule());
    expect(findings(render(measured).stack, 'CDS-R8', pack)).toEqual([]);
    expect(findings(render(experimentOf({})).stack, 'CDS-R8', pack)).toEqual([
      'Stack/Checkout: experiment "new-checkout" on Application Load Balancer: nothing measures variants b, control (no health check is declared)',
    ]);
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

  test('conditions that list a value twice, which CloudFormation refuses', () => {
    expectValidationError(attempt({ conditions: [elbv2.ListenerCondition.hostHeaders(['shop.example.com', 'shop.example.com'])] }),
      `${where}: conditions is an array of 1: the ALB refuses a condition that lists a value twice, and every rule of the experiment would list "shop.example.com" twice in its host-header condition. List each value once.`);
    expectValidationError(attempt({ conditions: [elbv2.ListenerCondition.queryStrings([{ key: 'lang', value: 'en' }, { key: 'lang', value: 'en' }])] }),
      `${where}: conditions is an array of 1: the ALB refuses a condition that lists a value twice, and every rule of the experiment would list "lang=en" twice in its query-string condition. List each value once.`);
  });

  test('the same condition twice, also when a variant\'s match adds one the conditions hold', () => {
    const tenant = () => elbv2.ListenerCondition.httpHeader('x-tenant', ['a']);
    expectValidationError(attempt({ conditions: [tenant(), tenant()] }),
      `${where}: conditions is an array of 2: the ALB refuses a rule that has the same condition twice, and every rule of the experiment would have two identical http-header conditions. List each condition once.`);
    expectValidationError(attempt({ conditions: [elbv2.ListenerCondition.httpHeader('x-staff', ['yes'])] }),
      `${where}: conditions is an array of 1: the ALB refuses a rule that has the same condition twice, and the rule of variant "staff" (header x-staff=yes) would have two identical http-header conditions. List each condition once.`);
  });

  test('two conditions on the path, which a listener rule takes once', () => {
    expectValidationError(attempt({ conditions: [elbv2.ListenerCondition.pathPatterns(['/a']), elbv2.ListenerCondition.pathPatterns(['/b'])] }, experimentOf({})),
      `${where}: conditions is an array of 2: an ALB listener rule takes at most one path-pattern condition, and every rule of the experiment would have 2. `
      + 'Put the values in one condition, such as ListenerCondition.pathPatterns(["/a/*", "/b/*"]); it holds when any of them matches.');
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

describe('random props', () => {
  /** Each prop goes wrong only seldom, so that with several of them a good share of cases (a third or more) still builds. */
  const seldom = <T>(valid: fc.Arbitrary<T>, odd: fc.Arbitrary<unknown> = oddValueArb): fc.Arbitrary<T> =>
    fc.oneof({ weight: 15, arbitrary: valid }, { weight: 1, arbitrary: odd as fc.Arbitrary<T> });
  const mixedCase = (s: string) => fc.array(fc.boolean(), { minLength: s.length, maxLength: s.length })
    .map(upper => [...s].map((c, i) => (upper[i] ? c.toUpperCase() : c)).join(''));

  /**
   * Matches as users write them, and some the ALB cannot express: regular expressions, wildcards,
   * the Host header, names and values past its lengths, twins that differ only by letter case.
   */
  const nameArb = fc.oneof(
    { weight: 8, arbitrary: fc.stringMatching(/^[a-zA-Z][a-zA-Z0-9-]{0,15}$/) },
    { weight: 1, arbitrary: fc.oneof(fc.constantFrom('host', 'Host', 'cookie', 'x_v'), fc.stringMatching(/^[a-z][a-z0-9-]{38,45}$/)) },
  );
  const valueArb = fc.oneof(
    { weight: 8, arbitrary: fc.stringMatching(/^[a-zA-Z0-9_.-]{1,20}$/) },
    { weight: 1, arbitrary: fc.oneof(fc.stringMatching(/^[a-z0-9]{0,6}[*?][a-z0-9]{0,6}$/), fc.stringMatching(/^[a-z0-9]{110,135}$/)) },
  );
  const albMatchArb: fc.Arbitrary<Match> = fc.oneof(
    { weight: 4, arbitrary: fc.tuple(nameArb, valueArb).map(([n, v]) => Match.header(n, v)) },
    { weight: 3, arbitrary: fc.tuple(nameArb, valueArb).map(([n, v]) => Match.cookie(n, v)) },
    { weight: 3, arbitrary: fc.tuple(nameArb, valueArb).map(([n, v]) => Match.queryParameter(n, v)) },
    { weight: 1, arbitrary: nameArb.map(n => Match.headerRegex(n, '.*Mobile.*')) },
  );
  /** A variant with a match, sometimes the twin of an earlier variant's match in another letter case. */
  const variantsArb = fc.uniqueArray(fc.record({
    name: dnsLabelArb.filter(n => n !== 'control'),
    weight: fc.option(fc.integer({ min: 1, max: 400 }).map(t => t / 10), { nil: undefined }),
    match: fc.option(albMatchArb, { nil: undefined, freq: 2 }),
  }), { minLength: 1, maxLength: 5, selector: v => v.name }).chain(variants => {
    const first = variants.find(v => v.match !== undefined && v.match.kind !== 'HEADER_REGEX');
    const twin = first && fc.tuple(mixedCase(first.match!.name), mixedCase(first.match!.value)).map(([n, v]) => {
      const m = first.match!;
      return m.kind === 'COOKIE' ? Match.cookie(n, v) : m.kind === 'QUERY_PARAMETER' ? Match.queryParameter(n, v) : Match.header(n, v);
    });
    return twin === undefined ? fc.constant(variants)
      : fc.oneof({ weight: 9, arbitrary: fc.constant(variants) }, { weight: 1, arbitrary: twin.map(match => [...variants, { name: 'twin', match }]) });
  });
  const albExperimentArb: fc.Arbitrary<Experiment> = fc.record({
    props: fc.oneof(
      experimentPropsArb,
      fc.tuple(experimentPropsArb, variantsArb).map(([props, variants]) => ({ ...props, variants })),
    ),
    control: fc.option(fc.constantFrom('current', 'baseline'), { nil: undefined, freq: 4 }),
    enabled: fc.option(fc.boolean(), { nil: undefined }),
    stickiness: fc.oneof(
      { weight: 12, arbitrary: fc.constant(undefined) },
      { weight: 3, arbitrary: fc.integer({ min: 1, max: 7 * 86400 }).map(s => Duration.seconds(s)) },
      { weight: 1, arbitrary: fc.integer({ min: 7 * 86400, max: 10 * 86400 }).map(s => Duration.seconds(s)) },
    ),
    healthChecks: fc.option(healthChecksArb, { nil: undefined, freq: 2 }),
  }).map(({ props, control, enabled, stickiness, healthChecks }) => {
    try {
      return new Experiment({ ...props, control, enabled, stickiness: stickiness ?? props.stickiness, healthChecks });
    } catch {
      return undefined;
    }
  }).filter((e): e is Experiment => e !== undefined);

  const conditionArb: fc.Arbitrary<elbv2.ListenerCondition> = fc.oneof(
    fc.array(fc.constantFrom('shop.example.com', 'www.example.com', '*.example.com'), { minLength: 1, maxLength: 3 }).map(h => elbv2.ListenerCondition.hostHeaders(h)),
    fc.array(fc.constantFrom('/*', '/checkout', '/api/*', '/a?c'), { minLength: 1, maxLength: 3 }).map(p => elbv2.ListenerCondition.pathPatterns(p)),
    fc.constantFrom(
      elbv2.ListenerCondition.httpRequestMethods(['GET', 'POST']),
      elbv2.ListenerCondition.sourceIps(['10.0.0.0/8']),
      elbv2.ListenerCondition.httpHeader('x-tenant', ['a', 'b*']),
      elbv2.ListenerCondition.queryStrings([{ key: 'lang', value: 'en' }]),
    ),
  );
  const propsArb = fc.record({
    // An owned load balancer in about one case in five: it costs more to build, and the imported
    // listener renders the same rules.
    listener: fc.oneof({ weight: 14, arbitrary: fc.constant('imported') }, { weight: 4, arbitrary: fc.constant('owned') }, { weight: 1, arbitrary: fc.constant('odd') }),
    experiment: seldom(albExperimentArb),
    targetGroups: fc.oneof({ weight: 24, arbitrary: fc.constantFrom('owned', 'imported') }, { weight: 1, arbitrary: fc.constantFrom('missing', 'extra', 'shared', 'odd') }),
    priority: fc.oneof(
      { weight: 8, arbitrary: fc.constant(undefined) },
      { weight: 8, arbitrary: fc.integer({ min: 1, max: 50_000 }) },
      { weight: 1, arbitrary: fc.integer({ min: 49_990, max: 50_001 }) },
      { weight: 1, arbitrary: fc.oneof(fc.integer({ min: -2, max: 0 }), fc.double(), oddValueArb) },
    ),
    conditions: fc.oneof(
      { weight: 6, arbitrary: fc.constant(undefined) },
      { weight: 6, arbitrary: fc.array(conditionArb, { minLength: 1, maxLength: 2 }) },
      { weight: 1, arbitrary: fc.oneof(fc.constant([]), fc.array(oddValueArb, { minLength: 1, maxLength: 2 }), oddValueArb) },
    ),
    at: fc.oneof(
      { weight: 8, arbitrary: fc.constant(at) },
      { weight: 8, arbitrary: fc.date({ min: new Date('2025-01-01T00:00:00Z'), max: new Date('2029-01-01T00:00:00Z'), noInvalidDate: true }) },
      { weight: 1, arbitrary: fc.oneof(fc.constant(new Date(NaN)), oddValueArb) },
    ),
  });
  type Props = typeof propsArb extends fc.Arbitrary<infer P> ? P : never;

  function build(p: Props) {
    const stack = new Stack(testApp(), 'Stack');
    // An imported VPC: the rules do not depend on it, and a new one costs most of a case's time.
    let network: ec2.IVpc | undefined;
    const vpc = () => network ??= ec2.Vpc.fromVpcAttributes(stack, 'Vpc', {
      vpcId: 'vpc-0a1b2c3d4e5f60718', availabilityZones: ['us-east-1a', 'us-east-1b'], isolatedSubnetIds: ['subnet-0a1b2c3d4e5f60718', 'subnet-18706f5e4d3c2b1a0'],
    });
    const listenerArn = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/shop/50dc6c495c0c9188/f2f7dc8efc522ab2';
    const listener = p.listener === 'owned'
      ? new elbv2.ApplicationLoadBalancer(stack, 'Alb', { vpc: vpc() }).addListener('Http', { port: 80, open: false, defaultAction: elbv2.ListenerAction.fixedResponse(404) })
      : p.listener === 'imported'
        ? elbv2.ApplicationListener.fromApplicationListenerAttributes(stack, 'Listener', { listenerArn, securityGroup: ec2.SecurityGroup.fromSecurityGroupId(stack, 'Sg', 'sg-12345678') })
        : listenerArn as unknown as elbv2.IApplicationListener;
    const experiment = p.experiment;
    const names = experiment instanceof Experiment ? [experiment.control, ...experiment.variants.map(v => v.name)] : ['control', 'b'];
    const group = (name: string) => p.targetGroups === 'imported'
      ? elbv2.ApplicationTargetGroup.fromTargetGroupAttributes(stack, `Tg-${name}`, {
        targetGroupArn: `arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/${name}/73e2d6bc24d8a067`,
        loadBalancerArns: 'arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/shop/50dc6c495c0c9188',
      })
      : new elbv2.ApplicationTargetGroup(stack, `Tg-${name}`, { vpc: vpc(), port: 80, targetType: elbv2.TargetType.IP });
    const groups: Record<string, unknown> = Object.fromEntries(names.map(n => [n, group(n)]));
    if (p.targetGroups === 'missing') delete groups[names[names.length - 1]];
    if (p.targetGroups === 'extra') groups.unknown = group('unknown');
    if (p.targetGroups === 'shared') groups[names[names.length - 1]] = groups[names[0]];
    const construct = new aws.AlbExperiment(stack, 'Checkout', {
      listener,
      experiment,
      targetGroups: (p.targetGroups === 'odd' ? 'control' : groups) as Record<string, elbv2.IApplicationTargetGroup>,
      priority: p.priority as number | undefined,
      conditions: p.conditions as elbv2.ListenerCondition[] | undefined,
      at: p.at as Date,
    });

    const template = validatedTemplate(stack);
    expectCleanAssembly(stack.node.root as App);
    const rules = rulesOf(template);
    // One rule per variant with a match and one for everyone else, or, inactive, the one for everyone else alone.
    const matched = experiment.variants.filter(v => v.match !== undefined).length;
    const first = (p.priority as number | undefined) ?? 100;
    expect(construct.active).toBe(experiment.isActive(p.at as Date));
    expect(rules.map(r => r.Priority)).toEqual(construct.active ? Array.from({ length: matched + 1 }, (_, i) => first + i) : [first + matched]);
    // Every rule forwards to at most 5 target groups, by weights up to 999 whose shares are the allocations'.
    const arnOf = (name: string) => stack.resolve((groups[name] as elbv2.IApplicationTargetGroup).targetGroupArn);
    const shares = new Map<string, number>();
    rules.forEach(rule => {
      const [action] = rule.Actions;
      const targets: Array<{ TargetGroupArn: unknown; Weight: number }> = action.ForwardConfig?.TargetGroups
        ?? [{ TargetGroupArn: action.TargetGroupArn, Weight: 1 }];
      expect(targets.length).toBeLessThanOrEqual(5);
      const total = targets.reduce((sum, t) => sum + t.Weight, 0);
      for (const t of targets) {
        expect(t.Weight).toBeLessThanOrEqual(999);
        const name = names.find(n => JSON.stringify(arnOf(n)) === JSON.stringify(t.TargetGroupArn))!;
        shares.set(`${rule.Priority}:${name}`, Math.round((t.Weight * 1000) / total) / 10);
      }
      expect(action.ForwardConfig?.TargetGroupStickinessConfig?.DurationSeconds).toBe(
        targets.length > 1 && experiment.stickiness ? experiment.stickiness.toSeconds() : undefined);
    });
    // Variants with a match have the rules from the first priority on, in declared order; everyone else has the last.
    const matchedNames = experiment.variants.filter(v => v.match !== undefined).map(v => v.name);
    const expected = new Map(experiment.allocations(p.at as Date).map(a => {
      const owner = a.match ? experiment.variants.find(v => v.match === a.match)!.name : undefined;
      const priority = owner === undefined ? first + matched : first + matchedNames.indexOf(owner);
      return [`${priority}:${a.variant}`, a.weight];
    }));
    expect(shares).toEqual(expected);
    // The last rule carries only the conditions given: everyone else.
    const last = rules[rules.length - 1];
    expect(last.Conditions).toHaveLength(((p.conditions as unknown[] | undefined) ?? [1]).length);
    // Each health check measures every target group the rules forward to; one dashboard shows them all.
    const forwardedTo = new Set(experiment.allocations(p.at as Date).map(a => a.variant));
    expect(Object.keys(construct.variantAlarms).sort()).toEqual([...forwardedTo].sort());
    template.resourceCountIs('AWS::CloudWatch::Alarm', experiment.healthChecks.length * forwardedTo.size);
    template.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
  }

  test('either synthesize valid, clean listener rules or refuse with the library error', () => {
    expectBuildsOrRefuses(propsArb, build);
  });
});
