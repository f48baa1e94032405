import * as iam from 'aws-cdk-lib/aws-iam';
import { Cost, DriverBackend, DriverFlow, EVENTS, readRetries, Target, throttleRetry } from './driver-definition';
import type { PlanStep } from '../../core/plan-options';
import { gcd } from '../../core/private/arithmetic';

/** An ALB weighted forward takes weights from 0 to 999 per target group (Elastic Load Balancing API reference, `TargetGroupTuple`). */
export const MAX_ALB_WEIGHT = 999;

/** Elastic Load Balancing's throttling, as Step Functions names it (`<Service>.<Error>Exception`). */
const THROTTLES = ['ElasticLoadBalancingV2.ThrottlingException'];

/** The weights of the two target groups of a weighted forward action. */
export interface ForwardWeights {
  readonly stable: number;
  readonly candidate: number;
}

/** What the ALB driver needs to know. */
export interface AlbDriverProps {
  /** The listener rule: its logical id, looked up when an execution starts, and its ARN (a token) for the role's policy. */
  readonly rule: { readonly logicalId: string; readonly arn: string };
  readonly stableTargetGroupArn: string;
  readonly candidateTargetGroupArn: string;
  /** The weights of each step of the plan, in order. */
  readonly weights: ForwardWeights[];
  /** The weights the template declares: everything to the stable target group. */
  readonly declared: ForwardWeights;
}

/**
 * An ALB listener rule's weighted forward, driven: the driver reads the rule (`DescribeRules`) and
 * rewrites its forward action (`ModifyRule`). The load balancer applies a rule change at once, so
 * nothing is waited for. `ModifyRule` has no compare-and-swap: the read just before each change,
 * and a newer execution stopping the older ones, keep two writers apart.
 */
export function albBackend(props: AlbDriverProps): DriverBackend {
  const weightsOf = (target: Target): ForwardWeights => (target === undefined ? props.declared : props.weights[target.index - 1]);
  const group = (i: number) => `$.live.Rules[0].Actions[0].ForwardConfig.TargetGroups[${i}]`;
  /** The two target groups, in either order, with weights that pass `stable` and `candidate`. */
  const weighted = (stable: object, candidate: object) => ({
    Or: [[0, 1], [1, 0]].map(([s, c]) => ({
      And: [
        { Variable: `${group(s)}.TargetGroupArn`, IsPresent: true },
        { Variable: `${group(c)}.TargetGroupArn`, IsPresent: true },
        { Variable: `${group(s)}.TargetGroupArn`, StringEquals: props.stableTargetGroupArn },
        { Variable: `${group(c)}.TargetGroupArn`, StringEquals: props.candidateTargetGroupArn },
        { Variable: `${group(s)}.Weight`, ...stable },
        { Variable: `${group(c)}.Weight`, ...candidate },
      ],
    })),
  });
  const describe = (target: Target) => {
    const w = weightsOf(target);
    return `stable weight ${w.stable} and candidate weight ${w.candidate}`;
  };
  const cost: Cost = { events: EVENTS.task, transitions: 1 };
  return {
    name: 'ALB weighted target groups',
    lookups: [{ key: 'rule', what: 'the listener rule', logicalId: props.rule.logicalId }],
    noun: 'weights',
    // The rule is kept whole: a path into it that matches nothing would fail the execution.
    read: (flow: DriverFlow, label: string, next: string, failed?: string) => flow.add(`${label} - read the rule`, flow.sdkTask({
      action: 'elasticloadbalancingv2:describeRules',
      parameters: { 'RuleArns.$': 'States.Array($.ids.rule.id)' },
    }, {
      ResultPath: '$.live',
      Retry: readRetries(THROTTLES),
      ...(failed === undefined ? {} : { Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: failed }] }),
      Next: next,
    })),
    readCost: { events: EVENTS.task, transitions: 1 },
    isAt: (target: Target) => {
      const w = weightsOf(target);
      // The declared start is any split that sends the candidate nothing.
      return target === undefined ? weighted({ NumericGreaterThan: 0 }, { NumericEquals: 0 })
        : weighted({ NumericEquals: w.stable }, { NumericEquals: w.candidate });
    },
    liveText: { template: 'forwarding to {}', paths: ['States.JsonToString($.live.Rules)'] },
    describe,
    write: (flow: DriverFlow, label: string, target: Target, next: string, failed: string) => {
      const w = weightsOf(target);
      return flow.add(`${label} - set ${target === undefined ? 'all on stable' : 'the weights'}`, flow.sdkTask({
        action: 'elasticloadbalancingv2:modifyRule',
        parameters: {
          'RuleArn.$': '$.ids.rule.id',
          'Actions': [{
            Type: 'forward',
            ForwardConfig: {
              TargetGroups: [
                { TargetGroupArn: props.stableTargetGroupArn, Weight: w.stable },
                { TargetGroupArn: props.candidateTargetGroupArn, Weight: w.candidate },
              ],
            },
          }],
        },
      }, { ResultPath: null, Retry: [throttleRetry(THROTTLES)], Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: failed }], Next: next }));
    },
    writeCost: cost,
    typicalWriteCost: cost,
    afterFinish: 'Promote it: in the app, make the candidate target group the stable one and leave the candidate out (or give it the next release), and deploy.',
    statements: () => [
      new iam.PolicyStatement({ actions: ['elasticloadbalancing:ModifyRule'], resources: [props.rule.arn] }),
      // DescribeRules supports no resource-level permissions:
      // https://docs.aws.amazon.com/service-authorization/latest/reference/list_awselasticloadbalancingv2.html
      new iam.PolicyStatement({ actions: ['elasticloadbalancing:DescribeRules'], resources: ['*'] }),
    ],
  };
}

/**
 * A step's share, in tenths of a percent, as the smallest weights that express it exactly: 5% is
 * 19 : 1, 0% is 1 : 0. Every tenth of a percent fits the ALB's 0 to 999 once reduced (0.1% is 999 : 1).
 */
export function forwardWeights(step: PlanStep): ForwardWeights {
  const tenths = Math.round(step.candidateWeight * 10);
  const divisor = gcd(tenths, 1000);
  return { stable: (1000 - tenths) / divisor, candidate: tenths / divisor };
}
