import { Duration } from 'aws-cdk-lib';
import { CapacityMode, Strategy, StepGate } from '../../../src';
import { albBackend, forwardWeights } from '../../../src/aws/private/driver-alb';
import { DriverFlow, escapeIntrinsic, format, MAX_STATE_NAME, snsSubject, stepLabel } from '../../../src/aws/private/driver-definition';
import { FakeAws } from '../../support/fake-aws';
import { execute, expectValidAsl } from '../../support/sfn';

// Executions run under fake timers, but a busy machine takes seconds over hundreds of simulated waits.
jest.setTimeout(60_000);

const bake = (minutes: number) => StepGate.bake(Duration.minutes(minutes));
const STABLE = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/blue/1';
const CANDIDATE = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/green/2';
const RULE = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:listener-rule/app/lb/1/2/3';

/** A flow on a backend with nothing to synthesize (an ALB rule named by literal ARNs). */
function flow(strategy: Strategy, opts: { topic?: boolean; alarms?: number; pollSeconds?: number; path?: string; untimedWatchPolls?: number } = {}) {
  const plan = strategy.plan({ capacity: CapacityMode.FULL_COPY });
  const driver = new DriverFlow({
    path: opts.path ?? 'Stack/Web',
    plan,
    backend: albBackend({
      rule: { logicalId: 'WebRule', arn: RULE },
      stableTargetGroupArn: STABLE,
      candidateTargetGroupArn: CANDIDATE,
      weights: plan.steps.map(forwardWeights),
      declared: { stable: 1, candidate: 0 },
    }),
    stackId: 'arn:aws:cloudformation:us-east-1:123456789012:stack/Stack/0a1b2c3d-0000-4000-8000-0123456789ab',
    topicArn: opts.topic === false ? undefined : 'arn:aws:sns:us-east-1:123456789012:rollout',
    alarms: Array.from({ length: opts.alarms ?? 1 }, (_, i) => (i === 0 ? { logicalId: 'Errors' } : { name: `imported-${i}` })),
    pollSeconds: opts.pollSeconds ?? 60,
    untimedWatchPolls: opts.untimedWatchPolls,
  });
  const definition = driver.definition();
  return { driver, definition };
}

function world(): FakeAws {
  const fake = new FakeAws();
  fake.resources.set('WebRule', RULE).set('Errors', 'Stack-Errors');
  fake.ruleWeights.set(STABLE, 1).set(CANDIDATE, 0);
  return fake;
}

const CANARY = Strategy.canary({ steps: [{ weight: 10, gate: bake(10) }, { weight: 50, gate: StepGate.manualApproval() }] });

test('the definition is valid, and every state is named after what it does, in at most 80 characters', () => {
  const { definition } = flow(CANARY);
  expectValidAsl(definition);
  const names = Object.keys((definition as any).States);
  expect(names.every(n => n.length <= MAX_STATE_NAME)).toBe(true);
  expect(names).toEqual(expect.arrayContaining([
    'Start', 'List the running executions', 'Wait for the deploy', 'Announce the start',
    'Step 1 at 10 percent - read the rule', 'Step 1 at 10 percent - is the traffic as left', 'Step 1 at 10 percent - set the weights',
    'Step 1 at 10 percent - start the bake', 'Step 1 at 10 percent - bake 1m', 'Step 1 at 10 percent - read the alarms at the end',
    'Step 2 at 50 percent - wait for approval, watching the alarms', 'Step 3 at 100 percent - set the weights', 'Rollout finished', 'Roll back', 'Rolled back',
  ]));
});

test('a usual rollout takes the state transitions the estimate says', async () => {
  const { driver, definition } = flow(CANARY, { alarms: 2 });
  const fake = world();
  const { states, error } = await execute(definition, {}, fake.handler);
  expect(error).toBeUndefined();
  expect(states.length).toBe(driver.typicalTransitions);
  // The longest successful rollout waits for every bound: the deploy for 2 hours, and so on.
  expect(driver.cost.transitions).toBeGreaterThan(driver.typicalTransitions + 400);
});

