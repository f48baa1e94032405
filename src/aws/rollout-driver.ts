import { Duration } from 'aws-cdk-lib';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { fail, struct, wholeSeconds } from '../core/private/validation';

/** Options for `RolloutDriver.stepFunctions()`. */
export interface StepFunctionsDriverProps {
  /**
   * Where the driver announces every start, step, approval request, rollback and finish. Manual
   * approvals are requested here, with the command that approves or rejects them.
   *
   * @default - a new topic, encrypted with the AWS managed key for SNS and reachable over TLS only,
   * unless `createTopic` is false
   */
  readonly topic?: sns.ITopic;

  /**
   * Whether to create a topic when none is given. Without a topic the driver announces nothing
   * (its execution history still records every state), and a plan with a manual approval is
   * refused: nobody would hear the request.
   *
   * @default true
   */
  readonly createTopic?: boolean;

  /**
   * How often the driver reads the rollout's alarms while a step bakes: it waits this long between
   * two reads, and once more at the end of the bake. Shorter reacts sooner and costs more state
   * transitions; CloudWatch evaluates most alarms once a minute. 10 seconds to 1 hour.
   *
   * @default Duration.minutes(1)
   */
  readonly alarmPollInterval?: Duration;

  /**
   * The log group the state machine logs every state of every execution to (without the data
   * passed between states, which holds approval tokens).
   *
   * @default - a new log group, kept for one year
   */
  readonly logGroup?: logs.ILogGroup;
}

/** What drives a static rollout: the kind, and the driver's settings. */
export enum RolloutDriverKind {
  /** A Step Functions state machine, started by the deploy that changes the candidate. */
  STEP_FUNCTIONS = 'STEP_FUNCTIONS',
  /** The pipeline: one `cdk deploy` per step, choosing the step with a prop or the context key `<construct path>:step`. */
  PIPELINE = 'PIPELINE',
}

const DEFAULT_POLL_SECONDS = 60;
/** CloudWatch's shortest alarm period is 10 seconds; polling faster only costs transitions. */
const MIN_POLL_SECONDS = 10;
const MAX_POLL_SECONDS = 3600;

/**
 * Who moves the traffic of a static AWS rollout (`WeightedDnsRollout`, `CloudFrontContinuousDeployment`,
 * `AlbWeightedRollout`) from step to step.
 *
 * - `RolloutDriver.stepFunctions()`: one `cdk deploy` of a new candidate runs the whole plan. The
 *   deploy that changes the candidate starts a Step Functions state machine (through an EventBridge
 *   rule on CloudFormation's resource status change events); it applies each step's weights, holds
 *   each bake while it reads the rollout's alarms, asks for approvals on an SNS topic, and puts all
 *   traffic back on the stable side when an alarm fires or an approval is rejected. It is made of
 *   AWS SDK service integrations only: no Lambda function, no custom resource.
 * - `RolloutDriver.pipeline()`: one deploy per step, the step chosen by the `step` prop or the
 *   context key `<construct path>:step`; the pipeline holds each gate.
 *
 * @example
 * declare const topic: sns.ITopic;
 * const driver = aws.RolloutDriver.stepFunctions({ topic, alarmPollInterval: Duration.seconds(30) });
 */
