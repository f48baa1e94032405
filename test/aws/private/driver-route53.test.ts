import { Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as route53 from 'aws-cdk-lib/aws-route53';
import { aws, CapacityMode, StepGate, Strategy } from '../../../src';
import { normalizedName } from '../../../src/aws/private/driver-route53';
import { testApp, validatedTemplate } from '../../support/cfn';
import { FakeAws } from '../../support/fake-aws';
import { Call, definitionOf, execute, expectValidAsl, resolveCfn } from '../../support/sfn';

// Executions run under fake timers, but a busy machine takes seconds over hundreds of simulated waits.
jest.setTimeout(60_000);

const bake = (minutes: number) => StepGate.bake(Duration.minutes(minutes));
const CANARY = Strategy.canary({
  steps: [
    { weight: 5, gate: bake(15) },
    { weight: 25, gate: bake(30) },
    { weight: 50, gate: StepGate.manualApproval({ timeout: Duration.hours(4) }) },
  ],
});
const ALARM = 'Stack-Errors';

/** A driven rollout between two IP addresses (records with a TTL, and a health check on the candidate), watched by one alarm. */
function synth(strategy: Strategy = CANARY, id = 'Web') {
  const stack = new Stack(testApp(), 'Stack');
  const zone = new route53.PublicHostedZone(stack, 'Zone', { zoneName: 'example.com' });
  const health = new route53.HealthCheck(stack, 'Health', { type: route53.HealthCheckType.HTTP, ipAddress: '192.0.2.20', resourcePath: '/' });
  const web = new aws.WeightedDnsRollout(stack, id, {
    zone,
    recordName: 'www',
    strategy,
    driver: aws.RolloutDriver.stepFunctions(),
    stable: aws.DnsTarget.ipAddress('192.0.2.10'),
    candidate: aws.DnsTarget.ipAddress('192.0.2.20', { healthCheck: health }),
  });
  web.addAlarm(new cloudwatch.Alarm(stack, 'Errors', {
    metric: new cloudwatch.Metric({ namespace: 'App', metricName: 'Errors' }), threshold: 5, evaluationPeriods: 2,
  }));
  const template = validatedTemplate(stack).toJSON();
  const definition = definitionOf(template);
  return { template, definition };
}

/** Route 53 as CloudFormation left it: the two records with the template's values; the alarm's name. */
function world(template: any): FakeAws {
  const fake = new FakeAws();
  for (const [id, r] of Object.entries<any>(template.Resources)) {
    if (r.Type === 'AWS::CloudWatch::Alarm') fake.resources.set(id, ALARM);
    if (r.Type !== 'AWS::Route53::RecordSet') continue;
    const p = resolveCfn(template, r.Properties);
    fake.records.set(p.SetIdentifier, {
      Name: p.Name,
      Type: p.Type,
      SetIdentifier: p.SetIdentifier,
      Weight: p.Weight,
      TTL: Number(p.TTL),
      ResourceRecords: p.ResourceRecords.map((Value: string) => ({ Value })),
      ...(p.HealthCheckId ? { HealthCheckId: `hc-${p.HealthCheckId}` } : {}),
    });
  }
  // A change is INSYNC on the second read, as it usually is.
  fake.pendingReads = 1;
  // The zone holds 300 more records after the rollout's, of a kilobyte each: listing them all would pass 256 KiB.
  for (let i = 0; i < 300; i++) {
    fake.otherRecords.push({ Name: `zz${String(i).padStart(3, '0')}.example.com.`, Type: 'TXT', TTL: 300, ResourceRecords: [{ Value: `"${'x'.repeat(1000)}"` }] });
  }
  return fake;
}

/** The weights each change batch sets, with its second, as [at, stable, candidate]. */
function weightChanges(calls: Call[]): Array<[number, number, number]> {
  return calls.filter(c => c.action === 'route53:changeResourceRecordSets').map(c => {
    const created = c.params.ChangeBatch.Changes.filter((x: any) => x.Action === 'CREATE').map((x: any) => x.ResourceRecordSet);
    const weight = (id: string) => created.find((r: any) => r.SetIdentifier === id).Weight;
    return [c.at, weight('Web-stable'), weight('Web-candidate')];
  });
}

const readsOf = (calls: Call[], action: string) => calls.filter(c => c.action === action).map(c => c.at);

let synthesized: ReturnType<typeof synth>;
beforeAll(() => {
  synthesized = synth();
}, 120_000);

test('the definition is valid Amazon States Language', () => {
  expectValidAsl(synthesized.definition);
});

describe('a canary 5% (bake 15m) → 25% (bake 30m) → 50% (approval) → 100%', () => {
  test('walks every step with the plan\'s weights and waits, reading the alarms through each bake', async () => {
    const fake = world(synthesized.template);
    const { calls, error, seconds } = await execute(synthesized.definition, { 'detail-type': 'CloudFormation Resource Status Change' }, fake.handler);
    expect(error).toBeUndefined();
    // The plan's weights (one total of 20 across steps), set at 0, 15 and 45 minutes; 100% once approved.
    expect(weightChanges(calls)).toEqual([[0, 19, 1], [915, 15, 5], [2730, 10, 10], [2745, 0, 20]]);
    expect(fake.weights('Web-stable', 'Web-candidate')).toEqual([0, 20]);
    // Each change is waited for until INSYNC (15 seconds later), then the bake starts.
    expect(readsOf(calls, 'route53:getChange')).toEqual([0, 15, 915, 930, 2730, 2745, 2745, 2760]);
    // The alarms are read every minute through each bake and once at its end, before and after the approval.
    const alarmReads = readsOf(calls, 'cloudwatch:describeAlarms');
    expect(alarmReads.filter(at => at <= 915)).toEqual([...Array.from({ length: 16 }, (_, i) => 15 + i * 60)]);
    expect(alarmReads.filter(at => at > 915 && at <= 2730)).toEqual([...Array.from({ length: 31 }, (_, i) => 930 + i * 60)]);
    expect(alarmReads.filter(at => at > 2730)).toEqual([2745, 2745]);
    expect(calls.find(c => c.action === 'cloudwatch:describeAlarms')!.params).toEqual({
      AlarmNames: [ALARM], AlarmTypes: ['CompositeAlarm', 'MetricAlarm'], StateValue: 'ALARM',
    });
    expect(seconds).toBe(2760);
  });

  test('changes both records in one batch that deletes each exactly as read and creates it with its new weight', async () => {
    const fake = world(synthesized.template);
    const before = structuredClone([...fake.records.values()]);
    const { calls } = await execute(synthesized.definition, {}, fake.handler);
    const first = calls.find(c => c.action === 'route53:changeResourceRecordSets')!;
    const [stable, candidate] = [before.find(r => r.SetIdentifier === 'Web-stable'), before.find(r => r.SetIdentifier === 'Web-candidate')];
    expect(first.params).toEqual({
      HostedZoneId: 'ZoneA5DE4B68',
      ChangeBatch: {
        Comment: 'Step 1 at 5 percent: stable weight 19 and candidate weight 1 (cdk-deploy-strategies driver)',
        Changes: [
          { Action: 'DELETE', ResourceRecordSet: stable },
          { Action: 'DELETE', ResourceRecordSet: candidate },
          { Action: 'CREATE', ResourceRecordSet: { ...stable, Weight: 19 } },
          { Action: 'CREATE', ResourceRecordSet: { ...candidate, Weight: 1 } },
        ],
      },
    });
    // The records listed are the rollout's own: the listing starts at each one's set identifier.
    expect(calls.filter(c => c.action === 'route53:listResourceRecordSets').slice(0, 2).map(c => c.params)).toEqual([
      { HostedZoneId: 'ZoneA5DE4B68', StartRecordName: 'www.example.com.', StartRecordType: 'A', StartRecordIdentifier: 'Web-stable', MaxItems: '1' },
      { HostedZoneId: 'ZoneA5DE4B68', StartRecordName: 'www.example.com.', StartRecordType: 'A', StartRecordIdentifier: 'Web-candidate', MaxItems: '1' },
    ]);
    // The change is read back by its bare id, not ChangeInfo.Id's `/change/C1`.
    expect(calls.find(c => c.action === 'route53:getChange')!.params).toEqual({ Id: 'C1' });
  });

  test('announces the start, every step, the approval request with the commands, and the finish', async () => {
    const fake = world(synthesized.template);
    await execute(synthesized.definition, {}, fake.handler);
    expect(fake.published.map(m => m.subject)).toEqual([
      'Rollout Stack/Web started',
      'Rollout Stack/Web: step 1 of 4',
      'Rollout Stack/Web: step 2 of 4',
      'Rollout Stack/Web: step 3 of 4',
      'Approve step 3 of 4 of rollout Stack/Web',
      'Rollout Stack/Web: step 4 of 4',
      'Rollout Stack/Web finished',
    ]);
    const approval = fake.published[4].message;
    expect(approval).toContain("aws stepfunctions send-task-success --task-token 'TASK-TOKEN' --task-output '{}'");
    expect(approval).toContain("aws stepfunctions send-task-failure --task-token 'TASK-TOKEN' --error Rejected --cause '<why>'");
    expect(approval).toContain('without an answer within 4h it rolls back');
    expect(fake.published[0].message).toContain('aws stepfunctions start-execution --state-machine-arn arn:aws:states:us-east-1:123456789012:stateMachine:driver --input \'{"action":"rollback"}\'');
    expect(fake.published[0].message).toContain(CANARY.plan({ capacity: CapacityMode.FULL_COPY }).toTable());
    expect(fake.published[2].message).toBe('Rollout Stack/Web is at step 2 of 4 (execution arn:aws:states:us-east-1:123456789012:execution:driver:run-1): '
      + '25% of traffic on the candidate (stable weight 15 and candidate weight 5), held by bake 30m.');
  });

  test('an alarm during step 2 puts all traffic back on stable and fails the execution naming the alarm', async () => {
    const fake = world(synthesized.template);
    fake.alarmsAt = at => (at >= 1200 ? [ALARM] : []);
    const { calls, error, cause } = await execute(synthesized.definition, {}, fake.handler);
    expect(weightChanges(calls)).toEqual([[0, 19, 1], [915, 15, 5], [1230, 20, 0]]);
    expect(fake.weights('Web-stable', 'Web-candidate')).toEqual([20, 0]);
    expect(error).toBe('AlarmFired');
    expect(cause).toBe(`Alarm ${ALARM} fired during step 2 of 4 (25% on the candidate); all traffic is back on the stable side.`);
    expect(fake.published.at(-1)!.subject).toBe('Rollout Stack/Web rolled back');
  });

  test('a rejected approval puts all traffic back on stable', async () => {
    const fake = world(synthesized.template);
    fake.approval = () => 'reject';
    const { calls, error, cause } = await execute(synthesized.definition, {}, fake.handler);
    expect(weightChanges(calls).map(([, s, c]) => [s, c])).toEqual([[19, 1], [15, 5], [10, 10], [20, 0]]);
    expect(error).toBe('ApprovalRejected');
    expect(cause).toBe('Step 3 of 4 was not approved ({"Error":"Rejected","Cause":"the error rate looks wrong"}); all traffic is back on the stable side.');
  });

  test('an alarm while an approval waits rolls back at once, naming the alarm, and ends the wait', async () => {
    const fake = world(synthesized.template);
    fake.approval = () => 'ignore';
    // The approval is asked for at 2745 seconds; two hours later, the alarm fires.
    fake.alarmsAt = at => (at >= 2745 + 7200 ? [ALARM] : []);
    const { calls, error, cause, seconds } = await execute(synthesized.definition, {}, fake.handler);
    expect(error).toBe('AlarmFired');
    expect(cause).toBe(`Alarm ${ALARM} fired during step 3 of 4 (50% on the candidate), while it waited for approval; all traffic is back on the stable side.`);
    expect(weightChanges(calls).map(([, s, c]) => [s, c])).toEqual([[19, 1], [15, 5], [10, 10], [20, 0]]);
    // Read every minute while it waited; rolled back within a minute of the alarm, long before the 4-hour timeout.
    const watched = readsOf(calls, 'cloudwatch:describeAlarms').filter(at => at > 2745);
    expect(watched.slice(0, 3)).toEqual([2805, 2865, 2925]);
    expect(weightChanges(calls).at(-1)![0]).toBe(2745 + 7200);
    expect(seconds).toBeLessThan(2745 + 7200 + 60);
    expect(fake.published.at(-1)!.subject).toBe('Rollout Stack/Web rolled back');
  });

  test('an approval request SNS cannot publish rolls back, and says so rather than calling it a rejection', async () => {
    const fake = world(synthesized.template);
    fake.failWith = action => (action === 'sns:publish.waitForTaskToken' ? 'SNS.KmsDisabledException' : undefined);
    const { error, cause } = await execute(synthesized.definition, {}, fake.handler);
    expect(error).toBe('ApprovalNotRequested');
    expect(cause).toMatch(/^The approval of step 3 of 4 could not be requested on the topic \(\{"Error":"SNS.KmsDisabledException"/);
    expect(fake.weights('Web-stable', 'Web-candidate')).toEqual([20, 0]);
  });

  test('a throttled approval request is published again', async () => {
    const fake = world(synthesized.template);
    fake.failWith = (action, n) => (action === 'sns:publish.waitForTaskToken' && n <= 2 ? 'SNS.ThrottledException' : undefined);
    const { error } = await execute(synthesized.definition, {}, fake.handler);
    expect(error).toBeUndefined();
    expect(fake.weights('Web-stable', 'Web-candidate')).toEqual([0, 20]);
  });

  test('an approval nobody answers rolls back after its timeout', async () => {
    const fake = world(synthesized.template);
    fake.approval = () => 'ignore';
    const { calls, error, seconds } = await execute(synthesized.definition, {}, fake.handler);
    expect(weightChanges(calls).at(-1)!.slice(1)).toEqual([20, 0]);
    expect(error).toBe('ApprovalTimedOut');
    expect(seconds).toBeGreaterThanOrEqual(2745 + 4 * 3600);
  });

  test('weights moved by someone else stop the execution without a write, and say so', async () => {
    const fake = world(synthesized.template);
    // Before step 2 (its read is the third of the records), a person sets 12 : 8.
    fake.outsideChanges.set(3, f => {
      f.records.get('Web-stable').Weight = 12;
      f.records.get('Web-candidate').Weight = 8;
    });
    const { calls, error, cause } = await execute(synthesized.definition, {}, fake.handler);
    expect(weightChanges(calls)).toEqual([[0, 19, 1]]);
    expect(fake.weights('Web-stable', 'Web-candidate')).toEqual([12, 8]);
    expect(error).toBe('TrafficMovedOutside');
    expect(cause).toMatch(/^the weights are stable \[\{.*"Weight":12.*\}\] and candidate \[\{.*"Weight":8.*\}\], not stable weight 19 and candidate weight 1, set at step 1: something else moved them/);
    expect(fake.published.at(-1)!.message).toContain('stopped before step 2 of 4');
  });

  test('a record changed between the read and the write fails the change, which writes nothing', async () => {
    const fake = world(synthesized.template);
    const handler = fake.handler;
    let reads = 0;
    const { calls, error } = await execute(synthesized.definition, {}, (action, params, at, state) => {
      // Right after step 1's reads, a new deploy changes the candidate's address.
      if (action === 'route53:listResourceRecordSets' && ++reads === 2) {
        const result = handler(action, params, at, state);
        fake.records.get('Web-candidate').ResourceRecords = [{ Value: '192.0.2.30' }];
        return result;
      }
      return handler(action, params, at, state);
    });
    expect(error).toBe('ChangeRefused');
    expect(calls.filter(c => c.action === 'route53:changeResourceRecordSets')).toHaveLength(1);
    expect(fake.weights('Web-stable', 'Web-candidate')).toEqual([20, 0]);
    expect(fake.records.get('Web-candidate').ResourceRecords).toEqual([{ Value: '192.0.2.30' }]);
  });

  test('throttled reads and changes are retried with backoff, and the rollout goes on', async () => {
    const fake = world(synthesized.template);
    // Step 2's first read is throttled five times, its change three times (an earlier change of the zone still applying).
    fake.failWith = (action, n) => {
      if (action === 'route53:listResourceRecordSets' && n >= 3 && n <= 7) return 'Route53.ThrottlingException';
      if (action === 'route53:changeResourceRecordSets' && n >= 2 && n <= 4) return 'Route53.PriorRequestNotCompleteException';
      return undefined;
    };
    const { calls, error } = await execute(synthesized.definition, {}, fake.handler);
    expect(error).toBeUndefined();
    // Step 2's change, tried four times.
    expect(weightChanges(calls).map(([, s, c]) => [s, c])).toEqual([[19, 1], [15, 5], [15, 5], [15, 5], [15, 5], [10, 10], [0, 20]]);
    expect(fake.weights('Web-stable', 'Web-candidate')).toEqual([0, 20]);
    // 2, 4, 8, 16 and 32 seconds between the reads; 2, 4 and 8 between the changes.
    const reads = readsOf(calls, 'route53:listResourceRecordSets').slice(2, 8);
    expect(reads.slice(1).map((at, i) => at - reads[i])).toEqual([2, 4, 8, 16, 32]);
  });

  test('after step 1, a read that keeps failing puts all traffic back on stable and says so', async () => {
    const fake = world(synthesized.template);
    // Step 2's change is made, then Route 53 stops answering GetChange for it (every try and retry).
    fake.failWith = (action, n) => (action === 'route53:getChange' && n >= 3 && n <= 6 ? 'Route53.Route53Exception' : undefined);
    const { calls, error, cause } = await execute(synthesized.definition, {}, fake.handler);
    expect(weightChanges(calls).map(([, s, c]) => [s, c])).toEqual([[19, 1], [15, 5], [20, 0]]);
    expect(fake.weights('Web-stable', 'Web-candidate')).toEqual([20, 0]);
    expect(error).toBe('ChangeFailed');
    expect(cause).toMatch(/^Step 2 of 4 could not read or change the weights on Route 53 weighted records \(\{"Error":"Route53.Route53Exception".*\); all traffic is back on the stable side\.$/);
    expect(fake.published.at(-1)!.subject).toBe('Rollout Stack/Web rolled back');
  });

  test('after step 1, a change that fails rolls back', async () => {
    const fake = world(synthesized.template);
    fake.failWith = (action, n) => (action === 'route53:changeResourceRecordSets' && n === 2 ? 'Route53.InvalidInputException' : undefined);
    const { calls, error } = await execute(synthesized.definition, {}, fake.handler);
    expect(error).toBe('ChangeFailed');
    expect(fake.weights('Web-stable', 'Web-candidate')).toEqual([20, 0]);
    expect(weightChanges(calls).map(([, s, c]) => [s, c])).toEqual([[19, 1], [15, 5], [20, 0]]);
  });

  test('a rollback that finds a record of the rollout gone writes nothing, and fails naming it', async () => {
    const fake = world(synthesized.template);
    // Someone deleted the candidate record; the listing from it finds the next record of the name, another rollout's.
    const candidate = fake.records.get('Web-candidate');
    fake.records.delete('Web-candidate');
    fake.otherRecords.push({ ...candidate, SetIdentifier: 'Web-x-other', Weight: 7 });
    const { calls, error, cause } = await execute(synthesized.definition, { action: 'rollback' }, fake.handler);
    expect(calls.filter(c => c.action === 'route53:changeResourceRecordSets')).toEqual([]);
    expect(error).toBe('RollbackFailed');
    expect(cause).toBe('The rollback found no candidate record (www.example.com. A, set identifier Web-candidate), so it wrote nothing: '
      + 'it would have changed another resource. Deploy without the candidate to put all traffic back on the stable side.');
    expect(fake.published.at(-1)!.subject).toBe('Rollout Stack/Web could not roll back');
  });

  test('waits for Route 53 to be INSYNC before the bake starts', async () => {
    const fake = world(synthesized.template);
    fake.pendingReads = 3;
    const { calls } = await execute(synthesized.definition, {}, fake.handler);
    expect(readsOf(calls, 'route53:getChange').slice(0, 4)).toEqual([0, 15, 30, 45]);
    // The bake of step 1 starts once the change is INSYNC, 45 seconds in.
    expect(readsOf(calls, 'cloudwatch:describeAlarms')[0]).toBe(45);
    expect(weightChanges(calls)[1][0]).toBe(45 + 900);
  });

  test('a change Route 53 never syncs stops the rollout after 5 minutes, saying where the traffic is', async () => {
    const fake = world(synthesized.template);
    fake.pendingReads = 1000;
    const { calls, error, cause } = await execute(synthesized.definition, {}, fake.handler);
    expect(readsOf(calls, 'route53:getChange')).toHaveLength(20);
    expect(error).toBe('ChangeRefused');
    expect(cause).toContain('Route53.NotInSync');
  });

  test('a deploy that fails and rolls back moves no traffic', async () => {
    const fake = world(synthesized.template);
    fake.stackStatuses = ['UPDATE_IN_PROGRESS', 'UPDATE_ROLLBACK_IN_PROGRESS', 'UPDATE_ROLLBACK_COMPLETE'];
    const { calls, error } = await execute(synthesized.definition, {}, fake.handler);
    expect(readsOf(calls, 'cloudformation:describeStacks')).toEqual([0, 60, 120]);
    expect(error).toBe('DeployFailed');
    expect(weightChanges(calls)).toEqual([]);
    expect(fake.published.at(-1)!.message).toContain('the stack is UPDATE_ROLLBACK_COMPLETE, so the deploy did not finish and no traffic moved');
  });

  test('stops the older executions before it starts: the newest deploy drives the rollout', async () => {
    const fake = world(synthesized.template);
    fake.olderExecutions = ['arn:aws:states:us-east-1:123456789012:execution:driver:run-0'];
    const { calls } = await execute(synthesized.definition, {}, fake.handler);
    expect(calls.filter(c => c.action === 'sfn:stopExecution').map(c => c.params)).toEqual([{
      ExecutionArn: 'arn:aws:states:us-east-1:123456789012:execution:driver:run-0',
      Error: 'Superseded',
      Cause: 'A newer execution drives the rollout: arn:aws:states:us-east-1:123456789012:execution:driver:run-1',
    }]);
  });

  test('an execution started with {"action": "rollback"} puts all traffic back on stable at once', async () => {
    const fake = world(synthesized.template);
    fake.records.get('Web-stable').Weight = 10;
    fake.records.get('Web-candidate').Weight = 10;
    const { calls, error } = await execute(synthesized.definition, { action: 'rollback' }, fake.handler);
    expect(weightChanges(calls)).toEqual([[0, 20, 0]]);
    expect(error).toBe('RollbackRequested');
    expect(calls.some(c => c.action === 'cloudformation:describeStacks')).toBe(false);
  });
});

test('a blue-green switch: everything on stable, then everything on the candidate, the old side watched for its bake', async () => {
  const { template, definition } = synth(Strategy.blueGreen({ bakeTime: Duration.minutes(10) }));
  expectValidAsl(definition);
  const fake = world(template);
  const { calls, error } = await execute(definition, {}, fake.handler);
  expect(error).toBeUndefined();
  expect(weightChanges(calls)).toEqual([[0, 1, 0], [15, 0, 1]]);
  // Every minute of the 10-minute bake, and at its end.
  expect(readsOf(calls, 'cloudwatch:describeAlarms')).toEqual([...Array.from({ length: 10 }, (_, i) => 30 + i * 60), 630]);
}, 60_000);

test('any construct id names the records: the driver lists from their set identifiers and compares them as literals', async () => {
  const { template, definition } = synth(Strategy.canary({ steps: [{ weight: 10, gate: bake(1) }] }), 'Web (v2)+{x}');
  expectValidAsl(definition);
  const fake = world(template);
  const { calls, error } = await execute(definition, {}, fake.handler);
  expect(error).toBeUndefined();
  expect(calls.find(c => c.action === 'route53:listResourceRecordSets')!.params.StartRecordIdentifier).toBe('Web (v2)+{x}-stable');
  expect(fake.weights('Web (v2)+{x}-stable', 'Web (v2)+{x}-candidate')).toEqual([0, 10]);
}, 60_000);

test('IAM: the role changes only the rollout\'s own records, by deleting and creating them', () => {
  const statements = Object.values<any>(synthesized.template.Resources)
    .filter(r => r.Type === 'AWS::IAM::Policy' && r.Properties.PolicyName === 'RolloutDriver')
    .flatMap(r => r.Properties.PolicyDocument.Statement);
  const change = statements.find(s => s.Action === 'route53:ChangeResourceRecordSets');
  expect(change.Condition).toEqual({
    'ForAllValues:StringEquals': {
      'route53:ChangeResourceRecordSetsNormalizedRecordNames': ['www.example.com'],
      'route53:ChangeResourceRecordSetsRecordTypes': ['A'],
      'route53:ChangeResourceRecordSetsActions': ['CREATE', 'DELETE'],
    },
  });
});

describe('normalizedName', () => {
  test.each([
    ['www.example.com.', 'www.example.com'],
    ['WWW.Example.COM', 'www.example.com'],
    ['*.example.com.', '\\052.example.com'],
    ['\\052.example.com.', '\\052.example.com'],
    ['a_b-c.example.com.', 'a_b-c.example.com'],
  ])('%s is %s', (name, normalized) => {
    expect(normalizedName(name)).toBe(normalized);
  });
});
