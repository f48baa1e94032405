import { Annotations, App, Duration, Stack, Stage } from 'aws-cdk-lib';
import { Annotations as CfnAnnotations, Match as CfnMatch } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { aws, Experiment, Match, Strategy } from '../../../src';
import { SHADOWED_RULE_WARNING } from '../../../src/aws/private/listener-rules';
import { testApp, validatedTemplate } from '../../support/cfn';
import { expectValidationError } from '../../support/validation-error';

/** The README's setting: a stack `Shop` with a cluster and an ALB whose listener has a default action. */
function shop(app: App = testApp()) {
  const stack = new Stack(app, 'Shop');
  const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 0 });
  const cluster = new ecs.Cluster(stack, 'Cluster', { vpc });
  const alb = new elbv2.ApplicationLoadBalancer(stack, 'Alb', { vpc });
  const listener = alb.addListener('Http', { port: 80, open: false, defaultAction: elbv2.ListenerAction.fixedResponse(404) });
  const taskDefinition = new ecs.FargateTaskDefinition(stack, 'Task');
  taskDefinition.addContainer('web', { image: ecs.ContainerImage.fromRegistry('public.ecr.aws/nginx/nginx:stable'), portMappings: [{ containerPort: 80 }] });
  const targetGroup = (id: string) => new elbv2.ApplicationTargetGroup(stack, id, { vpc, port: 80 });
  return { app, stack, vpc, cluster, alb, listener, taskDefinition, targetGroup };
}
type Shop = ReturnType<typeof shop>;

/** The README's ECS snippet: blue-green with a header test route. */
const blueGreen = Strategy.blueGreen({ testRoute: Match.header('x-env', 'green'), bakeTime: Duration.minutes(10) });
const host = (name: string) => elbv2.ListenerCondition.hostHeaders([name]);

function service(s: Shop, id: string, props: Partial<aws.EcsRolloutServiceProps> = {}) {
  return new aws.EcsRolloutService(s.stack, id, {
    cluster: s.cluster, taskDefinition: s.taskDefinition, listener: s.listener, strategy: blueGreen, ...props,
  });
}

/** The README's A/B test snippet. */
function experiment(s: Shop, id: string, props: Partial<aws.AlbExperimentProps> = {}) {
  return new aws.AlbExperiment(s.stack, id, {
    listener: s.listener,
    experiment: new Experiment({
      name: 'new-checkout',
      variants: [{ name: 'beta', match: Match.header('x-beta', 'true') }, { name: 'one-click', weight: 10 }],
      stickiness: Duration.days(1),
      endDate: new Date('2027-12-31T00:00:00Z'),
    }),
    targetGroups: { 'control': s.targetGroup(`${id}Current`), 'beta': s.targetGroup(`${id}Beta`), 'one-click': s.targetGroup(`${id}OneClick`) },
    at: new Date('2027-01-01T00:00:00Z'),
    ...props,
  });
}

const REFUSED = 'a listener takes one rule per priority, and the load balancer refuses the second at deploy time (PriorityInUse)';
const AUTOMATIC_HINT = 'or, for constructs not deployed yet, call aws.ListenerPriorities.automatic(listener) before creating them, '
  + 'so the library chooses priorities that stay the same from one synth to the next.';

