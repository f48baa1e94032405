import { Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { aws, StepGate, Strategy } from '../../../src';
import { forwardWeights } from '../../../src/aws/private/driver-alb';
import { testApp, validatedTemplate } from '../../support/cfn';
import { FakeAws } from '../../support/fake-aws';
import { Call, definitionOf, execute, expectValidAsl, physicalId, resolveCfn } from '../../support/sfn';

// Executions run under fake timers, but a busy machine takes seconds over hundreds of simulated waits.
jest.setTimeout(60_000);

const bake = (minutes: number) => StepGate.bake(Duration.minutes(minutes));
const ALARM = 'Stack-Errors';

function synth(strategy: Strategy) {
  const stack = new Stack(testApp(), 'Stack');
  const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 0, subnetConfiguration: [{ name: 'public', subnetType: ec2.SubnetType.PUBLIC }] });
  const alb = new elbv2.ApplicationLoadBalancer(stack, 'Lb', { vpc, internetFacing: true });
  const listener = alb.addListener('Http', { port: 80, open: false, defaultAction: elbv2.ListenerAction.fixedResponse(404) });
  const group = (id: string) => new elbv2.ApplicationTargetGroup(stack, id, { vpc, port: 80, targetType: elbv2.TargetType.IP });
  const web = new aws.AlbWeightedRollout(stack, 'Web', { listener, priority: 10, stable: group('Blue'), candidate: group('Green'), strategy });
  web.addAlarm(new cloudwatch.Alarm(stack, 'Errors', { metric: new cloudwatch.Metric({ namespace: 'App', metricName: 'Errors' }), threshold: 1, evaluationPeriods: 1 }));
  const template = validatedTemplate(stack).toJSON();
  return { template, definition: definitionOf(template) };
}

/** The rule as CloudFormation created it (everything on blue), and the ids the driver looks up. */
function world(template: any): { fake: FakeAws; blue: string; green: string } {
  const fake = new FakeAws();
  let blue = '';
  let green = '';
  for (const [id, r] of Object.entries<any>(template.Resources)) {
    if (r.Type === 'AWS::CloudWatch::Alarm') fake.resources.set(id, ALARM);
    if (r.Type === 'AWS::ElasticLoadBalancingV2::ListenerRule' && r.Properties.Priority === 10) {
      fake.resources.set(id, physicalId(template, id));
      for (const tuple of resolveCfn(template, r.Properties.Actions[0].ForwardConfig.TargetGroups)) {
        fake.ruleWeights.set(tuple.TargetGroupArn, tuple.Weight);
      }
    }
    if (r.Type === 'AWS::ElasticLoadBalancingV2::TargetGroup') {
      if (id.startsWith('Blue')) blue = physicalId(template, id);
      else green = physicalId(template, id);
    }
  }
  return { fake, blue, green };
}

function weightChanges(calls: Call[], blue: string): Array<[number, number, number]> {
  return calls.filter(c => c.action === 'elasticloadbalancingv2:modifyRule').map(c => {
    const groups = c.params.Actions[0].ForwardConfig.TargetGroups;
    const stable = groups.find((g: any) => g.TargetGroupArn === blue);
    const candidate = groups.find((g: any) => g.TargetGroupArn !== blue);
    return [c.at, stable.Weight, candidate.Weight];
  });
}

describe('a canary 10% (bake 10m) → 50% (bake 10m) → 100% on one listener rule', () => {
  let synthesized: ReturnType<typeof synth>;
  beforeAll(() => {
    synthesized = synth(Strategy.canary({ steps: [{ weight: 10, gate: bake(10) }, { weight: 50, gate: bake(10) }] }));
  }, 120_000);

  test('rewrites the rule\'s weighted forward at each step, reading it first', async () => {
    expectValidAsl(synthesized.definition);
    const { fake, blue, green } = world(synthesized.template);
    const { calls, error } = await execute(synthesized.definition, {}, fake.handler);
    expect(error).toBeUndefined();
    expect(weightChanges(calls, blue)).toEqual([[0, 9, 1], [600, 1, 1], [1200, 0, 1]]);
    expect(fake.ruleWeights.get(green)).toBe(1);
    const rule = calls.find(c => c.action === 'elasticloadbalancingv2:modifyRule')!.params.RuleArn;
    expect(calls.filter(c => c.action === 'elasticloadbalancingv2:describeRules').every(c => c.params.RuleArns[0] === rule)).toBe(true);
    expect(rule).toMatch(/:listener-rule\/app\/lb\/1\/2\/Web[0-9A-F]{8}$/);
  });

  test('an alarm forwards everything to the stable target group again', async () => {
    const { fake, blue } = world(synthesized.template);
    fake.alarmsAt = at => (at >= 300 ? [ALARM] : []);
    const { calls, error } = await execute(synthesized.definition, {}, fake.handler);
    expect(weightChanges(calls, blue)).toEqual([[0, 9, 1], [300, 1, 0]]);
    expect(error).toBe('AlarmFired');
  });

  test('weights set by someone else (in either order) stop the rollout without a write', async () => {
    const { fake, blue, green } = world(synthesized.template);
    const handler = fake.handler;
    let reads = 0;
    const { calls, error } = await execute(synthesized.definition, {}, (action, params, at, state) => {
      if (action === 'elasticloadbalancingv2:describeRules' && ++reads === 2) {
        fake.ruleWeights.clear();
        fake.ruleWeights.set(green, 1).set(blue, 1);
      }
      return handler(action, params, at, state);
    });
    expect(weightChanges(calls, blue)).toHaveLength(1);
    expect(error).toBe('TrafficMovedOutside');
  });

  test('the same weights listed in the other order are where the rollout left them', async () => {
    const { fake, blue, green } = world(synthesized.template);
    const handler = fake.handler;
    const { error } = await execute(synthesized.definition, {}, (action, params, at, state) => {
      const result: any = handler(action, params, at, state);
      if (action === 'elasticloadbalancingv2:describeRules') {
        return Promise.resolve(result).then((r: any) => {
          r.Rules[0].Actions[0].ForwardConfig.TargetGroups.reverse();
          return r;
        });
      }
      expect([blue, green]).toHaveLength(2);
      return result;
    });
    expect(error).toBeUndefined();
  });
});

describe('forwardWeights', () => {
  test.each([[0, 1, 0], [0.1, 999, 1], [5, 19, 1], [12.5, 7, 1], [33.3, 667, 333], [50, 1, 1], [100, 0, 1]])('%d%% is %d : %d', (weight, stable, candidate) => {
    expect(forwardWeights({ candidateWeight: weight } as any)).toEqual({ stable, candidate });
  });
});
