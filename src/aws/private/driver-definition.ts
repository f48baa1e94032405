import type * as iam from 'aws-cdk-lib/aws-iam';
import type { PlanStep } from '../../core/plan-options';
import { formatPercent, formatSeconds } from '../../core/private/format';
import { StepGateKind } from '../../core/step-gate';
import type { TrafficPlan } from '../../core/strategy';

/**
 * The Amazon States Language definition of a rollout driver: a Standard workflow made only of AWS
 * SDK service integrations (`arn:aws:states:::aws-sdk:<service>:<action>`), the optimized SNS
 * integration and native states (Pass, Choice, Wait, Map, Succeed, Fail). No Lambda function and no
 * custom resource: nothing of ours runs in the account.
 *
 * The definition is built in JSONPath (the query language every Step Functions tool reads); every
 * state is named after the step it runs, so the execution history reads as the rollout's audit
 * trail: `Step 2 at 25 percent - set the traffic`, `Step 2 at 25 percent - bake 1m`...
 *
 * Execution data, in `$`: `input` (the execution's input: a CloudFormation event, `{}` when started
 * by hand, or `{"action": "rollback"}`), `live` (what the backend serves, read before every change),
 * `alarms` (the last alarm read), `count` (loop counters), `failure` (`error` and `cause` of a failed
 * execution).
 */

/** A step of the plan, or undefined for the declared start: every request on the stable side. */
export type Target = PlanStep | undefined;

/** What a backend adds to the flow: how to read, compare and change its traffic. */
export interface DriverBackend {
  /** The backend, as plans name it: `Route 53 weighted records`. */
  readonly name: string;
  /**
   * Resources of the stack the backend names by their physical ids, looked up by logical id when an
   * execution starts (into `$.ids.<key>.id`), so that the state machine does not depend on them:
   * they may depend on it, and the resource that starts it must.
   */
  readonly lookups: Lookup[];
  /** What the driver moves, in messages: `weights`, `policy`. */
  readonly noun: string;
  /** What one `read` takes. */
  readonly readCost: Cost;
  /** `$.live` in words for messages: a `States.Format` template (with `{}` slots) and the paths that fill them. */
  readonly liveText: { readonly template: string; readonly paths: string[] };
  /** The most history events and state transitions one `write` takes, waits included. */
  readonly writeCost: Cost;
  /** What one `write` usually takes: the change applied by the second read. */
  readonly typicalWriteCost: Cost;
  /** What to do once the rollout has finished, for the last announcement. */
  readonly afterFinish: string;
  /**
   * The logical id of the candidate resource when a deploy of a new candidate leaves the traffic
   * where an earlier execution put it (CloudFront: the staging distribution is the candidate, and a
   * new staging configuration leaves the policy as it was). An execution started by that resource's
   * CloudFormation event then puts the traffic back on the declared start before step 1, instead of
   * stopping and leaving the new candidate on traffic nothing watches. Route 53 and ALB declare the
   * weights on the candidate resource itself, so a new candidate writes the declared start.
   */
  readonly resetsOnNewCandidate?: string;
  /**
   * Choice rules that hold when a read found something other than the rollout's own resources (a
   * listing that starts at a record lists the next one when it is gone), each with what is missing:
   * the rollback writes nothing then, since it would write another resource.
   */
  missing?(): Array<{ readonly rule: object; readonly what: string }>;
  /**
   * Adds the states that read the live traffic into `$.live`, then go to `next`; a read that fails
   * (after its retries) goes to `failed`, if given, with the error in `$.error`. Returns the first
   * state's name. Reads keep what the service returns whole, or only paths it always returns: a
   * path that matches nothing would fail the execution (States.Runtime, which nothing catches).
   */
  read(flow: DriverFlow, label: string, next: string, failed?: string): string;
  /** A Choice rule that holds when `$.live` is exactly what the rollout set for `target`. */
  isAt(target: Target): object;
  /** `target` in words: `stable 18 and candidate 2`. */
  describe(target: Target): string;
  /**
   * Adds the states that move the traffic to `target` (from what `$.live` holds), wait until the
   * backend applies the change, and go on to `next`; a change the backend refuses goes to `failed`
   * with the error in `$.error`. Returns the name of the first state.
   */
  write(flow: DriverFlow, label: string, target: Target, next: string, failed: string): string;
  /** What the state machine's role may do to the backend: its own resources only. */
  statements(): iam.PolicyStatement[];
}

/** A resource of the stack whose physical id an execution looks up when it starts. */
export interface Lookup {
  /** Where the id goes: `$.ids.<key>.id`. */
  readonly key: string;
  /** What it is, for the state's name: `the staging distribution`. */
  readonly what: string;
  readonly logicalId: string;
}

/** An alarm the driver reads: by the logical id of an alarm in the stack, else by name. */
export interface WatchedAlarm {
  readonly logicalId?: string;
  readonly name?: string;
}

/** One AWS SDK call. */
export interface SdkCall {
  /** `route53:listResourceRecordSets`: the service and the action of `arn:aws:states:::aws-sdk:<service>:<action>`. */
  readonly action: string;
  readonly parameters: object;
  readonly resultSelector?: object;
}

/** A count of Standard workflow history events and state transitions. */
export interface Cost {
  readonly events: number;
  readonly transitions: number;
}

/** Everything the flow needs besides the backend. */
export interface DriverFlowProps {
  /** The rollout's construct path, for messages. */
  readonly path: string;
  readonly plan: TrafficPlan;
  readonly backend: DriverBackend;
  /** The stack's ARN, to wait for the deploy that started the execution and look its resources up. */
  readonly stackId: string;
  /** The topic announcements and approval requests go to, if any. */
  readonly topicArn?: string;
  /** The alarms that roll the rollout back: alarms of the stack by logical id, others by name. */
  readonly alarms: WatchedAlarm[];
  /** Seconds between two alarm reads during a bake. */
  readonly pollSeconds: number;
  /**
   * How many times the alarms are read while an approval without a timeout waits, after which it
   * rolls back as a timeout would: as many as the execution's history affords (computed when left out).
   */
  readonly untimedWatchPolls?: number;
}

/** Step Functions Standard workflows keep at most 25,000 events in an execution's history (service quotas). */
export const HISTORY_EVENTS_LIMIT = 25_000;
/** Events kept free of the history for what the estimate leaves out (announcements on the failure paths). */
const HISTORY_MARGIN = 200;
/** An execution runs at most a year. */
const YEAR_SECONDS = 365 * 24 * 3600;

