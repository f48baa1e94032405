import { createHash } from 'crypto';
import { ArnFormat, Aws, CfnResource, Lazy, Stack, Token } from 'aws-cdk-lib';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { formatSeconds } from '../../core/private/format';
import { fail } from '../../core/private/validation';
import { StepGateKind } from '../../core/step-gate';
import type { TrafficPlan } from '../../core/strategy';
import type { RolloutDriver } from '../rollout-driver';
import { DEPLOY_MAX_POLLS, DEPLOY_POLL_SECONDS, DriverBackend, DriverFlow, HISTORY_EVENTS_LIMIT, WatchedAlarm } from './driver-definition';

/**
 * Step Functions Standard workflows (service quotas): an execution runs at most one year and keeps
 * at most 25,000 events in its history; a definition is at most 1 MB.
 * https://docs.aws.amazon.com/step-functions/latest/dg/service-quotas.html
 */
export const MAX_EXECUTION_SECONDS = 365 * 24 * 3600;
export const MAX_HISTORY_EVENTS = HISTORY_EVENTS_LIMIT;
const MAX_DEFINITION_BYTES = 1024 * 1024;
/** DescribeAlarms takes at most 100 alarm names. */
export const MAX_ALARMS = 100;
/** State machine names: 1 to 80 letters, digits, `-` and `_`. */
const MAX_NAME = 80;

/** What a rollout gives to be driven. */
export interface DriverProps {
  /** The rollout, as errors name it: `WeightedDnsRollout Stack/Web`. */
  readonly where: string;
  readonly driver: RolloutDriver;
  readonly plan: TrafficPlan;
  readonly backend: DriverBackend;
  /** The resource whose change (by a deploy) starts the driver: the candidate record, staging distribution, listener rule. */
  readonly candidate: CfnResource;
  /** The alarms that roll the rollout back, read at synth. */
  readonly alarms: () => cloudwatch.IAlarm[];
  /** The longest a change of the backend takes to apply, in seconds. */
  readonly maxWriteSeconds: number;
}

/** The resources of a driven rollout. */
export interface Driver {
  readonly stateMachine: sfn.StateMachine;
  readonly stateMachineName: string;
  readonly topic?: sns.ITopic;
  readonly startRule: events.Rule;
  /** What a rollout costs in state transitions and history events, read at synth. */
  cost(): DriverCost;
}

/** What one rollout costs the driver. */
export interface DriverCost {
  /** State transitions of a usual rollout: the deploy already finished, each change applied promptly. */
  readonly stateTransitions: number;
  /** State transitions of the longest rollout that succeeds: every wait at its bound. */
  readonly maxStateTransitions: number;
  /** History events of the longest rollout, rollback included, which must stay under 25,000. */
  readonly maxHistoryEvents: number;
}

/**
 * Renders the driver of a rollout under `scope` (construct `Driver`): the state machine
 * (`StateMachine`), its role (`Role`, with the policy `Policy` built at synth, when the alarms are
 * known), its log group (`Logs`), the topic (`Topic`) unless one is given, and the EventBridge
 * rule (`Start`) that starts an execution when a deploy changes the candidate.
 */