describe('the README\'s snippets pasted into one app, on one listener', () => {
  test('the ECS service\'s production rule (priority 10, every path) would take every request of the A/B test: refused at synth', () => {
    const s = shop();
    service(s, 'Web');
    experiment(s, 'Checkout');
    expectValidationError(() => s.app.synth(),
      'AlbExperiment Shop/Checkout: priority is 100: the rule of variant "beta" (priority 100) on the listener Shop/Alb/Http can never match: '
      + 'the production rule of EcsRolloutService Shop/Web (priority 10) is evaluated first and takes every request it matches (path-pattern "/*" matches every path), '
      + 'so variant "beta" of experiment "new-checkout" would receive no request. Tell the rules apart: give EcsRolloutService Shop/Web conditions that leave these requests out '
      + '(a host header, such as ListenerCondition.hostHeaders(["www.example.com"]), or a path pattern); or evaluate AlbExperiment Shop/Checkout first, '
      + 'with a priority below 10, if its rules are the narrower ones.');
  });

  test('with the host headers the README gives them, both synthesize', () => {
    const s = shop();
    service(s, 'Web', { conditions: [host('www.example.com')] });
    experiment(s, 'Checkout', { conditions: [host('shop.example.com')] });
    const template = validatedTemplate(s.stack);
    template.resourceCountIs('AWS::ElasticLoadBalancingV2::ListenerRule', 4);
    expect(CfnAnnotations.fromStack(s.stack).findWarning('*', CfnMatch.stringLikeRegexp('can never match'))).toEqual([]);
  });

  test('two services with the default priority both take 10 (and 9 for their test rules): refused, naming a free range', () => {
    const s = shop();
    service(s, 'Web', { conditions: [host('www.example.com')] });
    service(s, 'Api', { conditions: [host('api.example.com')] });
    expectValidationError(() => s.app.synth(),
      'EcsRolloutService Shop/Api: testPriority is 9: the test rule takes priority 9 (the default), which the listener Shop/Alb/Http already gives to '
      + `the test rule of EcsRolloutService Shop/Web (priority 9): ${REFUSED}. Use a free range, such as priority 12 (its test rule then takes 11); ${AUTOMATIC_HINT}`);
  });

  test('services at 10 and 11 with test routes: the second\'s test rule defaults to 10, the first\'s production rule', () => {
    const s = shop();
    service(s, 'Web', { priority: 10, conditions: [host('www.example.com')] });
    service(s, 'Api', { priority: 11, conditions: [host('api.example.com')] });
    expectValidationError(() => s.app.synth(),
      'EcsRolloutService Shop/Api: testPriority is 10: the test rule takes priority 10, which the listener Shop/Alb/Http already gives to '
      + `the production rule of EcsRolloutService Shop/Web (priority 10): ${REFUSED}. Use a free range, such as priority 12 (its test rule then takes 11).`);
  });

  test('an explicit test priority is named in the free range', () => {
    const s = shop();
    service(s, 'Web', { priority: 10, conditions: [host('www.example.com')] });
    service(s, 'Api', { priority: 20, testPriority: 10, conditions: [host('api.example.com')] });
    expectValidationError(() => s.app.synth(),
      'EcsRolloutService Shop/Api: testPriority is 10: the test rule takes priority 10, which the listener Shop/Alb/Http already gives to '
      + `the production rule of EcsRolloutService Shop/Web (priority 10): ${REFUSED}. Use a free range, such as priority 21 and testPriority 11.`);
  });

  test('two experiments with the default priority both render 100 and 101', () => {
    const s = shop();
    experiment(s, 'Checkout', { conditions: [host('shop.example.com')] });
    experiment(s, 'Search', { conditions: [host('search.example.com')] });
    expectValidationError(() => s.app.synth(),
      'AlbExperiment Shop/Search: priority is 100: the rule of variant "beta" takes priority 100 (the default), which the listener Shop/Alb/Http already gives to '
      + `the rule of variant "beta" of AlbExperiment Shop/Checkout (priority 100): ${REFUSED}. Use a free range, such as priority 102; ${AUTOMATIC_HINT}`);
  });

  test('two services with the same conditions: the later one\'s rules can never match, even at free priorities', () => {
    const s = shop();
    service(s, 'Web', { priority: 10 });
    service(s, 'Api', { priority: 20 });
    expectValidationError(() => s.app.synth(),
      'EcsRolloutService Shop/Api: testPriority is 19: the test rule (priority 19) on the listener Shop/Alb/Http can never match: the test rule of EcsRolloutService Shop/Web (priority 9) '
      + 'is evaluated first and takes every request it matches (path-pattern "/*" matches every path; http-header x-env "green", as its own; '
      + 'source-ip 10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16, as its own), so the test route would never reach the green side. '
      + 'Tell the rules apart: give EcsRolloutService Shop/Web conditions that leave these requests out (a host header, such as ListenerCondition.hostHeaders(["www.example.com"]), '
      + 'or a path pattern); or evaluate EcsRolloutService Shop/Api first, with a priority below 9, if its rules are the narrower ones.');
  });
});

