import { isDeepStrictEqual } from 'util';
import { Call, EXECUTION, Handler, sdkError, STACK_ID } from './sfn';

/**
 * Test doubles for the AWS APIs a rollout driver calls, keeping live state the way the services
 * do: Route 53 records and changes, a CloudFront policy with its ETag, an ALB rule, CloudWatch
 * alarm states over time, SNS messages and approvals, the stack's status and resources.
 */
export class FakeAws {
  /** Route 53 records by set identifier, as ListResourceRecordSets returns them. */
  public readonly records = new Map<string, any>();
  /** Other records of the zone, which the driver never changes: listed with the rollout's. */
  public readonly otherRecords: any[] = [];
  /** How many GetChange reads a change stays PENDING. */
  public pendingReads = 0;
  /** Read before a step's change, on the nth read of the records (from 1): another writer's change. */
  public readonly outsideChanges = new Map<number, (fake: FakeAws) => void>();
  /** The stack's status on each DescribeStacks read, the last one repeated. */
  public stackStatuses = ['UPDATE_COMPLETE'];
  /** Physical ids by logical id, for DescribeStackResource. */
  public readonly resources = new Map<string, string>();
  /** A CloudFront continuous deployment policy, with its ETag. */
  public policy: { config: any; etag: number } | undefined;
  /** CloudFront distributions' status reads: Deployed after this many InProgress ones. */
  public deployingReads = 0;
  /** The primary distribution's configuration, promoted from the staging one. */
  public promoted = false;
  /** An ALB rule's forward weights by target group ARN. */
  public readonly ruleWeights = new Map<string, number>();
  /** Running executions ListExecutions reports, besides this one. */
  public olderExecutions: string[] = [];

  public readonly published: Array<{ at: number; subject?: string; message: string }> = [];
  private recordReads = 0;
  private stackReads = 0;
  private readonly changes = new Map<string, number>();
  private changeCount = 0;
  private distributionReads = 0;
  private readonly callCounts = new Map<string, number>();

  /** Alarms in ALARM at a simulated second. */
  public alarmsAt: (at: number) => string[] = () => [];
  /** What the person asked for an approval answers, given the message. */
  public approval: (message: string) => 'approve' | 'reject' | 'ignore' = () => 'approve';

  /** An error to raise on the nth call (from 1) of an action, as Step Functions names it (`Route53.ThrottlingException`); none by default. */
  public failWith: (action: string, call: number) => string | undefined = () => undefined;

  /** The handler for `execute`. */
  public get handler(): Handler {
    return (action, params, at) => {
      const n = (this.callCounts.get(action) ?? 0) + 1;
      this.callCounts.set(action, n);
      const error = this.failWith(action, n);
      if (error !== undefined) throw sdkError(error, `${action} failed (call ${n})`);
      return this.call(action, params, at);
    };
  }

  /** The weights of the two records, stable first. */
  public weights(stable: string, candidate: string): [number, number] {
    return [this.records.get(stable)?.Weight, this.records.get(candidate)?.Weight];
  }