export function renderDriver(scope: Construct, props: DriverProps): Driver {
  const driver = props.driver;
  const root = new Construct(scope, 'Driver');
  const stack = Stack.of(scope);
  const name = stateMachineName(scope);
  const pollSeconds = driver.alarmPollInterval.toSeconds();

  const topic = driver.topic ?? (driver.createTopic ? new sns.Topic(root, 'Topic', {
    displayName: `Rollout ${scope.node.path}`.slice(0, 100),
    // The AWS managed key: SNS2 (encryption at rest) without a key to manage; publishers in the
    // account need no key permissions.
    masterKey: kms.Alias.fromAliasName(root, 'TopicKey', 'alias/aws/sns'),
    enforceSSL: true,
  }) : undefined);
  const approvals = props.plan.steps.filter(s => s.gate?.kind === StepGateKind.MANUAL_APPROVAL);
  if (approvals.length > 0 && topic === undefined) {
    fail(`${props.where}: driver`, 'RolloutDriver.stepFunctions({ createTopic: false })',
      `step ${approvals[0].index} waits for a manual approval, which the driver asks for on an SNS topic, and the driver has none`,
      'Give the driver a topic (topic: yourTopic) or let it create one (leave createTopic out), or hold the step with a bake instead.');
  }
  checkDuration(props);
  const alarmCount = () => props.alarms().length;
  checkLimits(props, alarmCount(), pollSeconds);
  scope.node.addValidation({
    validate: () => {
      try {
        checkLimits(props, alarmCount(), pollSeconds);
        return [];
      } catch (e) {
        return [(e as Error).message];
      }
    },
  });

  const flowOf = () => new DriverFlow({
    path: scope.node.path,
    plan: props.plan,
    backend: props.backend,
    stackId: Aws.STACK_ID,
    topicArn: topic?.topicArn,
    alarms: props.alarms().map(a => watched(stack, a)),
    pollSeconds,
  });

  const role = new iam.Role(root, 'Role', {
    assumedBy: new iam.ServicePrincipal('states.amazonaws.com'),
    description: `Moves the traffic of ${scope.node.path}, and nothing else`.slice(0, 1000),
  });
  // What an execution needs from its start: the stack, and its own executions. The state machine
  // waits for this policy.
  const startPolicy = new iam.Policy(root, 'StartPolicy', { roles: [role], statements: startStatements(stack, name) });
  // What it needs once the deploy has finished: the backend's resources and the alarms, which may
  // depend on the resource that starts the state machine. Built at synth, when the alarms are known.
  new iam.CfnPolicy(root, 'Policy', {
    policyName: 'RolloutDriver',
    roles: [role.roleName],
    policyDocument: Lazy.any({ produce: () => new iam.PolicyDocument({ statements: statements(props) }).toJSON() }),
  });
  topic?.grantPublish(role);

  const logGroup = driver.logGroup ?? new logs.LogGroup(root, 'Logs', { retention: logs.RetentionDays.ONE_YEAR });
  const stateMachine = new sfn.StateMachine(root, 'StateMachine', {
    stateMachineName: name,
    stateMachineType: sfn.StateMachineType.STANDARD,
    role,
    definitionBody: sfn.DefinitionBody.fromString(Lazy.string({ produce: () => stack.toJsonString(flowOf().definition()) })),
    comment: `Drives the rollout ${scope.node.path} (cdk-deploy-strategies)`,
    // Every state of every execution, without the data passed between states: it holds approval tokens.
    logs: { destination: logGroup, level: sfn.LogLevel.ALL, includeExecutionData: false },
    tracingEnabled: true,
  });
  stateMachine.node.addDependency(startPolicy);

  // A deploy that creates or updates the candidate starts the driver; one that leaves it alone does not.
  const startRule = new events.Rule(root, 'Start', {
    description: `Starts the rollout ${scope.node.path} when a deploy changes its candidate`.slice(0, 512),
    eventPattern: {
      source: ['aws.cloudformation'],
      detailType: ['CloudFormation Resource Status Change'],
      detail: {
        'stack-id': [Aws.STACK_ID],
        'logical-resource-id': [stack.getLogicalId(props.candidate)],
        'status-details': { status: ['CREATE_COMPLETE', 'UPDATE_COMPLETE'] },
      },
    },
    targets: [new targets.SfnStateMachine(stateMachine)],
  });
  // The rule listens before the candidate changes, even in the deploy that creates them both.
  props.candidate.node.addDependency(startRule);

  return {
    stateMachine,
    stateMachineName: name,
    topic,
    startRule,
    cost: () => costOf(flowOf()),
  };
}

