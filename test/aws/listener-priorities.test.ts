import { isIPv4 } from 'net';
import { App, Duration, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as fc from 'fast-check';
import { aws, Experiment, Match, Strategy } from '../../src';
import { testApp } from '../support/cfn';
import { expectBuildsOrRefuses, expectCleanAssembly } from '../support/properties';
import { expectValidationError } from '../support/validation-error';

function shop(app: App = testApp()) {
  const stack = new Stack(app, 'Shop');
  const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 0 });
  const cluster = new ecs.Cluster(stack, 'Cluster', { vpc });
  const alb = new elbv2.ApplicationLoadBalancer(stack, 'Alb', { vpc });
  const listener = alb.addListener('Http', { port: 80, open: false, defaultAction: elbv2.ListenerAction.fixedResponse(404) });
  const taskDefinition = new ecs.FargateTaskDefinition(stack, 'Task');
  taskDefinition.addContainer('web', { image: ecs.ContainerImage.fromRegistry('public.ecr.aws/nginx/nginx:stable'), portMappings: [{ containerPort: 80 }] });
  const targetGroup = (id: string) => new elbv2.ApplicationTargetGroup(stack, id, { vpc, port: 80 });
  return { app, stack, cluster, listener, taskDefinition, targetGroup };
}
type Shop = ReturnType<typeof shop>;

const blueGreen = Strategy.blueGreen({ testRoute: Match.header('x-env', 'green'), bakeTime: Duration.minutes(10) });
const host = (name: string) => elbv2.ListenerCondition.hostHeaders([name]);
const priorityOf = (rule: elbv2.ApplicationListenerRule) => Stack.of(rule).resolve((rule.node.defaultChild as elbv2.CfnListenerRule).priority);

function service(s: Shop, id: string, props: Partial<aws.EcsRolloutServiceProps> = {}) {
  return new aws.EcsRolloutService(s.stack, id, {
    cluster: s.cluster, taskDefinition: s.taskDefinition, listener: s.listener, strategy: blueGreen, ...props,
  });
}

function experiment(s: Shop, id: string, props: Partial<aws.AlbExperimentProps> = {}) {
  return new aws.AlbExperiment(s.stack, id, {
    listener: s.listener,
    experiment: new Experiment({ name: 'new-checkout', variants: [{ name: 'beta', match: Match.header('x-beta', 'true') }, { name: 'one-click', weight: 10 }] }),
    targetGroups: { 'control': s.targetGroup(`${id}Current`), 'beta': s.targetGroup(`${id}Beta`), 'one-click': s.targetGroup(`${id}OneClick`) },
    at: new Date('2027-01-01T00:00:00Z'),
    ...props,
  });
}

describe('automatic priorities', () => {
  test('a service takes a slot chosen by its path: its test rule the first priority, its production rule the second', () => {
    const s = shop();
    aws.ListenerPriorities.automatic(s.listener);
    const web = service(s, 'Web', { conditions: [host('www.example.com')] });
    // These numbers are what deployed stacks hold: they must never change from one release of the library to the next.
    expect([priorityOf(web.testRule!), priorityOf(web.productionRule!)]).toEqual([26570, 26571]);
    expect(() => s.app.synth()).not.toThrow();
  });

  test('an experiment takes consecutive priorities from the first of its slot', () => {
    const s = shop();
    aws.ListenerPriorities.automatic(s.listener);
    const checkout = experiment(s, 'Checkout', { conditions: [host('shop.example.com')] });
    expect(checkout.rules.map(priorityOf)).toEqual([49830, 49831]);
  });

  test('the same at every synth, whatever else the app holds', () => {
    const alone = shop();
    aws.ListenerPriorities.automatic(alone.listener);
    const web = service(alone, 'Web', { conditions: [host('www.example.com')] });
    const crowded = shop();
    aws.ListenerPriorities.automatic(crowded.listener);
    const api = service(crowded, 'Api', { conditions: [host('api.example.com')] });
    experiment(crowded, 'Checkout', { conditions: [host('shop.example.com')] });
    const again = service(crowded, 'Web', { conditions: [host('www.example.com')] });
    expect(priorityOf(again.productionRule!)).toBe(priorityOf(web.productionRule!));
    expect(priorityOf(api.productionRule!)).toBe(13451);
    expect(() => crowded.app.synth()).not.toThrow();
  });

  test('a priority given wins over the automatic one', () => {
    const s = shop();
    aws.ListenerPriorities.automatic(s.listener);
    const web = service(s, 'Web', { priority: 10 });
    expect([priorityOf(web.testRule!), priorityOf(web.productionRule!)]).toEqual([9, 10]);
  });

  test('the listener must be made automatic before the constructs are created', () => {
    const s = shop();
    service(s, 'Web', { conditions: [host('www.example.com')] });
    aws.ListenerPriorities.automatic(s.listener);
    expect(aws.ListenerPriorities.isAutomatic(s.listener)).toBe(true);
    expectValidationError(() => s.app.synth(),
      'EcsRolloutService Shop/Web: priority is 10: it is the default priority, taken when the construct was created, before aws.ListenerPriorities.automatic() was called on the listener Shop/Alb/Http. '
      + 'Call aws.ListenerPriorities.automatic(listener) before creating the constructs whose priorities it should choose, or give this one a priority.');
  });

  test('only the listener given', () => {
    const s = shop();
    expect(aws.ListenerPriorities.isAutomatic(s.listener)).toBe(false);
    expectValidationError(() => aws.ListenerPriorities.automatic({} as any),
      'ListenerPriorities.automatic: listener is an object: it must be an elbv2.IApplicationListener. Pass the listener the constructs share, such as alb.addListener("Http", { port: 80, ... }).');
  });
});