describe('rules of the user\'s own on the same listener', () => {
  test('an ApplicationListenerRule at the priority of a service\'s rule: the library\'s rule is named to move', () => {
    const s = shop();
    service(s, 'Web', { strategy: Strategy.BLUE_GREEN, priority: 20, conditions: [elbv2.ListenerCondition.pathPatterns(['/web/*'])] });
    new elbv2.ApplicationListenerRule(s.stack, 'Admin', {
      listener: s.listener, priority: 20, conditions: [elbv2.ListenerCondition.pathPatterns(['/admin/*'])], action: elbv2.ListenerAction.fixedResponse(403),
    });
    expectValidationError(() => s.app.synth(),
      'EcsRolloutService Shop/Web: priority is 20: the production rule takes priority 20, which the listener Shop/Alb/Http already gives to '
      + `the listener rule Shop/Admin (priority 20): ${REFUSED}. Use a free range, such as priority 21.`);
  });

  test('two CfnListenerRules of the user\'s own at one priority, on a listener shared with the library, are named too', () => {
    const s = shop();
    service(s, 'Web', { strategy: Strategy.BLUE_GREEN, priority: 30, conditions: [elbv2.ListenerCondition.pathPatterns(['/web/*'])] });
    const rule = (id: string, path: string) => new elbv2.CfnListenerRule(s.stack, id, {
      listenerArn: s.listener.listenerArn, priority: 5, conditions: [{ field: 'path-pattern', values: [path] }], actions: [{ type: 'fixed-response', fixedResponseConfig: { statusCode: '403' } }],
    });
    rule('First', '/a/*');
    rule('Second', '/b/*');
    expectValidationError(() => s.app.synth(),
      `listener rule Shop/Second: priority is 5: the listener rule Shop/First (priority 5) has this priority too, on the same listener Shop/Alb/Http: ${REFUSED}. Give it a free priority, such as 6.`);
  });

  test('a rule of the user\'s own that evaluates first and matches everything the service does: the service is refused', () => {
    const s = shop();
    service(s, 'Web', { strategy: Strategy.BLUE_GREEN, priority: 20, conditions: [host('www.example.com')] });
    new elbv2.ApplicationListenerRule(s.stack, 'Maintenance', {
      listener: s.listener, priority: 1, conditions: [elbv2.ListenerCondition.hostHeaders(['*.example.com'])], action: elbv2.ListenerAction.fixedResponse(503),
    });
    expectValidationError(() => s.app.synth(),
      'EcsRolloutService Shop/Web: priority is 20: the production rule (priority 20) on the listener Shop/Alb/Http can never match: the listener rule Shop/Maintenance (priority 1) '
      + 'is evaluated first and takes every request it matches (host-header "*.example.com" takes in its host-header "www.example.com"), so the service would receive no request. '
      + 'Tell the rules apart: narrow the conditions of the listener rule Shop/Maintenance (priority 1) so they leave these requests out (a host header, such as ListenerCondition.hostHeaders(["www.example.com"]), '
      + 'or a path pattern); or evaluate EcsRolloutService Shop/Web first, with a priority below 1, if its rules are the narrower ones.');
  });

  const shadowedAdmin = (s: Shop) => {
    service(s, 'Web');
    return new elbv2.ApplicationListenerRule(s.stack, 'Admin', {
      listener: s.listener, priority: 50, conditions: [elbv2.ListenerCondition.pathPatterns(['/admin/*'])], action: elbv2.ListenerAction.fixedResponse(403),
    });
  };

  test('a rule of the user\'s own that a service\'s rule shadows: a warning, which the user may acknowledge', () => {
    const s = shop();
    shadowedAdmin(s);
    validatedTemplate(s.stack);
    CfnAnnotations.fromStack(s.stack).hasWarning('/Shop/Admin',
      'The listener rule Shop/Admin (priority 50) on the listener Shop/Alb/Http can never match: the production rule of EcsRolloutService Shop/Web (priority 10) is evaluated first '
      + 'and takes every request it matches (path-pattern "/*" matches every path). Give EcsRolloutService Shop/Web conditions that leave these requests out, or give the rule a priority below 10; '
      + `if the rule is kept on purpose, acknowledge this warning: Annotations.of(rule).acknowledgeWarning('${SHADOWED_RULE_WARNING}', '<why>'). [ack: ${SHADOWED_RULE_WARNING}]`);
    // Synthesizing again does not repeat it.
    expect(s.app.synth().getStackByName('Shop').messages.filter(m => String(m.entry.data).includes('can never match'))).toHaveLength(1);
  });

  test('acknowledged, the warning is gone', () => {
    const s = shop();
    const admin = shadowedAdmin(s);
    Annotations.of(admin).acknowledgeWarning(SHADOWED_RULE_WARNING, 'kept for the migration of the admin pages');
    validatedTemplate(s.stack);
    CfnAnnotations.fromStack(s.stack).hasNoWarning('*', CfnMatch.anyValue());
  });

  test('rules of the user\'s own are not checked against each other', () => {
    const s = shop();
    service(s, 'Web', { strategy: Strategy.BLUE_GREEN, priority: 20, conditions: [host('www.example.com')] });
    for (const [id, priority] of [['All', 1], ['Admin', 2]] as const) {
      new elbv2.ApplicationListenerRule(s.stack, id, {
        listener: s.listener, priority, conditions: [elbv2.ListenerCondition.pathPatterns([id === 'All' ? '/*' : '/admin/*'])], action: elbv2.ListenerAction.fixedResponse(404),
      });
    }
    // "All" would shadow the service too, were the host header not its own; "Admin" is the user's business.
    expect(() => s.app.synth()).toThrow(/EcsRolloutService Shop\/Web: priority is 20: the production rule \(priority 20\) .* can never match: the listener rule Shop\/All/);
  });
});