/** What an execution does from its start: read its stack, and stop its own older executions. */
function startStatements(stack: Stack, name: string): iam.PolicyStatement[] {
  return [
    new iam.PolicyStatement({ actions: ['cloudformation:DescribeStacks', 'cloudformation:DescribeStackResource'], resources: [Aws.STACK_ID] }),
    new iam.PolicyStatement({
      actions: ['states:ListExecutions'],
      resources: [stack.formatArn({ service: 'states', resource: 'stateMachine', resourceName: name, arnFormat: ArnFormat.COLON_RESOURCE_NAME })],
    }),
    new iam.PolicyStatement({
      actions: ['states:StopExecution'],
      resources: [stack.formatArn({ service: 'states', resource: 'execution', resourceName: `${name}:*`, arnFormat: ArnFormat.COLON_RESOURCE_NAME })],
    }),
  ];
}

/** An alarm of this stack by its logical id (looked up at start, so the state machine does not depend on it), another by name. */
function watched(stack: Stack, alarm: cloudwatch.IAlarm): WatchedAlarm {
  const cfn = (alarm as Partial<Construct>).node?.defaultChild;
  if (cfn instanceof CfnResource && Stack.of(cfn) === stack) return { logicalId: stack.resolve(cfn.logicalId) };
  return { name: alarm.alarmName };
}

/** What the role may do once the deploy has finished: the backend's own resources, and read alarm states (the rollout's alarms, by name). */
function statements(props: DriverProps): iam.PolicyStatement[] {
  const list: iam.PolicyStatement[] = [...props.backend.statements()];
  const alarms = props.alarms();
  if (alarms.length > 0) {
    // Composite alarms come back only to a cloudwatch:DescribeAlarms permission scoped to `*`
    // (CloudWatch API Reference, DescribeAlarms): scoped to the alarms' ARNs, a composite alarm would
    // never be read, so never roll back. The AlarmNames the driver passes still bound what it reads.
    // https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_DescribeAlarms.html
    list.push(new iam.PolicyStatement({ actions: ['cloudwatch:DescribeAlarms'], resources: ['*'] }));
  }
  return list;
}

/** The state machine's name: the stack's name and the rollout's path, with a hash of both, at most 80 characters. */
function stateMachineName(scope: Construct): string {
  const stack = Stack.of(scope);
  const stackName = Token.isUnresolved(stack.stackName) ? stack.node.id : stack.stackName;
  const within = scope.node.path.split('/').slice(stack.node.path.split('/').length).join('-');
  const hash = createHash('sha256').update(`${stackName}/${scope.node.path}`).digest('hex').slice(0, 8).toUpperCase();
  const readable = `${stackName}-${within}`.replace(/[^A-Za-z0-9_-]/g, '');
  return `${readable.slice(0, MAX_NAME - hash.length - 1)}-${hash}`;
}

function costOf(flow: DriverFlow): DriverCost {
  flow.definition();
  const longest = flow.cost;
  const rollback = flow.rollbackCost();
  return {
    stateTransitions: flow.typicalTransitions,
    maxStateTransitions: longest.transitions,
    maxHistoryEvents: longest.events + rollback.events,
  };
}

/** The longest an execution runs: the deploy, every timed gate and approval timeout, every change's wait. */
function checkDuration(props: DriverProps): void {
  const plan = props.plan;
  const gates = plan.steps.reduce((sum, s) => sum + (s.gate?.maximumDuration?.toSeconds() ?? 0), 0);
  const waits = DEPLOY_POLL_SECONDS * DEPLOY_MAX_POLLS + (plan.steps.length + 1) * props.maxWriteSeconds;
  const longest = gates + waits;
  if (longest > MAX_EXECUTION_SECONDS) {
    fail(`${props.where}: strategy`, plan.strategy.describe(),
      `the driver's execution would run for up to ${formatSeconds(longest)} (${formatSeconds(gates)} of bakes, analyses and approval timeouts, `
      + `${formatSeconds(waits)} waiting for the deploy and for each change to apply), and a Step Functions Standard workflow runs at most 365 days`,
      'Shorten the bakes or the approval timeouts so that the plan fits in a year, or split the release into two rollouts.');
  }
}

