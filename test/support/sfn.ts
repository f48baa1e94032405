import aslValidator from 'asl-validator';
import * as cdk from 'aws-cdk-lib';
import type { StateMachine as LocalStateMachine } from 'aws-local-stepfunctions' with { 'resolution-mode': 'import' };

// The CommonJS build of aws-local-stepfunctions (an ES module package with a require entry).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const local: { StateMachine: typeof LocalStateMachine } = require('aws-local-stepfunctions');

// aws-local-stepfunctions targets Node.js 22, which has Promise.withResolvers; Node.js 20 does not.
(Promise as any).withResolvers ??= function withResolvers() {
  let resolve: (value: unknown) => void = () => undefined;
  let reject: (reason: unknown) => void = () => undefined;
  const promise = new Promise((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
};

export const REGION = 'us-east-1';
export const ACCOUNT = '123456789012';
/** What a state's input, output or a task's result may hold. */
const MAX_PAYLOAD_BYTES = 256 * 1024;
/** The execution `execute` runs. */
export const EXECUTION = 'arn:aws:states:us-east-1:123456789012:execution:driver:run-1';
export const STACK_ID = `arn:aws:cloudformation:${REGION}:${ACCOUNT}:stack/Stack/0a1b2c3d-0000-4000-8000-0123456789ab`;

/** The physical id CloudFormation would give each resource in these tests: its logical id, or an ARN where Ref returns one. */
export function physicalId(template: any, logicalId: string): string {
  const type = template.Resources?.[logicalId]?.Type;
  switch (type) {
    case 'AWS::SNS::Topic': return `arn:aws:sns:${REGION}:${ACCOUNT}:${logicalId}`;
    case 'AWS::ElasticLoadBalancingV2::TargetGroup': return `arn:aws:elasticloadbalancing:${REGION}:${ACCOUNT}:targetgroup/${logicalId}/0123456789abcdef`;
    case 'AWS::ElasticLoadBalancingV2::ListenerRule': return `arn:aws:elasticloadbalancing:${REGION}:${ACCOUNT}:listener-rule/app/lb/1/2/${logicalId}`;
    case 'AWS::ElasticLoadBalancingV2::Listener': return `arn:aws:elasticloadbalancing:${REGION}:${ACCOUNT}:listener/app/lb/1/${logicalId}`;
    case 'AWS::StepFunctions::StateMachine': return `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:${template.Resources[logicalId].Properties.StateMachineName}`;
    default: return logicalId;
  }
}

const PSEUDO: Record<string, string> = {
  'AWS::Region': REGION,
  'AWS::AccountId': ACCOUNT,
  'AWS::Partition': 'aws',
  'AWS::StackId': STACK_ID,
  'AWS::StackName': 'Stack',
  'AWS::URLSuffix': 'amazonaws.com',
};

/**
 * Resolves the intrinsic functions CloudFormation resolves before it passes a property on (Ref,
 * Fn::GetAtt, Fn::Join, Fn::Select, Fn::Split, Fn::Sub with references), with the physical ids
 * above: the value as the resource's service receives it.
 */
export function resolveCfn(template: any, value: any): any {
  if (Array.isArray(value)) return value.map(v => resolveCfn(template, v));
  if (typeof value !== 'object' || value === null) return value;
  const keys = Object.keys(value);
  if (keys.length === 1) {
    const [key] = keys;
    const arg = value[key];
    switch (key) {
      case 'Ref': return PSEUDO[arg] ?? physicalId(template, arg);
      case 'Fn::GetAtt': return `${arg[0]}.${arg[1]}`;
      case 'Fn::Join': return (resolveCfn(template, arg[1]) as unknown[]).join(arg[0]);
      case 'Fn::Select': return resolveCfn(template, arg[1])[Number(arg[0])];
      case 'Fn::Split': return String(resolveCfn(template, arg[1])).split(arg[0]);
      case 'Fn::Sub': {
        const [text, vars] = Array.isArray(arg) ? arg : [arg, {}];
        return String(text).replace(/\$\{([^}]+)\}/g, (_, name: string) => {
          if (vars[name] !== undefined) return resolveCfn(template, vars[name]);
          const [logicalId, attr] = name.split('.');
          return attr === undefined ? resolveCfn(template, { Ref: logicalId }) : `${logicalId}.${attr}`;
        });
      }
    }
  }
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolveCfn(template, v)]));
}

/** The synthesized template of a stack, with strict validation left to the caller. */
export function templateOf(stack: cdk.Stack): any {
  return cdk.assertions.Template.fromStack(stack).toJSON();
}

/** The state machine definitions of a template, by logical id, resolved as CloudFormation would pass them. */
export function definitionsOf(template: any): Record<string, any> {
  return Object.fromEntries(Object.entries<any>(template.Resources)
    .filter(([, r]) => r.Type === 'AWS::StepFunctions::StateMachine')
    .map(([id, r]) => [id, JSON.parse(resolveCfn(template, r.Properties.DefinitionString))]));
}