/*
 * The invariant of a shared listener, checked on what was synthesized by an oracle of its own: it
 * routes requests the way the ALB does (rules by priority, first match wins).
 */

interface Request {
  host: string;
  path: string;
  headers: Record<string, string>;
  query: Record<string, string>;
  source: string;
}

/** Whether the ALB pattern (`*` any run, `?` any one character) matches `text` whole. */
function like(pattern: string, text: string, caseless: boolean): boolean {
  const escaped = (caseless ? pattern.toLowerCase() : pattern).replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${escaped}$`, 's').test(caseless ? text.toLowerCase() : text);
}

function inRange(cidr: string, address: string): boolean {
  const [network, bits] = cidr.split('/');
  if (!isIPv4(network) || !isIPv4(address)) return false;
  const n = (ip: string) => ip.split('.').reduce((a, p) => a * 256 + Number(p), 0);
  const size = 2 ** (32 - Number(bits));
  return Math.floor(n(network) / size) === Math.floor(n(address) / size);
}

function matches(conditions: any[], request: Request): boolean {
  return conditions.every(c => {
    const values: any[] = c.hostHeaderConfig?.values ?? c.pathPatternConfig?.values ?? c.httpHeaderConfig?.values
      ?? c.queryStringConfig?.values ?? c.sourceIpConfig?.values ?? c.values;
    switch (c.field) {
      case 'host-header': return values.some(v => like(v, request.host, true));
      case 'path-pattern': return values.some(v => like(v, request.path, false));
      case 'http-header': {
        const value = request.headers[c.httpHeaderConfig.httpHeaderName.toLowerCase()];
        return value !== undefined && values.some(v => like(v, value, true));
      }
      case 'query-string': return values.some(v => Object.entries(request.query).some(([k, q]) => (v.key === undefined || like(v.key, k, true)) && like(v.value, q, true)));
      case 'source-ip': return values.some(v => inRange(v, request.source));
      default: throw new Error(`the oracle does not know ${c.field}`);
    }
  });
}

/** A request the rule matches, built from its own conditions, with nothing another rule asks for besides. */
function witness(conditions: any[]): Request {
  const fill = (pattern: string) => pattern.replace(/[*?]/g, 'w');
  const request: Request = { host: 'witness.invalid', path: '/witness', headers: {}, query: {}, source: '203.0.113.9' };
  for (const c of conditions) {
    if (c.field === 'host-header') request.host = fill(c.hostHeaderConfig.values[0]);
    if (c.field === 'path-pattern') request.path = fill(c.pathPatternConfig.values[0]);
    if (c.field === 'http-header') request.headers[c.httpHeaderConfig.httpHeaderName.toLowerCase()] = fill(c.httpHeaderConfig.values[0]);
    if (c.field === 'query-string') request.query[c.queryStringConfig.values[0].key ?? 'witness'] = fill(c.queryStringConfig.values[0].value);
    if (c.field === 'source-ip') request.source = c.sourceIpConfig.values[0].split('/')[0];
  }
  return request;
}

describe('random props', () => {
  const hostArb = fc.constantFrom(undefined, 'www.example.com', 'api.example.com', '*.example.com');
  const pathArb = fc.constantFrom(undefined, '/*', '/api/*');
  const conditionsArb = fc.record({ host: hostArb, path: pathArb });
  const priorityArb = fc.option(fc.constantFrom(5, 9, 10, 11, 20, 100, 101), { nil: undefined });
  const partArb = fc.oneof(
    fc.record({ kind: fc.constant('service' as const), strategy: fc.constantFrom('blue-green with a test route', 'blue-green', 'canary'), priority: priorityArb, conditions: conditionsArb }),
    fc.record({ kind: fc.constant('experiment' as const), match: fc.constantFrom('header', 'query'), priority: priorityArb, conditions: conditionsArb }),
    fc.record({ kind: fc.constant('own rule' as const), priority: fc.constantFrom(1, 5, 10, 50, 100, 30000), conditions: conditionsArb }),
  );
  const appArb = fc.record({ automatic: fc.boolean(), parts: fc.array(partArb, { minLength: 2, maxLength: 4 }) });
  const strategies: Record<string, Strategy> = {
    'blue-green with a test route': blueGreen,
    'blue-green': Strategy.BLUE_GREEN,
    'canary': Strategy.CANARY_10PERCENT_5MINUTES,
  };

  test('several constructs on one listener: no two rules at one priority, no rule of the library shadowed, no rule of the user\'s shadowed unawares', () => {
    expectBuildsOrRefuses(appArb, ({ automatic, parts }) => {
      const s = shop();
      if (automatic) aws.ListenerPriorities.automatic(s.listener);
      const library: elbv2.ApplicationListenerRule[] = [];
      const own: elbv2.ApplicationListenerRule[] = [];
      parts.forEach((part, i) => {
        const conditions = [
          ...(part.conditions.host ? [host(part.conditions.host)] : []),
          ...(part.conditions.path ? [elbv2.ListenerCondition.pathPatterns([part.conditions.path])] : []),
        ];
        if (part.kind === 'service') {
          const web = service(s, `Part${i}`, { strategy: strategies[part.strategy], priority: part.priority, conditions: conditions.length ? conditions : undefined });
          library.push(web.productionRule!, ...(web.testRule ? [web.testRule] : []));
        } else if (part.kind === 'experiment') {
          const variant = part.match === 'header' ? Match.header('x-beta', 'true') : Match.queryParameter('beta', 'on');
          library.push(...experiment(s, `Part${i}`, {
            priority: part.priority,
            conditions: conditions.length ? conditions : undefined,
            experiment: new Experiment({ name: `test-${i}`, variants: [{ name: 'beta', match: variant }, { name: 'one-click', weight: 10 }] }),
          }).rules);
        } else {
          own.push(new elbv2.ApplicationListenerRule(s.stack, `Part${i}`, {
            listener: s.listener,
            priority: part.priority,
            conditions: conditions.length ? conditions : [elbv2.ListenerCondition.pathPatterns(['/own/*'])],
            action: elbv2.ListenerAction.fixedResponse(404),
          }));
        }
      });
      const assembly = s.app.synth();
      expectCleanAssembly(s.app);
      // The checks come with the library's constructs: a listener holding only the user's own rules is the user's business.
      if (library.length === 0) return;

      const rules = [...library, ...own].map(rule => {
        const cfn = rule.node.defaultChild as elbv2.CfnListenerRule;
        return { rule, priority: s.stack.resolve(cfn.priority) as number, conditions: s.stack.resolve(cfn.conditions) as any[] };
      }).sort((a, b) => a.priority - b.priority);
      const priorities = rules.map(r => r.priority);
      expect(new Set(priorities).size).toBe(priorities.length);
      const warnings = assembly.getStackByName('Shop').messages.filter(m => m.level === 'warning').map(m => m.id);
      for (const r of rules) {
        const first = rules.find(other => matches(other.conditions, witness(r.conditions)))!;
        if (first === r) continue;
        if (library.includes(r.rule)) throw new Error(`${r.rule.node.path} (priority ${r.priority}) is shadowed by ${first.rule.node.path} (priority ${first.priority})`);
        if (library.includes(first.rule)) expect(warnings).toContain(`/${r.rule.node.path}`);
      }
    }, { quickRuns: 12 });
  });
});
