import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { hasAutomaticPriorities, registerLoadBalancerCheck, setAutomaticPriorities } from './private/listener-rules';
import { fail } from '../core/private/validation';

/**
 * Listener rule priorities the library chooses, for the constructs sharing a listener.
 *
 * Every listener rule needs a priority of its own, and a changed priority makes CloudFormation
 * rewrite the rule in production, so priorities must be chosen once and stay put. After
 * `ListenerPriorities.automatic(listener)`, each `EcsRolloutService`, `AlbWeightedRollout` and
 * `AlbExperiment` created on that listener without a `priority` takes a slot of 10 priorities
 * between 1,000 and 49,999 chosen by a hash of its construct path: the same at every synth,
 * whatever else the app adds or removes, and changed only by renaming or moving the construct
 * (which replaces its rules anyway). An `EcsRolloutService` or `AlbWeightedRollout` takes the
 * slot's first priority for its test rule and the second for its production rule; an
 * `AlbExperiment` takes consecutive priorities from the first. A given `priority` wins over the
 * automatic one.
 *
 * Automatic priorities order the rules arbitrarily, so the constructs sharing the listener must be
 * told apart by their `conditions` (a host header or a path each): at synth, the library refuses a
 * rule that an earlier one would shadow, and two slots that collide (rare: 4,900 slots), naming a
 * free priority to give one of them.
 *
 * Call it before creating the constructs, and only for constructs not deployed yet with the
 * default priorities (10 for `EcsRolloutService`, 100 for `AlbExperiment`): moving a deployed rule
 * to a new priority rewrites it in production.
 *
 * @example
 * declare const listener: elbv2.ApplicationListener;
 * declare const cluster: ecs.Cluster;
 * declare const taskDefinition: ecs.FargateTaskDefinition;
 * declare const current: elbv2.ApplicationTargetGroup;
 * declare const beta: elbv2.ApplicationTargetGroup;
 * aws.ListenerPriorities.automatic(listener);
 * new aws.EcsRolloutService(this, 'Web', {
 *   cluster, taskDefinition, listener, strategy: Strategy.BLUE_GREEN,
 *   conditions: [elbv2.ListenerCondition.hostHeaders(['www.example.com'])],
 * });
 * new aws.AlbExperiment(this, 'Checkout', {
 *   listener,
 *   experiment: new Experiment({ name: 'new-checkout', variants: [{ name: 'beta', weight: 10 }] }),
 *   targetGroups: { control: current, beta },
 *   conditions: [elbv2.ListenerCondition.hostHeaders(['shop.example.com'])],
 * });
 */
export class ListenerPriorities {
  /**
   * Lets the library choose the priorities of the rules it adds to `listener` from now on, for the
   * constructs given no `priority`.
   */
  public static automatic(listener: elbv2.IApplicationListener): void {
    const value = listener as Partial<elbv2.IApplicationListener> | undefined;
    if (typeof value !== 'object' || value === null || typeof value.listenerArn !== 'string' || typeof value.addAction !== 'function') {
      fail('ListenerPriorities.automatic: listener', listener, 'it must be an elbv2.IApplicationListener',
        'Pass the listener the constructs share, such as alb.addListener("Http", { port: 80, ... }).');
    }
    setAutomaticPriorities(listener);
    registerLoadBalancerCheck(listener);
  }

  /** Whether the library chooses the priorities of the rules it adds to `listener`. */
  public static isAutomatic(listener: elbv2.IApplicationListener): boolean {
    return hasAutomaticPriorities(listener);
  }

  private constructor() {}
}