test('alarms in the stack are looked up by logical id when an execution starts; others are read by name', async () => {
  const { definition } = flow(CANARY, { alarms: 2 });
  const fake = world();
  const { calls } = await execute(definition, {}, fake.handler);
  expect(calls.filter(c => c.action === 'cloudformation:describeStackResource').map(c => c.params.LogicalResourceId)).toEqual(['WebRule', 'Errors']);
  expect(calls.find(c => c.action === 'cloudwatch:describeAlarms')!.params.AlarmNames).toEqual(['Stack-Errors', 'imported-1']);
});

test('without alarms a bake is one Wait state, and nothing reads alarms', async () => {
  const { definition } = flow(CANARY, { alarms: 0 });
  expect((definition as any).States['Step 1 at 10 percent - bake 10m']).toEqual({ Type: 'Wait', Seconds: 600, Next: 'Step 2 at 50 percent - read the rule' });
  const { calls, error } = await execute(definition, {}, world().handler);
  expect(error).toBeUndefined();
  expect(calls.some(c => c.action === 'cloudwatch:describeAlarms')).toBe(false);
});

test('a bake that is not a whole number of poll intervals waits the rest at the end', async () => {
  const { definition } = flow(Strategy.canary({ steps: [{ weight: 10, gate: StepGate.bake(Duration.seconds(150)) }] }));
  const { calls } = await execute(definition, {}, world().handler);
  expect(calls.filter(c => c.action === 'cloudwatch:describeAlarms').map(c => c.at)).toEqual([0, 60, 120, 150]);
  expect((definition as any).States['Step 1 at 10 percent - bake the last 30s']).toMatchObject({ Type: 'Wait', Seconds: 30 });
});

test('an alarm in ALARM before an approval rolls back without asking anybody', async () => {
  const { definition } = flow(Strategy.canary({ steps: [{ weight: 10, gate: StepGate.manualApproval() }] }));
  const fake = world();
  fake.alarmsAt = () => ['Stack-Errors'];
  const { calls, error } = await execute(definition, {}, fake.handler);
  expect(error).toBe('AlarmFired');
  expect(calls.some(c => c.action === 'sns:publish.waitForTaskToken')).toBe(false);
});

test('an approval without a timeout is watched as long as the history affords, then rolls back as a timeout would', async () => {
  const { driver } = flow(CANARY);
  // The longest execution, with every read of the watch and a rollback, fits the 25,000 history events.
  expect(driver.cost.events + driver.rollbackCost().events).toBeLessThanOrEqual(25_000);
  expect(driver.cost.events + driver.rollbackCost().events).toBeGreaterThan(24_000);
  // Three reads, for the test.
  const { definition } = flow(CANARY, { untimedWatchPolls: 3 });
  const fake = world();
  fake.approval = () => 'ignore';
  const { error, cause } = await execute(definition, {}, fake.handler);
  expect(error).toBe('ApprovalTimedOut');
  expect(cause).toBe('Nobody approved step 2 of 3 (50% on the candidate) within 3m, the longest the driver watches the alarms in one execution; '
    + 'all traffic is back on the stable side.');
  expect(fake.ruleWeights.get(CANDIDATE)).toBe(0);
  expect(fake.published.find(m => m.subject?.startsWith('Approve'))!.message)
    .toContain('it reads the alarms while it waits, for up to 3m, and without an answer by then it rolls back. An alarm in ALARM meanwhile rolls it back.');
});

test('alarms that cannot be read while an approval waits roll back', async () => {
  const { definition } = flow(CANARY);
  const fake = world();
  fake.approval = () => 'ignore';
  const handler = fake.handler;
  let reads = 0;
  const { error, cause } = await execute(definition, {}, (action, params, at, state) => {
    // The 12th read is the first of the watch (after 10 in the bake and 1 before the request).
    if (action === 'cloudwatch:describeAlarms' && ++reads >= 13) throw Object.assign(new Error('User is not authorized'), { name: 'CloudWatch.CloudWatchException' });
    return handler(action, params, at, state);
  });
  expect(error).toBe('AlarmsUnreadable');
  expect(cause).toContain('while it waited for approval');
  expect(fake.ruleWeights.get(CANDIDATE)).toBe(0);
});