  private async call(action: string, params: any, at: number): Promise<unknown> {
    switch (action) {
      case 'sfn:listExecutions':
        return { Executions: [EXECUTION, ...this.olderExecutions].map(arn => ({ ExecutionArn: arn, StateMachineArn: params.StateMachineArn, Status: 'RUNNING' })) };
      case 'sfn:stopExecution':
        this.olderExecutions = this.olderExecutions.filter(e => e !== params.ExecutionArn);
        return {};
      case 'cloudformation:describeStacks': {
        if (params.StackName !== STACK_ID) throw sdkError('CloudFormation.CloudFormationException', `Stack ${params.StackName} does not exist`);
        const status = this.stackStatuses[Math.min(this.stackReads++, this.stackStatuses.length - 1)];
        return { Stacks: [{ StackId: STACK_ID, StackStatus: status }] };
      }
      case 'cloudformation:describeStackResource': {
        const id = this.resources.get(params.LogicalResourceId);
        if (id === undefined) throw sdkError('CloudFormation.CloudFormationException', `Resource ${params.LogicalResourceId} does not exist`);
        return { StackResourceDetail: { LogicalResourceId: params.LogicalResourceId, PhysicalResourceId: id } };
      }
      case 'cloudwatch:describeAlarms': {
        const firing = this.alarmsAt(at).filter(name => params.AlarmNames.includes(name));
        return { MetricAlarms: params.StateValue === 'ALARM' ? firing.map(name => ({ AlarmName: name, StateValue: 'ALARM' })) : [], CompositeAlarms: [] };
      }
      case 'sns:publish':
        this.published.push({ at, subject: params.Subject, message: params.Message });
        return { MessageId: `message-${this.published.length}` };
      case 'sns:publish.waitForTaskToken': {
        this.published.push({ at, subject: params.Subject, message: params.Message });
        const answer = this.approval(params.Message);
        if (answer === 'approve') return {};
        if (answer === 'reject') throw sdkError('Rejected', 'the error rate looks wrong');
        return new Promise(() => undefined);
      }
      case 'route53:listResourceRecordSets': {
        this.recordReads++;
        this.outsideChanges.get(this.recordReads)?.(this);
        // Sorted by name, type and set identifier, from the one asked for; at most MaxItems (a string, 300 by default).
        const key = (r: any) => [r.Name, r.Type, r.SetIdentifier ?? ''];
        const start = [params.StartRecordName ?? '', params.StartRecordType ?? '', params.StartRecordIdentifier ?? ''];
        const compare = (a: string[], b: string[]) => {
          const i = a.findIndex((x, j) => x !== b[j]);
          return i === -1 ? 0 : (a[i] < b[i] ? -1 : 1);
        };
        if (params.MaxItems !== undefined && typeof params.MaxItems !== 'string') throw sdkError('Route53.InvalidInputException', 'MaxItems must be a string');
        const max = Number(params.MaxItems ?? '300');
        const sorted = [...this.records.values(), ...this.otherRecords].sort((a, b) => compare(key(a), key(b)))
          .filter(r => compare(key(r), start) >= 0);
        return { ResourceRecordSets: sorted.slice(0, max).map(r => structuredClone(r)), IsTruncated: sorted.length > max, MaxItems: String(max) };
      }
      case 'route53:changeResourceRecordSets': return this.changeRecords(params);
      case 'route53:getChange': {
        // GetChange takes the bare id, not ChangeInfo.Id's `/change/C...`.
        if (String(params.Id).includes('/')) throw sdkError('Route53.InvalidInputException', `1 validation error detected: Value '${params.Id}' at 'id' failed to satisfy constraint`);
        const reads = this.changes.get(params.Id);
        if (reads === undefined) throw sdkError('Route53.NoSuchChangeException', `No change ${params.Id}`);
        this.changes.set(params.Id, reads + 1);
        return { ChangeInfo: { Id: `/change/${params.Id}`, Status: reads >= this.pendingReads ? 'INSYNC' : 'PENDING' } };
      }
      case 'cloudfront:getContinuousDeploymentPolicyConfig':
        return { ContinuousDeploymentPolicyConfig: structuredClone(this.policy!.config), ETag: `E${this.policy!.etag}` };
      case 'cloudfront:updateContinuousDeploymentPolicy': {
        if (params.IfMatch !== `E${this.policy!.etag}`) throw sdkError('CloudFront.PreconditionFailedException', 'The If-Match version is missing or not valid.');
        this.policy = { config: structuredClone(params.ContinuousDeploymentPolicyConfig), etag: this.policy!.etag + 1 };
        this.distributionReads = 0;
        return { ContinuousDeploymentPolicy: {}, ETag: `E${this.policy.etag}` };
      }
      case 'cloudfront:getDistribution':
        return { Distribution: { Id: params.Id, Status: this.distributionReads++ < this.deployingReads ? 'InProgress' : 'Deployed' } };
      case 'cloudfront:getDistributionConfig':
        return { DistributionConfig: {}, ETag: `${params.Id}-etag` };
      case 'cloudfront:updateDistributionWithStagingConfig':
        this.promoted = true;
        this.policy!.config.Enabled = false;
        this.distributionReads = 0;
        return { Distribution: {}, ETag: 'E-promoted' };
      case 'elasticloadbalancingv2:describeRules':
        return {
          Rules: params.RuleArns.map((arn: string) => ({
            RuleArn: arn,
            Actions: [{ Type: 'forward', ForwardConfig: { TargetGroups: [...this.ruleWeights].map(([TargetGroupArn, Weight]) => ({ TargetGroupArn, Weight })) } }],
          })),
        };
      case 'elasticloadbalancingv2:modifyRule': {
        this.ruleWeights.clear();
        for (const group of params.Actions[0].ForwardConfig.TargetGroups) this.ruleWeights.set(group.TargetGroupArn, group.Weight);
        return { Rules: [] };
      }
    }
    throw new Error(`the fake has no ${action}`);
  }

  /** A change batch applied whole or not at all; a DELETE must name the record exactly as it is. */
  private changeRecords(params: any): unknown {
    const next = new Map([...this.records].map(([k, v]) => [k, structuredClone(v)]));
    for (const change of params.ChangeBatch.Changes) {
      const record = change.ResourceRecordSet;
      const id = record.SetIdentifier;
      if (change.Action === 'DELETE') {
        // Route 53 compares the values, not how they were built.
        if (!isDeepStrictEqual(JSON.parse(JSON.stringify(next.get(id) ?? null)), JSON.parse(JSON.stringify(record)))) {
          throw sdkError('Route53.InvalidChangeBatchException',
            `[Tried to delete resource record set [name='${record.Name}', type='${record.Type}', set-identifier='${id}'] but the values provided do not match the current values]`);
        }
        next.delete(id);
      } else if (change.Action === 'CREATE') {
        if (next.has(id)) throw sdkError('Route53.InvalidChangeBatchException', `[Tried to create resource record set ${id} but it already exists]`);
        next.set(id, structuredClone(record));
      } else {
        throw new Error(`the driver may only CREATE and DELETE, not ${change.Action}`);
      }
    }
    this.records.clear();
    for (const [k, v] of next) this.records.set(k, v);
    const id = `C${++this.changeCount}`;
    this.changes.set(id, 0);
    return { ChangeInfo: { Id: `/change/${id}`, Status: 'PENDING' } };
  }
}

/** The calls of an execution that change something, without the reads: what a test asserts on. */
export function writes(calls: Call[]): Call[] {
  return calls.filter(c => /change|update|modify|publish|stop/i.test(c.action));
}