/** History events per state, as Step Functions records them for a Standard workflow. */
export const EVENTS = {
  /** TaskStateEntered, TaskScheduled, TaskStarted, TaskSucceeded, TaskStateExited. */
  task: 5,
  /** ... and TaskSubmitted, for a `.waitForTaskToken` integration. */
  callback: 6,
  /** Entered and exited. */
  pass: 2,
  choice: 2,
  wait: 2,
  /** MapStateEntered, MapStateStarted, MapStateSucceeded, MapStateExited; 2 more per iteration. */
  map: 4,
  mapIteration: 2,
  /** ParallelStateEntered, ParallelStateStarted, ParallelStateFailed or ParallelStateSucceeded, ParallelStateExited. */
  parallel: 4,
  /** ExecutionStarted, and ExecutionSucceeded or ExecutionFailed. */
  execution: 2,
  /** SucceedStateEntered and SucceedStateExited, or FailStateEntered. */
  succeed: 2,
  fail: 1,
};

/** How long the driver waits for the deploy that started it to finish, and how often it looks. */
export const DEPLOY_POLL_SECONDS = 60;
export const DEPLOY_MAX_POLLS = 120;
/** How many older executions the estimate assumes the driver stops. */
const ASSUMED_OLDER_EXECUTIONS = 2;
/** Reads are retried this often before the read fails. */
export const READ_RETRIES = { ErrorEquals: ['States.ALL'], IntervalSeconds: 2, MaxAttempts: 3, BackoffRate: 2 };

/**
 * A service's throttling errors are retried longer, with backoff (2 s, then 4, 8, 16, 32: a minute
 * in all), on reads and writes alike: a throttled change was not made, and Route 53's
 * PriorRequestNotComplete asks to try again. Step Functions' AWS SDK integrations name an error
 * `<Service>.<Error>`, always with the `Exception` suffix, even where the service's API reference
 * leaves it out (`Route53.PriorRequestNotCompleteException`):
 * https://docs.aws.amazon.com/step-functions/latest/dg/supported-services-awssdk.html
 */
export function throttleRetry(errors: string[]): object {
  return { ErrorEquals: errors, IntervalSeconds: 2, MaxAttempts: 6, BackoffRate: 2 };
}

/** What a read retries: throttling longer, anything else three times. */
export function readRetries(throttles: string[]): object[] {
  return [throttleRetry(throttles), READ_RETRIES];
}

/** CloudWatch's throttling, for the alarm reads. */
const CLOUDWATCH_THROTTLES = ['CloudWatch.ThrottlingException', 'CloudWatch.LimitExceededException'];

/** The error the approval branch ends with once answered, which ends the alarm watch beside it. */
const APPROVED = 'Approved';
/** How the alarm watch beside an approval ends the wait. */
const WATCH_ERRORS = ['AlarmFired', 'AlarmsUnreadable'];
/** One read of the watch: wait, read, check, count. */
const WATCH_POLL_EVENTS = EVENTS.wait + EVENTS.task + EVENTS.choice + EVENTS.pass;
/** SNS errors worth publishing the approval request again for: throttling and its own faults. */
const SNS_RETRIED = ['SNS.ThrottledException', 'SNS.InternalErrorException', 'SNS.KmsThrottlingException'];
/**
 * SNS errors that mean the approval request was never published (SNS Publish API reference), as
 * Step Functions names them; a person's send-task-failure is anything else.
 */
const SNS_FAILURES = [
  ...SNS_RETRIED, 'SNS.AuthorizationErrorException', 'SNS.NotFoundException', 'SNS.InvalidParameterException',
  'SNS.KmsDisabledException', 'SNS.KmsAccessDeniedException', 'SNS.KmsNotFoundException', 'SNS.KmsInvalidStateException',
  'SNS.KmsOptInRequiredException', 'SNS.EndpointDisabledException', 'SNS.SnsException',
];

/**
 * Builds a driver's states. The helpers add states and return the name of the first one; costs
 * are counted along the way for the longest successful execution (`cost`).
 */
export class DriverFlow {
  public readonly states: Record<string, any> = {};
  private readonly props: DriverFlowProps;
  private readonly steps: PlanStep[];
  private events = 0;
  private transitions = 0;
  private typical = 0;
  /** How often the alarms are read while an approval without a timeout waits. */
  private watchPolls = 1;

  constructor(props: DriverFlowProps) {
    // Messages are States.Format templates whose slots are `{}`: a path holding one would add a slot.
    this.props = { ...props, path: props.path.split('{}').join('{ }') };
    this.steps = props.plan.steps;
  }

  /** The definition: start, the steps in order, and the ways out (finish, rollback, stop). */
  public definition(): object {
    const p = this.props;
    const n = this.steps.length;
    this.watchPolls = p.untimedWatchPolls ?? this.affordableWatchPolls();
    this.count({ events: EVENTS.execution, transitions: 0 });
    const rollback = this.rollbackStates();

    const finish = this.announce('Announce the finish', `Rollout ${p.path} finished`,
      `Rollout ${p.path} finished (execution {}): all traffic is on the candidate. ${p.backend.afterFinish}`, ['$$.Execution.Id'],
      this.add('Rollout finished', { Type: 'Succeed' }, { events: EVENTS.succeed, transitions: 1 }), true);

    let next = finish;
    for (let i = n - 1; i >= 0; i--) next = this.step(this.steps[i], next, rollback);
    const started0 = this.announce('Announce the start', `Rollout ${p.path} started`,
      `Rollout ${p.path} started (execution {}): ${p.plan.strategy.describe()} on ${p.backend.name}, driven by the state machine {}.\n\n`
      + `${p.plan.toTable()}\n\n${ROLLBACK_HELP}`,
      ['$$.Execution.Id', '$$.StateMachine.Name', '$$.StateMachine.Id'], next, true);
    const started = this.lookUp('', started0, true);
    const deployed = this.waitForDeploy(started);
    const requested = this.add('Roll back on request', {
      Type: 'Pass',
      Parameters: { 'error': 'RollbackRequested', 'cause.$': "States.Format('Rolled back on request by execution {}.', $$.Execution.Id)" },
      ResultPath: '$.failure',
      Next: this.lookUp(' for the rollback', rollback, false),
    }, NO_COST);
    const route = this.add('Is a rollback requested', {
      Type: 'Choice',
      Choices: [{
        And: [{ Variable: '$.input.action', IsPresent: true }, { Variable: '$.input.action', StringEquals: 'rollback' }],
        Next: requested,
      }],
      Default: deployed,
    }, { events: EVENTS.choice, transitions: 1 });
    const supersede = this.stopOlderExecutions(route);
    const start = this.add('Start', {
      Type: 'Pass',
      Comment: `Drives ${p.path}: ${p.plan.strategy.describe()} on ${p.backend.name}.`,
      Parameters: { 'input.$': '$' },
      Next: supersede,
    }, { events: EVENTS.pass, transitions: 1 });
    return {
      Comment: `Rollout driver of ${p.path}: ${p.plan.strategy.describe()} on ${p.backend.name} (cdk-deploy-strategies).`,
      StartAt: start,
      States: this.states,
    };
  }

  /** The longest successful execution: its history events and state transitions. */
  public get cost(): Cost {
    return { events: this.events, transitions: this.transitions };
  }

  /** The state transitions of a usual successful execution: the deploy already finished, each change applied by the second read. */
  public get typicalTransitions(): number {
    return this.typical;
  }