describe('where the listener is', () => {
  test('a service in another stack than the listener is checked against the listener\'s other rules', () => {
    const app = testApp();
    const s = shop(app);
    service(s, 'Web', { conditions: [host('www.example.com')] });
    const other = new Stack(app, 'Other');
    const taskDefinition = new ecs.FargateTaskDefinition(other, 'Task');
    taskDefinition.addContainer('web', { image: ecs.ContainerImage.fromRegistry('public.ecr.aws/nginx/nginx:stable'), portMappings: [{ containerPort: 80 }] });
    new aws.EcsRolloutService(other, 'Api', { cluster: s.cluster, taskDefinition, listener: s.listener, strategy: blueGreen, conditions: [host('api.example.com')] });
    expect(() => app.synth()).toThrow(/^EcsRolloutService Other\/Api: testPriority is 9: the test rule takes priority 9 \(the default\), which the listener Shop\/Alb\/Http already gives to the test rule of EcsRolloutService Shop\/Web/);
  });

  test('experiments on an imported listener are checked against each other', () => {
    const app = testApp();
    const stack = new Stack(app, 'Shop');
    const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 0 });
    const listener = elbv2.ApplicationListener.fromApplicationListenerAttributes(stack, 'Listener', {
      listenerArn: 'arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/shop/50dc6c495c0c9188/f2f7dc8efc522ab2',
      securityGroup: ec2.SecurityGroup.fromSecurityGroupId(stack, 'Sg', 'sg-12345678'),
    });
    const targetGroup = (id: string) => new elbv2.ApplicationTargetGroup(stack, id, { vpc, port: 80 });
    const s = { app, stack, listener, targetGroup } as unknown as Shop;
    experiment(s, 'Checkout');
    experiment(s, 'Search');
    expect(() => app.synth()).toThrow('AlbExperiment Shop/Search: priority is 100: the rule of variant "beta" takes priority 100 (the default), which the listener '
      + 'arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/shop/50dc6c495c0c9188/f2f7dc8efc522ab2 already gives to the rule of variant "beta" of AlbExperiment Shop/Checkout');
  });

  test('a nested stage is checked on its own', () => {
    const app = testApp();
    const stage = new Stage(app, 'Prod');
    const s = shop(stage as unknown as App);
    service(s, 'Web', { conditions: [host('www.example.com')] });
    service(s, 'Api', { conditions: [host('api.example.com')] });
    expect(() => app.synth()).toThrow(/^EcsRolloutService Prod\/Shop\/Api: testPriority is 9/);
  });

  test('an EcsNativeRollout names the rules the user built for it', () => {
    const s = shop();
    service(s, 'Web', { strategy: Strategy.BLUE_GREEN, priority: 10, conditions: [host('www.example.com')] });
    const blue = s.targetGroup('Blue');
    const green = s.targetGroup('Green');
    const productionRule = new elbv2.ApplicationListenerRule(s.stack, 'ApiProduction', {
      listener: s.listener,
      priority: 20,
      conditions: [host('www.example.com')],
      action: elbv2.ListenerAction.weightedForward([{ targetGroup: blue, weight: 100 }, { targetGroup: green, weight: 0 }]),
    });
    const apiService = new ecs.FargateService(s.stack, 'ApiService', { cluster: s.cluster, taskDefinition: s.taskDefinition });
    new aws.EcsNativeRollout(s.stack, 'Api', { service: apiService, strategy: Strategy.BLUE_GREEN, blueTargetGroup: blue, greenTargetGroup: green, productionRule });
    expectValidationError(() => s.app.synth(),
      'EcsNativeRollout Shop/Api: productionRule is "Shop/ApiProduction": the production rule (priority 20) on the listener Shop/Alb/Http can never match: '
      + 'the production rule of EcsRolloutService Shop/Web (priority 10) is evaluated first and takes every request it matches (host-header "www.example.com", as its own), '
      + 'so the service would receive no request. Tell the rules apart: give EcsRolloutService Shop/Web conditions that leave these requests out (a host header, such as '
      + 'ListenerCondition.hostHeaders(["www.example.com"]), or a path pattern); or give Shop/ApiProduction a priority below 10 if its rules are the narrower ones.');
  });
});