/** The one state machine definition of a template. */
export function definitionOf(template: any): any {
  const all = Object.values(definitionsOf(template));
  if (all.length !== 1) throw new Error(`expected one state machine, found ${all.length}`);
  return all[0];
}

/** Fails with asl-validator's findings unless the definition is valid Amazon States Language. */
export function expectValidAsl(definition: object): void {
  const result = aslValidator(JSON.parse(JSON.stringify(definition)), { checkPaths: true, checkArn: true });
  if (!result.isValid) {
    throw new Error(`invalid Amazon States Language:\n${result.errors.map(e => `${e['Error code']}: ${e.Message}`).join('\n')}`);
  }
}

/** One call a Task state made, with the simulated second of the execution it was made at. */
export interface Call {
  readonly at: number;
  readonly state: string;
  /** `route53:changeResourceRecordSets`, `sns:publish`, `sns:publish.waitForTaskToken`. */
  readonly action: string;
  readonly params: any;
}

/** Answers the Task states' calls; `at` is the simulated second of the execution. */
export type Handler = (action: string, params: any, at: number, state: string) => unknown | Promise<unknown>;

/** An error as an AWS SDK integration raises it: `error` is what Catch and Retry match. */
export function sdkError(error: string, cause: string): Error {
  const e = new Error(cause);
  e.name = error;
  return e;
}

/** How an execution ended. */
export interface Outcome {
  readonly calls: Call[];
  readonly output?: any;
  /** The error of a failed execution, and its cause. */
  readonly error?: string;
  readonly cause?: string;
  /** The simulated seconds the execution took. */
  readonly seconds: number;
  /** The states entered, in order (the state transitions Step Functions bills). */
  readonly states: string[];
}

/** The action a Task's resource calls: `route53:getChange`, `sns:publish.waitForTaskToken`. */
function actionOf(resource: string): string {
  return resource.replace(/^arn:aws:states:::(aws-sdk:)?/, '');
}

/**
 * Executes a definition with aws-local-stepfunctions, every Task answered by `handler`, under jest's
 * fake timers: Wait states and task timeouts take simulated time, which `at` reports. Nothing
 * reaches AWS.
 */
export async function execute(definition: any, input: unknown, handler: Handler): Promise<Outcome> {
  const calls: Call[] = [];
  const states: string[] = [];
  const overrides: Record<string, (input: any) => Promise<any>> = {};
  jest.useFakeTimers({ now: 0 });
  try {
    const start = Date.now();
    const seconds = () => Math.round((Date.now() - start) / 1000);
    const collect = (machine: any) => {
      for (const [name, state] of Object.entries<any>(machine.States)) {
        if (state.Type === 'Task') {
          overrides[name] = async (params: any) => {
            const action = actionOf(state.Resource);
            calls.push({ at: seconds(), state: name, action, params });
            const result = await handler(action, params, seconds(), name);
            // A state's data is at most 256 KiB (Step Functions service quotas): a bigger result fails the task.
            if (Buffer.byteLength(JSON.stringify(result ?? null), 'utf8') > MAX_PAYLOAD_BYTES) {
              throw sdkError('States.DataLimitExceeded', `The result of ${name} is over 256 KiB`);
            }
            return result;
          };
        }
        if (state.Type === 'Map') collect(state.ItemProcessor ?? state.Iterator);
        if (state.Type === 'Parallel') state.Branches.forEach(collect);
      }
    };
    collect(definition);
    const machine = new local.StateMachine(definition, { validationOptions: { checkPaths: true, checkArn: true } });
    const run = machine.run(input as any, {
      overrides: { taskResourceLocalHandlers: overrides },
      context: {
        Execution: { Id: EXECUTION, Input: input, StartTime: new Date(0).toISOString() },
        StateMachine: { Id: `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:driver`, Name: 'driver' },
        Task: { Token: 'TASK-TOKEN' },
      } as any,
    });
    const logs = (async () => {
      for await (const event of run.eventLogs as AsyncIterable<any>) {
        if (event.type === 'StateEntered') states.push(event.state.name);
      }
    })();
    let settled: { output?: any; error?: any } | undefined;
    run.result.then(output => { settled = { output }; }, error => { settled = { error }; });
    let idle = 0;
    while (settled === undefined) {
      if (jest.getTimerCount() === 0) {
        // Nothing scheduled: let pending promises run, and give up on an execution that waits forever.
        await Promise.resolve();
        if (++idle > 1000) throw new Error(`the execution waits on nothing after ${seconds()} simulated seconds; calls: ${calls.map(c => c.state).join(', ')}`);
        continue;
      }
      idle = 0;
      await jest.advanceTimersToNextTimerAsync();
    }
    await logs.catch(() => undefined);
    const failure = settled.error;
    return {
      calls,
      output: settled.output,
      error: failure && (failure.cause?.name ?? failure.name),
      cause: failure && failure.message.replace(/^Execution has failed with the following error: /, ''),
      seconds: seconds(),
      states,
    };
  } finally {
    jest.useRealTimers();
  }
}