  /** Adds a state; `cost` is what it adds to the longest successful execution. Returns its name. */
  public add(name: string, state: object, cost: Cost = NO_COST): string {
    if (name.length > MAX_STATE_NAME) throw new Error(`state name over ${MAX_STATE_NAME} characters: ${name}`);
    if (this.states[name] !== undefined) throw new Error(`duplicate state name: ${name}`);
    this.states[name] = state;
    this.count(cost);
    return name;
  }

  /**
   * Counts what the longest execution spends outside `add` (loops); `typical` is what a usual one
   * spends there, when it differs.
   */
  public count(cost: Cost, times: number = 1, typical: Cost = cost): void {
    this.events += cost.events * times;
    this.transitions += cost.transitions * times;
    this.typical += typical.transitions * times;
  }

  /** A Task calling an AWS SDK action. */
  public sdkTask(call: SdkCall, fields: Record<string, unknown>): object {
    return {
      Type: 'Task',
      Resource: `arn:aws:states:::aws-sdk:${call.action}`,
      Parameters: call.parameters,
      ...(call.resultSelector ? { ResultSelector: call.resultSelector } : {}),
      ...fields,
    };
  }

  /**
   * A bounded poll: reads with `call` into `resultPath`, goes to `next` once `done` holds, else waits
   * `seconds` and reads again, at most `maxPolls` times in all, then goes to `timedOut`; a read that
   * fails goes to `failed`. Its cost is
   * the caller's to count (`pollCost`).
   */
  public poll(label: string, what: string, opts: {
    call: SdkCall;
    resultPath: string;
    done: object;
    seconds: number;
    maxPolls: number;
    next: string;
    timedOut: string;
    /** What the read retries. */
    retry: object[];
    /** Where a read that fails goes, with the error in `$.error`. */
    failed: string;
  }): string {
    const read = `${label} - read ${what}`;
    const wait = `${label} - wait for ${what}`;
    const counted = `${label} - count the reads of ${what}`;
    const check = `${label} - is ${what} done`;
    this.add(read, this.sdkTask(opts.call, {
      ResultPath: opts.resultPath,
      Retry: opts.retry,
      Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: opts.failed }],
      Next: check,
    }));
    this.add(check, {
      Type: 'Choice',
      Choices: [
        { ...opts.done, Next: opts.next },
        { Variable: '$.count.left', NumericLessThanEquals: 1, Next: opts.timedOut },
      ],
      Default: wait,
    });
    this.add(wait, { Type: 'Wait', Seconds: opts.seconds, Next: counted });
    this.add(counted, { Type: 'Pass', Parameters: { 'left.$': 'States.MathAdd($.count.left, -1)' }, ResultPath: '$.count', Next: read });
    return this.add(`${label} - start reading ${what}`,
      { Type: 'Pass', Result: { left: opts.maxPolls }, ResultPath: '$.count', Next: read });
  }

  /**
   * A message to the topic, then `next`; without a topic, `next` itself. A failed announcement does
   * not stop the rollout. `counted`: whether the longest successful execution passes here.
   */
  public announce(name: string, subject: string, template: string, paths: string[], next: string, counted: boolean = false): string {
    const topicArn = this.props.topicArn;
    if (topicArn === undefined) return next;
    return this.add(name, {
      Type: 'Task',
      Resource: 'arn:aws:states:::sns:publish',
      Parameters: { 'TopicArn': topicArn, 'Subject': snsSubject(subject), 'Message.$': format(template, paths) },
      ResultPath: null,
      Retry: [READ_RETRIES],
      Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.announceError', Next: next }],
      Next: next,
    }, counted ? { events: EVENTS.task, transitions: 1 } : NO_COST);
  }

  /**
   * The alarm reads the history affords an approval without a timeout: what is left of the 25,000
   * events once the rest of the longest execution and its rollback are counted, shared by such approvals.
   */
  private affordableWatchPolls(): number {
    const untimed = this.steps.filter(s => s.gate?.kind === StepGateKind.MANUAL_APPROVAL && s.gate.timeout === undefined).length;
    if (untimed === 0 || this.props.alarms.length === 0) return 1;
    const once = new DriverFlow({ ...this.props, untimedWatchPolls: 1 });
    once.definition();
    const used = once.cost.events + once.rollbackCost().events;
    const polls = Math.floor((HISTORY_EVENTS_LIMIT - HISTORY_MARGIN - used) / (WATCH_POLL_EVENTS * untimed)) + 1;
    return Math.max(1, Math.min(polls, Math.floor(YEAR_SECONDS / this.props.pollSeconds)));
  }

  /** Stops the older executions of this state machine: the newest deploy drives the rollout. */
  private stopOlderExecutions(next: string): string {
    const stop = 'Stop each older execution';
    this.add(stop, {
      Type: 'Map',
      ItemsPath: '$.running.executions',
      ItemSelector: { 'arn.$': '$$.Map.Item.Value.ExecutionArn', 'self.$': '$$.Execution.Id' },
      MaxConcurrency: 1,
      ItemProcessor: {
        ProcessorConfig: { Mode: 'INLINE' },
        StartAt: 'Is it this execution',
        States: {
          'Is it this execution': {
            Type: 'Choice',
            Choices: [{ Variable: '$.arn', StringEqualsPath: '$.self', Next: 'Keep this execution' }],
            Default: 'Stop the older execution',
          },
          'Keep this execution': { Type: 'Succeed' },
          'Stop the older execution': {
            Type: 'Task',
            Resource: 'arn:aws:states:::aws-sdk:sfn:stopExecution',
            Parameters: {
              'ExecutionArn.$': '$.arn',
              'Error': 'Superseded',
              'Cause.$': "States.Format('A newer execution drives the rollout: {}', $.self)",
            },
            // An execution that ended meanwhile needs no stopping.
            Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: null, Next: 'Keep this execution' }],
            End: true,
          },
        },
      },
      ResultPath: null,
      Next: next,
    });
    // Each older execution takes an iteration that stops it; this one, an iteration that keeps it.
    const stopping = (older: number): Cost => ({
      events: EVENTS.map + (older + 1) * (EVENTS.mapIteration + EVENTS.choice) + EVENTS.succeed + older * EVENTS.task,
      transitions: 1 + (older + 1) + 1 + older,
    });
    this.count(stopping(ASSUMED_OLDER_EXECUTIONS), 1, stopping(0));
    return this.add('List the running executions', this.sdkTask({
      action: 'sfn:listExecutions',
      parameters: { 'StateMachineArn.$': '$$.StateMachine.Id', 'StatusFilter': 'RUNNING' },
      resultSelector: { 'executions.$': '$.Executions' },
    }, { ResultPath: '$.running', Retry: [READ_RETRIES], Next: stop }), { events: EVENTS.task, transitions: 1 });
  }

  /**
   * Looks up the physical ids of the backend's resources (`$.ids`) and the names of the alarms
   * (`$.watch`), then goes to `next`. `suffix` tells the two copies apart (the rollout's, the
   * requested rollback's); `counted`: on the longest successful execution.
   */
  private lookUp(suffix: string, next: string, counted: boolean): string {
    const p = this.props;
    let first = next;
    if (p.alarms.length > 0) {
      const items = p.alarms.map(a => (a.logicalId !== undefined ? { logicalId: a.logicalId } : { name: a.name }));
      first = this.add(`Look up the alarms${suffix}`, {
        Type: 'Map',
        ItemsPath: '$.alarmsToWatch',
        MaxConcurrency: 1,
        ItemProcessor: {
          ProcessorConfig: { Mode: 'INLINE' },
          StartAt: `Is it an alarm of the stack${suffix}`,
          States: {
            [`Is it an alarm of the stack${suffix}`]: {
              Type: 'Choice',
              Choices: [{ Variable: '$.logicalId', IsPresent: true, Next: `Look up its name${suffix}` }],
              Default: `Take its name${suffix}`,
            },
            [`Take its name${suffix}`]: { Type: 'Pass', InputPath: '$.name', End: true },
            [`Look up its name${suffix}`]: {
              Type: 'Task',
              Resource: 'arn:aws:states:::aws-sdk:cloudformation:describeStackResource',
              Parameters: { 'StackName': p.stackId, 'LogicalResourceId.$': '$.logicalId' },
              ResultSelector: { 'name.$': '$.StackResourceDetail.PhysicalResourceId' },
              OutputPath: '$.name',
              Retry: [READ_RETRIES],
              End: true,
            },
          },
        },
        ResultPath: '$.watch',
        Next: first,
      }, counted ? {
        events: EVENTS.map + items.length * (EVENTS.mapIteration + EVENTS.choice + EVENTS.task),
        transitions: 1 + 2 * items.length,
      } : NO_COST);
      first = this.add(`List the alarms${suffix}`, { Type: 'Pass', Result: items, ResultPath: '$.alarmsToWatch', Next: first },
        counted ? { events: EVENTS.pass, transitions: 1 } : NO_COST);
    }
    for (const lookup of [...p.backend.lookups].reverse()) {
      first = this.add(`Look up ${lookup.what}${suffix}`, this.sdkTask({
        action: 'cloudformation:describeStackResource',
        parameters: { StackName: p.stackId, LogicalResourceId: lookup.logicalId },
        resultSelector: { 'id.$': '$.StackResourceDetail.PhysicalResourceId' },
      }, { ResultPath: `$.ids.${lookup.key}`, Retry: [READ_RETRIES], Next: first }), counted ? { events: EVENTS.task, transitions: 1 } : NO_COST);
    }
    return first;
  }

  /** Waits for the stack operation that started the execution to finish; a failed one moves no traffic. */
  private waitForDeploy(next: string): string {
    const p = this.props;
    const failed = this.announce('Announce the deploy failed', `Rollout ${p.path} did not start`,
      `Rollout ${p.path} did not start (execution {}): the stack is {}, so the deploy did not finish and no traffic moved. `
      + 'Fix the deploy and deploy again, or start the rollout by hand once the stack is stable: aws stepfunctions start-execution --state-machine-arn {}',
      ['$$.Execution.Id', '$.stack.status', '$$.StateMachine.Id'],
      this.add('The deploy failed', { Type: 'Fail', Error: 'DeployFailed', Cause: 'The deploy that changed the rollout did not finish: no traffic moved.' }));
    const done = {
      Or: ['CREATE_COMPLETE', 'UPDATE_COMPLETE', 'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS', 'IMPORT_COMPLETE']
        .map(status => ({ Variable: '$.stack.status', StringEquals: status })),
    };
    const read = 'Wait for the deploy - read the stack status';
    const check = 'Wait for the deploy - is it finished';
    const wait = 'Wait for the deploy - wait';
    const counted = 'Wait for the deploy - count the reads';
    this.add(read, this.sdkTask({
      action: 'cloudformation:describeStacks',
      parameters: { StackName: p.stackId },
      resultSelector: { 'status.$': '$.Stacks[0].StackStatus' },
    }, { ResultPath: '$.stack', Retry: [READ_RETRIES], Next: check }));
    this.add(check, {
      Type: 'Choice',
      Choices: [
        { ...done, Next: next },
        { And: [{ Variable: '$.stack.status', StringMatches: '*_IN_PROGRESS' }, { Variable: '$.count.left', NumericGreaterThan: 1 }], Next: wait },
      ],
      Default: failed,
    });
    this.add(wait, { Type: 'Wait', Seconds: DEPLOY_POLL_SECONDS, Next: counted });
    this.add(counted, { Type: 'Pass', Parameters: { 'left.$': 'States.MathAdd($.count.left, -1)' }, ResultPath: '$.count', Next: read });
    this.count(pollCost(DEPLOY_MAX_POLLS), 1, pollCost(1));
    return this.add('Wait for the deploy', { Type: 'Pass', Result: { left: DEPLOY_MAX_POLLS }, ResultPath: '$.count', Next: read });
  }

  /** One step: check the live traffic is where the rollout left it, move it, announce, hold the gate. */
  private step(step: PlanStep, next: string, rollback: string): string {
    const p = this.props;
    const n = this.steps.length;
    const label = stepLabel(step);
    const before = step.index === 1 ? undefined : this.steps[step.index - 2];
    const held = this.gate(step, label, next, rollback);
    const announced = this.announce(`${label} - announce`, `Rollout ${p.path}: step ${step.index} of ${n}`,
      `Rollout ${p.path} is at step ${step.index} of ${n} (execution {}): ${formatPercent(step.candidateWeight)} of traffic on the candidate `
      + `(${p.backend.describe(step)}), ${step.gate ? `held by ${step.gate.describe()}` : (step.candidateWeight === 100 ? 'the last step' : 'moving on at once')}.`,
      ['$$.Execution.Id'], held, true);
    // At step 1 nothing has moved yet: a failure stops. Later, traffic is on the candidate: a failure rolls back.
    const failed = step.index === 1 ? this.writeFailed(step, label) : this.stepFailed(step, label, rollback);
    const written = p.backend.write(this, label, step, announced, failed);
    this.count(p.backend.writeCost, 1, p.backend.typicalWriteCost);
    const moved = this.outsideChange(step, before, label);
    const checkName = `${label} - is the traffic as left`;
    this.count(p.backend.readCost);
    const read = p.backend.read(this, label, checkName, failed);
    const reset = step.index === 1 && p.backend.resetsOnNewCandidate !== undefined
      ? [{ ...this.newCandidate(p.backend.resetsOnNewCandidate), Next: this.backToStart(read) }] : [];
    this.add(checkName, {
      Type: 'Choice',
      Choices: [{ ...p.backend.isAt(before), Next: written }, ...reset],
      Default: moved,
    }, { events: EVENTS.choice, transitions: 1 });
    return read;
  }

  /**
   * A Choice rule that holds for an execution started by a deploy of a new candidate (the
   * CloudFormation event of `logicalId`) that has not put the traffic back on the start yet.
   */
  private newCandidate(logicalId: string): object {
    return {
      And: [
        { Variable: '$.input.source', IsPresent: true },
        { Variable: '$.input.source', StringEquals: 'aws.cloudformation' },
        { Variable: '$.input.detail.logical-resource-id', IsPresent: true },
        { Variable: '$.input.detail.logical-resource-id', StringEquals: logicalId },
        { Not: { Variable: '$.reset', IsPresent: true } },
      ],
    };
  }

  /**
   * A new candidate found the traffic where an earlier execution left it (its older executions are
   * stopped by now): put it back on the declared start, which is always safe, say so, and read
   * again before step 1. A change that fails rolls back, which tries the same change again.
   */
  private backToStart(read: string): string {
    const p = this.props;
    const label = 'Back to the start';
    const failed = this.add(`${label} - the change failed`, {
      Type: 'Pass',
      Parameters: {
        'error': 'ChangeFailed',
        'cause.$': format(`The new candidate found the ${p.backend.noun} where an earlier execution left ${p.backend.noun.endsWith('s') ? 'them' : 'it'}, `
          + `and ${p.backend.name} refused the change back to the declared start ({}); all traffic is back on the stable side.`, ['States.JsonToString($.error)']),
      },
      ResultPath: '$.failure',
      Next: 'Roll back',
    });
    const announced = this.announce(`${label} - announce`, `Rollout ${p.path}: back to the start`,
      `Rollout ${p.path} (execution {}) was started by a new candidate and found the ${p.backend.noun} ${p.backend.liveText.template}, `
      + `where an earlier execution left ${p.backend.noun.endsWith('s') ? 'them' : 'it'}: it put ${p.backend.noun.endsWith('s') ? 'them' : 'it'} back on the declared start `
      + `(${p.backend.describe(undefined)}) and rolls the new candidate out from step 1.`,
      ['$$.Execution.Id', ...p.backend.liveText.paths], read);
    const written = p.backend.write(this, label, undefined, announced, failed);
    // Not on the usual path; the longest one pays for it once.
    this.count({
      events: EVENTS.pass + EVENTS.task + EVENTS.choice + p.backend.writeCost.events + p.backend.readCost.events,
      transitions: 3 + p.backend.writeCost.transitions + p.backend.readCost.transitions,
    }, 1, NO_COST);
    return this.add(label, {
      Type: 'Pass',
      Comment: 'A new candidate starts from the declared start: everything on the stable side.',
      Result: { from: 'an earlier execution' },
      ResultPath: '$.reset',
      Next: written,
    });
  }

  /** The gate of a step: nothing, a bake (alarms read throughout), or a manual approval. */
  private gate(step: PlanStep, label: string, next: string, rollback: string): string {
    const gate = step.gate;
    if (gate === undefined) return next;
    if (gate.kind === StepGateKind.MANUAL_APPROVAL) return this.approval(step, label, next, rollback);
    return this.bake(step, label, gate.minimumDuration.toSeconds(), next, rollback);
  }

  /**
   * Holds a step for `seconds`, reading the alarms every `pollSeconds` and once more at the end.
   * Without alarms, one Wait.
   */
  private bake(step: PlanStep, label: string, seconds: number, next: string, rollback: string): string {
    const what = `${step.gate!.describe()}`;
    if (this.props.alarms.length === 0) {
      return this.add(`${label} - ${what}`, { Type: 'Wait', Seconds: seconds, Next: next }, { events: EVENTS.wait, transitions: 1 });
    }
    const poll = this.props.pollSeconds;
    const polls = Math.ceil(seconds / poll);
    const last = seconds - (polls - 1) * poll;
    const finalCheck = this.alarmCheck(step, `${label} - read the alarms at the end`, next, rollback);
    const lastWait = this.add(`${label} - ${polls > 1 ? `bake the last ${formatSeconds(last)}` : what}`,
      { Type: 'Wait', Seconds: last, Next: finalCheck }, { events: EVENTS.wait, transitions: 1 });
    if (polls === 1) return this.alarmCheck(step, `${label} - read the alarms`, lastWait, rollback);
    const read = `${label} - read the alarms`;
    const counted = `${label} - count the bake`;
    const wait = this.add(`${label} - bake ${formatSeconds(poll)}`, { Type: 'Wait', Seconds: poll, Next: counted });
    this.add(counted, { Type: 'Pass', Parameters: { 'left.$': 'States.MathAdd($.bake.left, -1)' }, ResultPath: '$.bake', Next: read });
    const more = this.add(`${label} - more to bake`, {
      Type: 'Choice',
      Choices: [{ Variable: '$.bake.left', NumericGreaterThan: 0, Next: wait }],
      Default: lastWait,
    });
    this.alarmCheck(step, read, more, rollback);
    // polls - 1 full waits, each with its read and count; the first read, and the final wait and read, are counted by alarmCheck and add.
    this.count({ events: EVENTS.wait + EVENTS.pass + EVENTS.task + 2 * EVENTS.choice, transitions: 5 }, polls - 1);
    this.count({ events: EVENTS.choice, transitions: 1 });
    return this.add(`${label} - start the bake`, {
      Type: 'Pass',
      Comment: `${what}: the alarms are read every ${formatSeconds(poll)} and at the end.`,
      Result: { left: polls - 1 },
      ResultPath: '$.bake',
      Next: read,
    }, { events: EVENTS.pass, transitions: 1 });
  }

  /**
   * A manual approval: a task token announced on the topic, with the commands to approve or reject.
   * With alarms, the wait runs in a Parallel state beside a loop that reads them every poll interval:
   * one in ALARM fails that branch, which ends the wait and rolls back naming the alarm; an answer
   * ends the approval branch with a known error (`Approved`), which ends the loop. The Parallel's
   * Catch tells the endings apart.
   */
  private approval(step: PlanStep, label: string, next: string, rollback: string): string {
    const p = this.props;
    const n = this.steps.length;
    const after = this.alarmCheck(step, `${label} - read the alarms after the approval`, next, rollback);
    const following = this.steps[step.index];
    const rejected = this.add(`${label} - approval rejected`, {
      Type: 'Pass',
      Parameters: {
        'error': 'ApprovalRejected',
        'cause.$': format(`Step ${step.index} of ${n} was not approved ({}); all traffic is back on the stable side.`, ['States.JsonToString($.error)']),
      },
      ResultPath: '$.failure',
      Next: rollback,
    });
    const unasked = this.add(`${label} - approval not requested`, {
      Type: 'Pass',
      Parameters: {
        'error': 'ApprovalNotRequested',
        'cause.$': format(`The approval of step ${step.index} of ${n} could not be requested on the topic ({}), so nobody could answer it; `
          + 'all traffic is back on the stable side.', ['States.JsonToString($.error)']),
      },
      ResultPath: '$.failure',
      Next: rollback,
    });
    const timeout = step.gate!.timeout?.toSeconds();
    const watched = p.alarms.length > 0;
    // Without a timeout, the alarms are watched as long as the history affords, then it rolls back.
    const watchPolls = timeout === undefined ? this.watchPolls : Math.ceil(timeout / p.pollSeconds) + 1;
    const watchSeconds = watchPolls * p.pollSeconds;
    // The request's own bound: the timeout, or (watched) a poll after the watch ends, so that the watch ends the wait.
    const taskTimeout = timeout ?? (watched ? watchSeconds + p.pollSeconds : undefined);
    const timedOut = this.add(`${label} - approval timed out`, {
      Type: 'Pass',
      Result: {
        error: 'ApprovalTimedOut',
        cause: `Nobody approved step ${step.index} of ${n} within ${formatSeconds(taskTimeout ?? 0)}; all traffic is back on the stable side.`,
      },
      ResultPath: '$.failure',
      Next: rollback,
    });
    const bound = timeout !== undefined ? `; without an answer within ${formatSeconds(timeout)} it rolls back`
      : (watched ? `; it reads the alarms while it waits, for up to ${formatSeconds(watchSeconds)}, and without an answer by then it rolls back` : '');
    const nextText = following === undefined ? 'finish the rollout' : `go on to step ${following.index} (${formatPercent(following.candidateWeight)} on the candidate)`;
    const ask = {
      Type: 'Task',
      Resource: 'arn:aws:states:::sns:publish.waitForTaskToken',
      Parameters: {
        'TopicArn': p.topicArn,
        'Subject': snsSubject(`Approve step ${step.index} of ${n} of rollout ${p.path}`),
        'Message.$': format(
          `Rollout ${p.path} waits for your approval at step ${step.index} of ${n} (execution {}): ${formatPercent(step.candidateWeight)} of traffic `
          + `is on the candidate (${p.backend.describe(step)})${bound}.${watched ? ' An alarm in ALARM meanwhile rolls it back.' : ''}\n\n`
          + `To approve and ${nextText}:\n  aws stepfunctions send-task-success --task-token '{}' --task-output '{}'\n\n`
          + 'To reject and put all traffic back on the stable side:\n  aws stepfunctions send-task-failure --task-token \'{}\' --error Rejected --cause \'<why>\'',
          ['$$.Execution.Id', '$$.Task.Token', "'{}'", '$$.Task.Token'],
        ),
      },
      ...(taskTimeout === undefined ? {} : { TimeoutSeconds: taskTimeout }),
      // SNS throttling and its internal errors are retried: the request is published again, with a new token.
      Retry: [{ ErrorEquals: SNS_RETRIED, IntervalSeconds: 2, MaxAttempts: 6, BackoffRate: 2 }],
    };
    const catches = (approved?: string) => [
      ...(approved === undefined ? [] : [{ ErrorEquals: [APPROVED], ResultPath: null, Next: approved }]),
      { ErrorEquals: ['States.Timeout'], ResultPath: '$.error', Next: timedOut },
      { ErrorEquals: SNS_FAILURES, ResultPath: '$.error', Next: unasked },
      ...(watched ? [{ ErrorEquals: [...WATCH_ERRORS, 'ApprovalTimedOut'], ResultPath: '$.error', Next: this.watchEnded(label) }] : []),
      // Anything a person sends with send-task-failure is a rejection.
      { ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: rejected },
    ];
    let waiting: string;
    if (!watched) {
      waiting = this.add(`${label} - wait for approval`, { ...ask, ResultPath: '$.approval', Catch: catches(), Next: after },
        { events: EVENTS.callback, transitions: 1 });
    } else {
      const answered = `${label} - answered`;
      const parallel = {
        Type: 'Parallel',
        Comment: `The approval, and the alarms read every ${formatSeconds(p.pollSeconds)} while it waits.`,
        Branches: [
          {
            StartAt: `${label} - wait for approval`,
            States: {
              [`${label} - wait for approval`]: { ...ask, ResultPath: null, Next: answered },
              // Ends the Parallel, and the watch with it.
              [answered]: { Type: 'Fail', Error: APPROVED, Cause: 'The step was approved.' },
            },
          },
          this.watchBranch(step, label, watchPolls),
        ],
        ResultPath: null,
        Catch: catches(after),
        Next: after,
      };
      // The longest wait: every poll of the watch; the usual one: an answer before the first poll.
      this.count({
        events: EVENTS.parallel + EVENTS.callback + EVENTS.fail + EVENTS.pass + watchPolls * WATCH_POLL_EVENTS,
        transitions: 4 + watchPolls * 4,
      }, 1, { events: 0, transitions: 5 });
      waiting = this.add(`${label} - wait for approval, watching the alarms`, parallel);
    }
    // The alarms are read before the request: a step already failing is not put to a person.
    return this.alarmCheck(step, `${label} - read the alarms`, waiting, rollback);
  }

  /** The approval's end by the watch: an alarm, alarms unreadable, or the watch's bound. `$.error` holds the branch's error and cause. */
  private watchEnded(label: string): string {
    return this.add(`${label} - the watch ended the wait`, {
      Type: 'Pass',
      Parameters: { 'error.$': '$.error.Error', 'cause.$': '$.error.Cause' },
      ResultPath: '$.failure',
      Next: 'Roll back',
    });
  }

  /**
   * The Parallel branch that reads the alarms while an approval waits: every poll interval, at most
   * `polls` times; it fails with `AlarmFired` naming the alarm, `AlarmsUnreadable`, or, once the
   * polls are spent, `ApprovalTimedOut`.
   */
  private watchBranch(step: PlanStep, label: string, polls: number): object {
    const p = this.props;
    const n = this.steps.length;
    const at = `step ${step.index} of ${n} (${formatPercent(step.candidateWeight)} on the candidate)`;
    const name = (what: string) => `${label} - watch - ${what}`;
    const fired = (list: string) => ({
      Type: 'Pass',
      Parameters: { 'cause.$': format(`Alarm {} fired during ${at}, while it waited for approval; all traffic is back on the stable side.`, [`$.alarms.${list}[0].AlarmName`]) },
      ResultPath: '$.watchEnd',
      Next: name('fail, an alarm fired'),
    });
    return {
      StartAt: name('start'),
      States: {
        [name('start')]: { Type: 'Pass', Result: { left: polls }, ResultPath: '$.watchCount', Next: name('wait') },
        [name('wait')]: { Type: 'Wait', Seconds: p.pollSeconds, Next: name('read the alarms') },
        [name('read the alarms')]: this.sdkTask({
          action: 'cloudwatch:describeAlarms',
          parameters: { 'AlarmNames.$': '$.watch', 'AlarmTypes': ['CompositeAlarm', 'MetricAlarm'], 'StateValue': 'ALARM' },
        }, {
          ResultPath: '$.alarms',
          Retry: readRetries(CLOUDWATCH_THROTTLES),
          Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: name('unreadable') }],
          Next: name('any in alarm'),
        }),
        [name('any in alarm')]: {
          Type: 'Choice',
          Choices: [
            { Variable: '$.alarms.MetricAlarms[0].AlarmName', IsPresent: true, Next: name('alarm') },
            { Variable: '$.alarms.CompositeAlarms[0].AlarmName', IsPresent: true, Next: name('composite alarm') },
            { Variable: '$.watchCount.left', NumericLessThanEquals: 1, Next: name('fail, too long') },
          ],
          Default: name('count'),
        },
        [name('count')]: { Type: 'Pass', Parameters: { 'left.$': 'States.MathAdd($.watchCount.left, -1)' }, ResultPath: '$.watchCount', Next: name('wait') },
        [name('alarm')]: fired('MetricAlarms'),
        [name('composite alarm')]: fired('CompositeAlarms'),
        [name('fail, an alarm fired')]: { Type: 'Fail', Error: 'AlarmFired', CausePath: '$.watchEnd.cause' },
        [name('unreadable')]: {
          Type: 'Pass',
          Parameters: {
            'cause.$': format(`The alarms could not be read during ${at}, while it waited for approval ({}), so nothing watched the release; `
              + 'all traffic is back on the stable side.', ['States.JsonToString($.error)']),
          },
          ResultPath: '$.watchEnd',
          Next: name('fail, unreadable'),
        },
        [name('fail, unreadable')]: { Type: 'Fail', Error: 'AlarmsUnreadable', CausePath: '$.watchEnd.cause' },
        [name('fail, too long')]: {
          Type: 'Fail',
          Error: 'ApprovalTimedOut',
          Cause: `Nobody approved ${at} within ${formatSeconds(polls * p.pollSeconds)}, the longest the driver watches the alarms `
            + 'in one execution; all traffic is back on the stable side.',
        },
      },
    };
  }

  /** Reads the alarms: one in ALARM rolls back, naming it; a failed read rolls back too (nothing watches otherwise). */
  private alarmCheck(step: PlanStep, name: string, next: string, rollback: string): string {
    const p = this.props;
    if (p.alarms.length === 0) return next;
    const n = this.steps.length;
    const at = `step ${step.index} of ${n} (${formatPercent(step.candidateWeight)} on the candidate)`;
    const fired = this.add(`${name} - alarm`, {
      Type: 'Pass',
      Parameters: {
        'error': 'AlarmFired',
        'cause.$': format(`Alarm {} fired during ${at}; all traffic is back on the stable side.`, ['$.alarms.MetricAlarms[0].AlarmName']),
      },
      ResultPath: '$.failure',
      Next: rollback,
    });
    const unread = this.add(`${name} - failed`, {
      Type: 'Pass',
      Parameters: {
        'error': 'AlarmsUnreadable',
        'cause.$': format(`The alarms could not be read during ${at} ({}), so nothing watched the release; all traffic is back on the stable side.`,
          ['States.JsonToString($.error)']),
      },
      ResultPath: '$.failure',
      Next: rollback,
    });
    const compositeFired = this.add(`${name} - composite alarm`, {
      Type: 'Pass',
      Parameters: {
        'error': 'AlarmFired',
        'cause.$': format(`Alarm {} fired during ${at}; all traffic is back on the stable side.`, ['$.alarms.CompositeAlarms[0].AlarmName']),
      },
      ResultPath: '$.failure',
      Next: rollback,
    });
    const check = this.add(`${name} - any in alarm`, {
      Type: 'Choice',
      Choices: [
        { Variable: '$.alarms.MetricAlarms[0].AlarmName', IsPresent: true, Next: fired },
        { Variable: '$.alarms.CompositeAlarms[0].AlarmName', IsPresent: true, Next: compositeFired },
      ],
      Default: next,
    }, { events: EVENTS.choice, transitions: 1 });
    return this.add(name, this.sdkTask({
      action: 'cloudwatch:describeAlarms',
      // Only the alarms in ALARM come back; the result is kept whole, since a path into an empty list matches nothing.
      parameters: { 'AlarmNames.$': '$.watch', 'AlarmTypes': ['CompositeAlarm', 'MetricAlarm'], 'StateValue': 'ALARM' },
    }, {
      ResultPath: '$.alarms',
      Retry: readRetries(CLOUDWATCH_THROTTLES),
      Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: unread }],
      Next: check,
    }), { events: EVENTS.task, transitions: 1 });
  }

  /** Before a step: the live traffic is not what the rollout set last. Stop without touching it. */
  private outsideChange(step: PlanStep, before: PlanStep | undefined, label: string): string {
    const p = this.props;
    const n = this.steps.length;
    const expected = before === undefined ? `the declared start, ${p.backend.describe(undefined)}` : `${p.backend.describe(before)}, set at step ${before.index}`;
    const plural = p.backend.noun.endsWith('s');
    const stopped = this.add(`${label} - stop, the traffic was moved`, {
      Type: 'Fail',
      Error: 'TrafficMovedOutside',
      CausePath: '$.failure.cause',
    });
    const announced = this.announce(`${label} - announce the stop`, `Rollout ${p.path} stopped`,
      `Rollout ${p.path} stopped before step ${step.index} of ${n} (execution {}) and changed nothing: {}\n\n${ROLLBACK_HELP}`,
      ['$$.Execution.Id', '$.failure.cause', '$$.StateMachine.Id'], stopped);
    return this.add(`${label} - the traffic was moved`, {
      Type: 'Pass',
      Parameters: {
        'error': 'TrafficMovedOutside',
        'cause.$': format(`the ${p.backend.noun} ${plural ? 'are' : 'is'} ${p.backend.liveText.template}, not ${expected}: something else moved ${plural ? 'them' : 'it'} `
          + `(a newer deploy, a person, CloudFormation), so this execution leaves ${plural ? 'them as they are' : 'it as it is'}.`, p.backend.liveText.paths),
      },
      ResultPath: '$.failure',
      Next: announced,
    });
  }

  /**
   * After step 1, a read or a change that failed (after its retries) rolls back: traffic is on the
   * candidate, and a driver that cannot read or change it watches nothing.
   */
  private stepFailed(step: PlanStep, label: string, rollback: string): string {
    const p = this.props;
    const n = this.steps.length;
    return this.add(`${label} - the change failed`, {
      Type: 'Pass',
      Parameters: {
        'error': 'ChangeFailed',
        'cause.$': format(`Step ${step.index} of ${n} could not read or change the ${p.backend.noun} on ${p.backend.name} ({}); `
          + 'all traffic is back on the stable side.', ['States.JsonToString($.error)']),
      },
      ResultPath: '$.failure',
      Next: rollback,
    });
  }

  /** At step 1, a change the backend refused, or a read that failed: stop without more changes, saying where the traffic stays. */
  private writeFailed(step: PlanStep, label: string): string {
    const p = this.props;
    const n = this.steps.length;
    const stays = step.index === 1 ? `at the declared start (${p.backend.describe(undefined)})` : `at step ${step.index - 1} (${p.backend.describe(this.steps[step.index - 2])})`;
    const failed = this.add(`${label} - stop, the change failed`, { Type: 'Fail', Error: 'ChangeRefused', CausePath: '$.failure.cause' });
    const announced = this.announce(`${label} - announce the failed change`, `Rollout ${p.path} stopped`,
      `Rollout ${p.path} stopped at step ${step.index} of ${n} (execution {}): {}\n\n${ROLLBACK_HELP}`,
      ['$$.Execution.Id', '$.failure.cause', '$$.StateMachine.Id'], failed);
    return this.add(`${label} - the change failed`, {
      Type: 'Pass',
      Parameters: {
        'error': 'ChangeRefused',
        'cause.$': format(`${p.backend.name} refused the change to step ${step.index} ({}); the traffic stays ${stays}, `
          + 'unless something else moved it, which is also why a change is refused.', ['States.JsonToString($.error)']),
      },
      ResultPath: '$.failure',
      Next: announced,
    });
  }

  /**
   * The rollback, entered with `$.failure` set: read the traffic, put it all on the stable side (the
   * declared start), announce, fail with the failure's error and cause. A rollback the backend
   * refuses is tried again from a fresh read, three times.
   */
  private rollbackStates(): string {
    const p = this.props;
    const failed = this.add('Rolled back', { Type: 'Fail', ErrorPath: '$.failure.error', CausePath: '$.failure.cause' });
    const announced = this.announce('Roll back - announce', `Rollout ${p.path} rolled back`,
      `Rollout ${p.path} rolled back (execution {}): {}`, ['$$.Execution.Id', '$.failure.cause'], failed);
    const stuck = this.add('Roll back - failed', {
      Type: 'Fail',
      Error: 'RollbackFailed',
      Cause: `The driver could not put all traffic back on the stable side of ${p.path}: ${p.backend.name} failed to read or change it three times. `
        + 'Deploy without the candidate to roll back.',
    });
    const stuckAnnounced = this.announce('Roll back - announce the failure', `Rollout ${p.path} could not roll back`,
      `Rollout ${p.path} could not roll back (execution {}): {} ({}). Deploy without the candidate to put all traffic back on the stable side.`,
      ['$$.Execution.Id', '$.failure.cause', 'States.JsonToString($.error)'], stuck);
    const retried = 'Roll back - try again';
    const written = p.backend.write(this, 'Roll back', undefined, announced, retried);
    const missing = p.backend.missing?.() ?? [];
    let checked = written;
    if (missing.length > 0) {
      const gone = this.add('Roll back - stop, a resource is missing', { Type: 'Fail', Error: 'RollbackFailed', CausePath: '$.missing.cause' });
      const goneAnnounced = this.announce('Roll back - announce the missing resource', `Rollout ${p.path} could not roll back`,
        `Rollout ${p.path} could not roll back (execution {}): {} It was rolling back because: {}`, ['$$.Execution.Id', '$.missing.cause', '$.failure.cause'], gone);
      checked = this.add('Roll back - are the resources there', {
        Type: 'Choice',
        Choices: missing.map((m, i) => ({
          ...m.rule,
          Next: this.add(`Roll back - missing ${i + 1}`, {
            Type: 'Pass',
            Result: {
              cause: `The rollback found no ${m.what}, so it wrote nothing: it would have changed another resource. `
              + 'Deploy without the candidate to put all traffic back on the stable side.',
            },
            ResultPath: '$.missing',
            Next: goneAnnounced,
          }),
        })),
        Default: written,
      });
    }
    const read = p.backend.read(this, 'Roll back', checked, retried);
    this.add(retried, {
      Type: 'Choice',
      Choices: [{ Variable: '$.retries.left', NumericLessThanEquals: 1, Next: stuckAnnounced }],
      Default: 'Roll back - count the attempts',
    });
    this.add('Roll back - count the attempts', {
      Type: 'Pass', Parameters: { 'left.$': 'States.MathAdd($.retries.left, -1)' }, ResultPath: '$.retries', Next: read,
    });
    return this.add('Roll back', { Type: 'Pass', Result: { left: ROLLBACK_ATTEMPTS }, ResultPath: '$.retries', Next: read });
  }

  /** The longest rollback: its states, with one attempt. */
  public rollbackCost(): Cost {
    const write = this.props.backend.writeCost;
    return {
      events: 3 * EVENTS.pass + EVENTS.task + this.props.backend.readCost.events + write.events + EVENTS.fail,
      transitions: 4 + this.props.backend.readCost.transitions + write.transitions,
    };
  }
}