/** The history and definition limits, for the alarms known now. */
function checkLimits(props: DriverProps, alarms: number, pollSeconds: number): void {
  if (alarms > MAX_ALARMS) {
    fail(`${props.where}: alarms`, `${alarms} alarms`,
      `the driver reads the rollout's alarms with one CloudWatch DescribeAlarms call, which takes at most ${MAX_ALARMS} alarm names`,
      'Combine alarms into composite alarms (cloudwatch.CompositeAlarm) and give the rollout those.');
  }
  const history = historyEvents(props, alarms, pollSeconds);
  if (history > MAX_HISTORY_EVENTS) {
    const fits = fittingPoll(props, alarms, pollSeconds);
    const timed = props.plan.steps.reduce((sum, s) => sum + (s.gate?.minimumDuration.toSeconds() ?? 0), 0);
    fail(`${props.where}: driver`, `RolloutDriver.stepFunctions({ alarmPollInterval: Duration.seconds(${pollSeconds}) })`,
      `the driver's execution would record up to ${history.toLocaleString('en-US')} history events (${props.plan.steps.length} steps, `
      + `${alarms === 0 ? 'no alarms' : `the alarms read every ${formatSeconds(pollSeconds)} through ${formatSeconds(timed)} of bakes`}, `
      + `every wait at its bound, and a rollback), and a Step Functions Standard workflow keeps at most ${MAX_HISTORY_EVENTS.toLocaleString('en-US')}`,
      fits === undefined ? 'Use fewer steps, for example a larger linear step or fewer canary steps.'
        : `Read the alarms less often, with alarmPollInterval: Duration.seconds(${fits}) or more, or use fewer steps.`);
  }
  const bytes = definitionBytes(props, alarms, pollSeconds);
  if (bytes > MAX_DEFINITION_BYTES) {
    fail(`${props.where}: strategy`, props.plan.strategy.describe(),
      `the driver's state machine definition would be about ${Math.ceil(bytes / 1024)} KB, and Step Functions accepts at most 1 MB (one group of states per step)`,
      'Use fewer steps, for example a larger linear step or fewer canary steps.');
  }
}

/** A flow for the estimates: the alarms' names and the ARNs stand in at typical lengths. */
function estimateFlow(props: DriverProps, alarms: number, pollSeconds: number): DriverFlow {
  const arn = 'arn:aws:states:us-east-1:123456789012:stateMachine:placeholder-name-of-typical-length-0123456789';
  return new DriverFlow({
    path: props.where,
    plan: props.plan,
    backend: props.backend,
    stackId: arn,
    topicArn: arn,
    alarms: Array.from({ length: alarms }, (_, i) => ({ logicalId: `AlarmLogicalIdOfTypicalLength${i}ABCDEF` })),
    pollSeconds,
  });
}

function historyEvents(props: DriverProps, alarms: number, pollSeconds: number): number {
  return costOf(estimateFlow(props, alarms, pollSeconds)).maxHistoryEvents;
}

function definitionBytes(props: DriverProps, alarms: number, pollSeconds: number): number {
  // The backend's resources are tokens until deploy; each stands for an ARN or an id of up to ~120 characters.
  const text = JSON.stringify(estimateFlow(props, alarms, pollSeconds).definition());
  const tokens = (text.match(/\$\{Token\[/g) ?? []).length;
  return Buffer.byteLength(text, 'utf8') + tokens * 120;
}

/** The shortest poll interval (whole seconds, at most an hour) that fits the history, if any does. */
function fittingPoll(props: DriverProps, alarms: number, pollSeconds: number): number | undefined {
  let low = pollSeconds + 1;
  let high = 3600;
  if (historyEvents(props, alarms, high) > MAX_HISTORY_EVENTS) return undefined;
  while (low < high) {
    const mid = Math.floor((low + high) / 2);
    if (historyEvents(props, alarms, mid) <= MAX_HISTORY_EVENTS) high = mid;
    else low = mid + 1;
  }
  return high;
}