describe('load balancer quotas, counted over every construct', () => {
  const fixedRule = (s: Shop, i: number) => new elbv2.ApplicationListenerRule(s.stack, `Rule${i}`, {
    listener: s.listener, priority: i + 1, conditions: [elbv2.ListenerCondition.pathPatterns([`/r${i}/*`])], action: elbv2.ListenerAction.fixedResponse(404),
  });

  test('more than 100 rules on one load balancer, its listeners\' default rules aside', () => {
    const s = shop();
    service(s, 'Web', { priority: 1000 });
    for (let i = 0; i < 99; i++) fixedRule(s, i);
    expectValidationError(() => s.app.synth(),
      'Application Load Balancer Shop/Alb: rules is 101: an Application Load Balancer takes at most 100 listener rules besides the default rules of its listeners '
      + '(Elastic Load Balancing quota "Rules per Application Load Balancer"), and the app gives this one 101 (EcsRolloutService Shop/Web (2), 99 of your own). '
      + 'Put some of the services behind another load balancer (each with its own host name), or split the release across load balancers. '
      + 'If your account\'s quota "Rules per Application Load Balancer" was raised, set the context key "cdk-deploy-strategies:albRulesPerLoadBalancer" to it.');
  });

  test('100 rules are accepted, and so are more under a raised quota', () => {
    const s = shop();
    service(s, 'Web', { priority: 1000 });
    for (let i = 0; i < 98; i++) fixedRule(s, i);
    expect(() => s.app.synth()).not.toThrow();
    const raised = shop(testApp({ context: { 'cdk-deploy-strategies:albRulesPerLoadBalancer': '150' } }));
    service(raised, 'Web', { priority: 1000 });
    for (let i = 0; i < 120; i++) fixedRule(raised, i);
    expect(() => raised.app.synth()).not.toThrow();
  });

  test('a raised quota that is not a whole number', () => {
    const s = shop(testApp({ context: { 'cdk-deploy-strategies:albRulesPerLoadBalancer': 'lots' } }));
    service(s, 'Web');
    expectValidationError(() => s.app.synth(),
      'context "cdk-deploy-strategies:albRulesPerLoadBalancer" is "lots": it is your account\'s raised quota, a whole number of at least 1. '
      + 'Set it to the quota shown in the Service Quotas console, or remove it for the default of 100.');
  });

  test('more than 50 listeners', () => {
    const s = shop();
    service(s, 'Web', { controller: aws.EcsController.codeDeploy({ testPort: 9000 }), listener: s.alb.addListener('Web', { port: 8080, open: false }) });
    for (let port = 1; port <= 48; port++) s.alb.addListener(`L${port}`, { port: 10000 + port, protocol: elbv2.ApplicationProtocol.HTTP, open: false, defaultAction: elbv2.ListenerAction.fixedResponse(404) });
    expectValidationError(() => s.app.synth(),
      'Application Load Balancer Shop/Alb: listeners is 51: an Application Load Balancer takes at most 50 listeners (Elastic Load Balancing quota "Listeners per Application Load Balancer"), '
      + 'and the app gives this one 51. Put some of the services behind another load balancer (each with its own host name), or split the release across load balancers. '
      + 'If your account\'s quota "Listeners per Application Load Balancer" was raised, set the context key "cdk-deploy-strategies:albListenersPerLoadBalancer" to it.');
  });

  test('more than 100 target groups, which no quota increase raises', () => {
    const s = shop();
    service(s, 'Web', { priority: 1000 });
    for (let i = 0; i < 50; i++) {
      new elbv2.ApplicationListenerRule(s.stack, `Rule${i}`, {
        listener: s.listener,
        priority: i + 1,
        conditions: [elbv2.ListenerCondition.pathPatterns([`/r${i}/*`])],
        action: elbv2.ListenerAction.weightedForward([{ targetGroup: s.targetGroup(`A${i}`), weight: 1 }, { targetGroup: s.targetGroup(`B${i}`), weight: 1 }]),
      });
    }
    expectValidationError(() => s.app.synth(),
      'Application Load Balancer Shop/Alb: target groups is 102: an Application Load Balancer takes at most 100 target groups (Elastic Load Balancing quota '
      + '"Target Groups per Application Load Balancer"), and the app gives this one 102. Put some of the services behind another load balancer (each with its own host name), '
      + 'or split the release across load balancers. This quota cannot be raised.');
  });
});