const NO_COST: Cost = { events: 0, transitions: 0 };

/** How often the driver tries to put all traffic back on the stable side. */
const ROLLBACK_ATTEMPTS = 3;

/** Step Functions state names are at most 80 characters. */
export const MAX_STATE_NAME = 80;

/** The first polls of a bounded poll and each later one: start, read, check; then wait, count, read, check. */
export function pollCost(maxPolls: number): Cost {
  return {
    events: EVENTS.pass + EVENTS.task + EVENTS.choice + (maxPolls - 1) * (EVENTS.wait + EVENTS.pass + EVENTS.task + EVENTS.choice),
    transitions: 3 + (maxPolls - 1) * 4,
  };
}

/** `Step 2 at 25 percent`: the prefix of every state of a step. */
export function stepLabel(step: PlanStep): string {
  return `Step ${step.index} at ${formatPercent(step.candidateWeight).replace('%', ' percent')}`;
}

const ROLLBACK_HELP = 'To put all traffic back on the stable side now: aws stepfunctions start-execution --state-machine-arn {} --input \'{"action":"rollback"}\'';

/**
 * `States.Format('<template>', <paths>...)`: the template's literal text escaped for an intrinsic
 * function (`'`, `{`, `}` and `\` take a backslash), its `{}` slots kept, and the slots filled by
 * `paths` in order. A "path" given in quotes (`'{}'`) is a literal argument.
 */
export function format(template: string, paths: string[]): string {
  const parts = template.split('{}');
  if (parts.length - 1 !== paths.length) throw new Error(`${parts.length - 1} slots for ${paths.length} paths in: ${template}`);
  const escaped = parts.map(escapeIntrinsic).join('{}');
  return `States.Format('${escaped}'${paths.map(p => `, ${p.startsWith("'") ? `'${escapeIntrinsic(p.slice(1, -1))}'` : p}`).join('')})`;
}

/** Escapes literal text for an intrinsic function's string argument. */
export function escapeIntrinsic(text: string): string {
  return text.replace(/[\\'{}]/g, c => `\\${c}`);
}

/** SNS subjects are ASCII, without line breaks, under 100 characters. */
export function snsSubject(text: string): string {
  const ascii = text.replace(/[^\x20-\x7e]/g, '?');
  return ascii.length <= 99 ? ascii : `${ascii.slice(0, 96)}...`;
}