test('alarms that cannot be read roll back: nothing would watch the release', async () => {
  const { definition } = flow(CANARY);
  const fake = world();
  const handler = fake.handler;
  const { error, cause } = await execute(definition, {}, (action, params, at, state) => {
    if (action === 'cloudwatch:describeAlarms') throw Object.assign(new Error('User is not authorized'), { name: 'CloudWatch.CloudWatchException' });
    return handler(action, params, at, state);
  });
  expect(error).toBe('AlarmsUnreadable');
  expect(cause).toContain('nothing watched the release');
  expect(fake.ruleWeights.get(CANDIDATE)).toBe(0);
});

test('after step 1, a rule that cannot be read rolls back: a driver that cannot read the traffic watches nothing', async () => {
  const { definition } = flow(CANARY);
  const fake = world();
  // Step 2's read, and its three retries.
  fake.failWith = (action, n) => (action === 'elasticloadbalancingv2:describeRules' && n >= 2 && n <= 5 ? 'ElasticLoadBalancingV2.ElasticLoadBalancingV2Exception' : undefined);
  const { error, cause } = await execute(definition, {}, fake.handler);
  expect(error).toBe('ChangeFailed');
  expect(cause).toMatch(/^Step 2 of 3 could not read or change the weights on ALB weighted target groups/);
  expect([fake.ruleWeights.get(STABLE), fake.ruleWeights.get(CANDIDATE)]).toEqual([1, 0]);
  expect(fake.published.at(-1)!.subject).toBe('Rollout Stack/Web rolled back');
});

test('throttled rule changes are retried', async () => {
  const { definition } = flow(CANARY);
  const fake = world();
  fake.failWith = (action, n) => (action === 'elasticloadbalancingv2:modifyRule' && n <= 4 ? 'ElasticLoadBalancingV2.ThrottlingException' : undefined);
  const { error } = await execute(definition, {}, fake.handler);
  expect(error).toBeUndefined();
  expect(fake.ruleWeights.get(CANDIDATE)).toBe(1);
});

test('without a topic nothing is announced', async () => {
  const { definition } = flow(Strategy.CANARY_10PERCENT_5MINUTES, { topic: false });
  expect(JSON.stringify(definition)).not.toContain('sns:publish');
  const { calls, error } = await execute(definition, {}, world().handler);
  expect(error).toBeUndefined();
  expect(calls.some(c => c.action.startsWith('sns:'))).toBe(false);
});

test('a failed announcement does not stop the rollout', async () => {
  const { definition } = flow(Strategy.CANARY_10PERCENT_5MINUTES);
  const fake = world();
  const handler = fake.handler;
  const { error } = await execute(definition, {}, (action, params, at, state) => {
    if (action === 'sns:publish') throw Object.assign(new Error('KMS key disabled'), { name: 'SNS.KMSDisabledException' });
    return handler(action, params, at, state);
  });
  expect(error).toBeUndefined();
  expect(fake.ruleWeights.get(CANDIDATE)).toBe(1);
});

test('a construct path with braces and quotes reaches the messages as written', async () => {
  const { definition } = flow(Strategy.CANARY_10PERCENT_5MINUTES, { path: "Stack/It's{}{x}" });
  expectValidAsl(definition);
  const fake = world();
  await execute(definition, {}, fake.handler);
  expect(fake.published[0].message).toMatch(/^Rollout Stack\/It's\{ \}\{x\} started/);
});

describe('helpers', () => {
  test('format escapes literal text and fills the slots with paths', () => {
    expect(format("it's {} of {x}", ['$.a'])).toBe("States.Format('it\\'s {} of \\{x\\}', $.a)");
    expect(format('{} and {}', ['$.a', "'{}'"])).toBe("States.Format('{} and {}', $.a, '\\{\\}')");
    expect(() => format('{}', [])).toThrow('1 slots for 0 paths');
    expect(escapeIntrinsic('a\\b')).toBe('a\\\\b');
  });

  test('SNS subjects are ASCII, under 100 characters', () => {
    expect(snsSubject('Rollout → done')).toBe('Rollout ? done');
    expect(snsSubject('x'.repeat(120))).toBe(`${'x'.repeat(96)}...`);
  });

  test('step labels name the step and its share', () => {
    const plan = Strategy.canary({ steps: [{ weight: 12.5, gate: bake(1) }] }).plan();
    expect(plan.steps.map(stepLabel)).toEqual(['Step 1 at 12.5 percent', 'Step 2 at 100 percent']);
  });
});