export class RolloutDriver {
  /** A Step Functions state machine that runs the whole plan after one deploy. */
  public static stepFunctions(props: StepFunctionsDriverProps = {}): RolloutDriver {
    const where = 'RolloutDriver.stepFunctions';
    struct(`${where}: props`, props, 'Pass an object such as { topic, alarmPollInterval: Duration.minutes(1) }.');
    const topic = props.topic;
    if (topic !== undefined && (typeof topic !== 'object' || topic === null || !('topicArn' in topic))) {
      fail(`${where}: topic`, topic, 'it must be an SNS topic (sns.ITopic)', 'Pass an sns.Topic, or one imported with Topic.fromTopicArn().');
    }
    if (props.createTopic !== undefined && typeof props.createTopic !== 'boolean') {
      fail(`${where}: createTopic`, props.createTopic, 'it must be true or false', 'Pass false to go without a topic, or leave it out.');
    }
    if (topic !== undefined && props.createTopic === false) {
      fail(`${where}: createTopic`, false, 'a topic is given, so there is nothing to create or not',
        'Leave createTopic out when you pass a topic.');
    }
    const pollSeconds = props.alarmPollInterval === undefined ? DEFAULT_POLL_SECONDS
      : wholeSeconds(`${where}: alarmPollInterval`, props.alarmPollInterval, {
        minSeconds: MIN_POLL_SECONDS,
        fix: 'Use an interval from Duration.seconds(10) to Duration.hours(1), such as Duration.minutes(1).',
      });
    if (pollSeconds > MAX_POLL_SECONDS) {
      fail(`${where}: alarmPollInterval`, props.alarmPollInterval, 'an alarm read less than hourly would leave a bad release serving for an hour before the rollback',
        'Use an interval of at most Duration.hours(1), such as Duration.minutes(1).');
    }
    const logGroup = props.logGroup;
    if (logGroup !== undefined && (typeof logGroup !== 'object' || logGroup === null || !('logGroupArn' in logGroup))) {
      fail(`${where}: logGroup`, logGroup, 'it must be a CloudWatch Logs log group (logs.ILogGroup)', 'Pass a logs.LogGroup, or leave logGroup out for a new one.');
    }
    return new RolloutDriver(RolloutDriverKind.STEP_FUNCTIONS, { topic, createTopic: props.createTopic ?? true, pollSeconds, logGroup });
  }

  /** The pipeline advances the rollout, one deploy per step. */
  public static pipeline(): RolloutDriver {
    return new RolloutDriver(RolloutDriverKind.PIPELINE, { createTopic: false, pollSeconds: DEFAULT_POLL_SECONDS });
  }

  /** @internal Whether `value` is a RolloutDriver, across copies of this library in one node_modules tree. */
  public static _isRolloutDriver(value: unknown): value is RolloutDriver {
    return typeof value === 'object' && value !== null && (value as any)[ROLLOUT_DRIVER] === true;
  }

  /** @internal Reads a `driver` prop. */
  public static _require(prop: string, value: unknown): RolloutDriver {
    if (!RolloutDriver._isRolloutDriver(value)) {
      fail(prop, value, 'it must be a RolloutDriver', 'Pass RolloutDriver.stepFunctions() or RolloutDriver.pipeline().');
    }
    return value;
  }

  /** Which driver this is. */
  public readonly kind: RolloutDriverKind;
  /**
   * The topic given.
   *
   * @default - none given
   */
  public readonly topic?: sns.ITopic;
  /** Whether a topic is created when none is given. */
  public readonly createTopic: boolean;
  /** How often the alarms are read during a bake. */
  public readonly alarmPollInterval: Duration;
  /**
   * The log group given.
   *
   * @default - none given
   */
  public readonly logGroup?: logs.ILogGroup;

  private constructor(kind: RolloutDriverKind, settings: {
    topic?: sns.ITopic; createTopic: boolean; pollSeconds: number; logGroup?: logs.ILogGroup;
  }) {
    this.kind = kind;
    this.topic = settings.topic;
    this.createTopic = settings.createTopic;
    this.alarmPollInterval = Duration.seconds(settings.pollSeconds);
    this.logGroup = settings.logGroup;
    Object.defineProperty(this, ROLLOUT_DRIVER, { value: true });
  }

  /** Whether a state machine drives the rollout. */
  public get isDriven(): boolean {
    return this.kind === RolloutDriverKind.STEP_FUNCTIONS;
  }
}

const ROLLOUT_DRIVER = Symbol.for('cdk-deploy-strategies.RolloutDriver');
