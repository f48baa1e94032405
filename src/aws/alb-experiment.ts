import { Annotations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { Construct } from 'constructs';
import { TargetGroupAlarms } from './target-group-alarms';
import { Experiment } from '../core/experiment';
import type { Match } from '../core/match';
import { checkConditionRepeats, checkRuleConditions } from './private/alb-conditions';
import { albStickiness, checkTargetGroupCount, experimentCondition, ForwardTarget, forwardAction } from './private/alb-experiment-rules';
import { DashboardVariant, experimentDashboard } from './private/experiment-dashboard';
import { HealthCheckAlarms, HealthCheckSource, RequestMetricSource, targetGroupMetrics } from './private/health-check-alarms';
import { automaticPriority, hasAutomaticPriorities, registerListenerRules } from './private/listener-rules';
import { recordExperiment } from './private/plan-metadata';
import { allocationGroups } from '../core/private/allocation-groups';
import { arrayOf, fail, struct, validDate } from '../core/private/validation';
import { registerGuardrailFacts } from '../guardrails/private/facts';
import { declaredOrder } from '../guardrails/private/readers';

const DEFAULT_PRIORITY = 100;
const MIN_PRIORITY = 1;
const MAX_PRIORITY = 50_000;
const BACKEND = 'Application Load Balancer';
// A cookie match takes four wildcards (see experimentCondition), a header match none.
const COOKIE_WILDCARDS_HINT = 'or match the variant by a header instead of a cookie';

/** Props for an `AlbExperiment`. */
export interface AlbExperimentProps {
  /** The listener to add the experiment's rules to. You manage the load balancer and the listener. */
  readonly listener: elbv2.IApplicationListener;

  /**
   * The A/B test to render. Variants with a match become rules of their own; variants with only a
   * weight share the last rule with the control, at most 4 of them (an ALB forward action sends
   * to at most 5 target groups). Stickiness becomes target group stickiness, 1 second to 7 days.
   */
  readonly experiment: Experiment;

  /** The target group of each variant and of the control, by name: exactly one per variant and one for the control. */
  readonly targetGroups: { [variant: string]: elbv2.IApplicationTargetGroup };

  /**
   * The priority of the first rule. The rules take consecutive priorities from it, one per variant
   * with a match (in declared order) and one more, the highest, for everyone else. None of them may
   * be used by another rule of the listener; at synth the library refuses two rules at one priority,
   * and a rule of the experiment that an earlier rule of the listener shadows.
   *
   * @default - 100; or, on a listener given to `ListenerPriorities.automatic()`, a priority chosen from the construct path
   */
  readonly priority?: number;

  /**
   * Conditions every rule of the experiment carries, such as a host header, so the experiment
   * shares the listener with other applications. Requests that meet none of them are left to the
   * listener's other rules.
   *
   * @default - every path: `ListenerCondition.pathPatterns(['/*'])`
   */
  readonly conditions?: elbv2.ListenerCondition[];

  /**
   * The moment whose allocations are rendered: an experiment switched off, before its start date
   * or past its end date at this moment, sends everyone to the control. Pass a fixed date for
   * reproducible templates.
   *
   * @default - now, when the construct is created
   */
  readonly at?: Date;
}

/**
 * Renders an A/B test (`Experiment`) as rules on an Application Load Balancer listener you already
 * have, forwarding to a target group per variant and one for the control.
 *
 * Each variant with a match gets a rule: the requests it matches go to the variant, or, when the
 * variant has a weight below 100, are split between the variant and the control. A last rule, with
 * the highest priority number, splits everyone else between the variants that have only a weight
 * and the control, which keeps the remainder. Every rule also carries `conditions`. The ALB's
 * forward weights are whole numbers up to 999, so the shares are written as the smallest exact
 * weights (10% is 1 / 9, 12.5% is 1 / 7). With `stickiness`, every split keeps a user on the
 * target group they were given (the ALB's `AWSALBTG` cookie).
 *
 * How requests are matched: a header by an ALB `http-header` condition and a query parameter by a
 * `query-string` condition, both compared case-insensitively by the ALB. The ALB has no cookie
 * condition, so a cookie `name=value` is found in the `Cookie` header by four patterns (the pair
 * alone, first, last or between others, separated by `; ` as browsers send them), also compared
 * case-insensitively: `Match.cookie('beta', 'true')` selects `BETA=TRUE` as well. The patterns
 * count 4 values and 4 wildcards against the ALB's limits of 5 of each per rule, which leaves one
 * value (the default path `/*`, or a host header) for `conditions`. `Match.headerRegex` is refused,
 * and so are two variants whose matches differ only by letter case: the second would receive nobody.
 *
 * An experiment switched off, before its start date or past its end date at `at`, renders a single
 * rule sending every request that meets `conditions` to the control, and a warning. That rule keeps
 * the priority and the construct id of the rule for everyone else, so the deployment that ends an
 * experiment never moves a rule onto a priority another rule still holds. The ALB cannot start or
 * end an experiment by itself: the start and end dates take effect at the first deployment after
 * them. The experiment's state and
 * allocation table are recorded in the cloud assembly (`cdk-deploy-strategies:experiment` metadata).
 *
 * **What it measures.** One CloudWatch dashboard per experiment (`dashboard`): requests, error rate
 * and latency, one line per variant and the control, from their target groups' metrics, with the
 * experiment's health checks drawn as thresholds. Each of the experiment's health checks
 * (`healthChecks` on the `Experiment`: error rates and latency percentiles) becomes one alarm per
 * variant and one for the control (`variantAlarms`), so a variant that hurts its users shows beside
 * the control it is compared with. Nothing acts on these alarms by itself (the ALB has no engine):
 * subscribe to them, and switch the experiment off (`enabled: false`) when a variant fails. A check
 * of your own (`aws.CloudWatchHealthCheck`) measures the whole application, not one variant, and is
 * refused. An experiment switched off, or past its end date, measures the target groups it still
 * forwards to (the control's) and, on the dashboard, those attached to a listener elsewhere.
 *
 * Each rule is updated after the rules with higher priority numbers, so adding a variant with a
 * match after the existing ones deploys in one go. To remove or reorder variants with a match,
 * also move `priority` to a range the current rules do not use (from 100 to 200, say): otherwise
 * a rule moves onto a priority that the rule being removed still holds, and the ALB refuses the update.
 *
 * @example
 * declare const listener: elbv2.ApplicationListener;
 * declare const current: elbv2.ApplicationTargetGroup;
 * declare const beta: elbv2.ApplicationTargetGroup;
 * declare const oneClick: elbv2.ApplicationTargetGroup;
 * new aws.AlbExperiment(this, 'Checkout', {
 *   listener,
 *   experiment: new Experiment({
 *     name: 'new-checkout',
 *     variants: [
 *       { name: 'beta', match: Match.header('x-beta', 'true') },
 *       { name: 'one-click', weight: 10 },
 *     ],
 *     stickiness: Duration.days(1),
 *     endDate: new Date('2027-12-31T00:00:00Z'),
 *   }),
 *   targetGroups: { 'control': current, 'beta': beta, 'one-click': oneClick },
 *   conditions: [elbv2.ListenerCondition.hostHeaders(['shop.example.com'])],
 * });
 * // With healthChecks: [HealthCheck.errorRate({ maxErrorPercent: 1 })] on the Experiment, each
 * // variant and the control get an error-rate alarm (variantAlarms) beside the dashboard.
 */
export class AlbExperiment extends Construct {
  /** The experiment rendered. */
  public readonly experiment: Experiment;
  /** Whether the experiment runs at the moment rendered; false sends everyone to the control. */
  public readonly active: boolean;
  /** The listener rules, in the order the ALB evaluates them (by priority); the last one is for everyone else. */
  public readonly rules: elbv2.ApplicationListenerRule[];
  /** The experiment's dashboard: requests, error rate and latency, one line per variant and the control. */
  public readonly dashboard: cloudwatch.Dashboard;
  /**
   * The alarms of the experiment's health checks, by variant name (the control's too): one alarm per
   * check on the variant's target group. Empty without health checks; only the target groups the
   * rules forward to are measured.
   */
  public readonly variantAlarms: { [variant: string]: TargetGroupAlarms };

  constructor(scope: Construct, id: string, props: AlbExperimentProps) {
    super(scope, id);
    const where = `AlbExperiment ${this.node.path}`;
    struct(`${where}: props`, props, 'Pass { listener, experiment, targetGroups }.');
    if (!(props.experiment instanceof Experiment)) {
      fail(`${where}: experiment`, props.experiment, 'it must be an Experiment', 'Pass new Experiment({ name, variants }).');
    }
    const experiment = props.experiment;
    const listener = props.listener as Partial<elbv2.IApplicationListener> | undefined;
    if (typeof listener !== 'object' || listener === null || typeof listener.listenerArn !== 'string' || typeof listener.addAction !== 'function') {
      fail(`${where}: listener`, props.listener, 'it must be an elbv2.IApplicationListener',
        'Pass the listener of your Application Load Balancer, such as alb.addListener("Http", { port: 80, ... }), or one imported with ApplicationListener.fromApplicationListenerAttributes().');
    }
    const targetGroups = targetGroupsOf(where, experiment, props.targetGroups);
    const at = props.at === undefined ? new Date()
      : validDate(`${where}: at`, props.at, 'Pass the moment to render, such as new Date("2027-01-01T00:00:00Z"), or leave it out for now.');
    const conditions = conditionsOf(where, props.conditions);
    const source = props.priority !== undefined ? 'given' : hasAutomaticPriorities(props.listener) ? 'automatic' : 'default';
    const priority = props.priority ?? (source === 'automatic' ? automaticPriority(this) : DEFAULT_PRIORITY);
    if (typeof priority !== 'number' || !Number.isInteger(priority) || priority < MIN_PRIORITY || priority > MAX_PRIORITY) {
      fail(`${where}: priority`, priority, `an ALB listener rule priority is a whole number from ${MIN_PRIORITY} to ${MAX_PRIORITY}`,
        'Pick the first of a range of priorities no other rule on the listener uses, such as 100.');
    }
    const experimentProp = `${where}: experiment "${experiment.name}"`;
    const stickiness = albStickiness(`${experimentProp} stickiness`, experiment.stickiness);

    // Check every rule the experiment can render, active or not, so that switching it off cannot
    // hide a rule the ALB would refuse when it is switched on again.
    const matched = experiment.variants.filter(v => v.match !== undefined);
    const lastPriority = priority + matched.length;
    if (lastPriority > MAX_PRIORITY) {
      fail(`${where}: priority`, priority,
        `the experiment needs ${matched.length + 1} consecutive priorities (one per variant with a match, one for everyone else), up to ${lastPriority}, and an ALB listener rule priority is at most ${MAX_PRIORITY}`,
        `Use a priority of at most ${MAX_PRIORITY - matched.length}.`);
    }
    // Every rule carries the conditions; a variant's match adds an http-header or query-string
    // condition, which a rule may have several of, but not one the conditions already hold.
    checkConditionRepeats(`${where}: conditions`, conditions, 'every rule of the experiment');
    const matchConditions = new Map<Match, elbv2.ListenerCondition>();
    // The ALB compares names and values without regard to case, so two matches the core tells
    // apart by case alone select the same requests, and the later rule would receive none of them.
    const caseless = new Map<string, string>();
    experiment.variants.forEach((v, i) => {
      if (!v.match) return;
      const condition = experimentCondition(`${experimentProp} variants[${i}].match`, v.match);
      const key = [v.match.kind, v.match.name.toLowerCase(), v.match.value.toLowerCase()].join('\n');
      const twin = caseless.get(key);
      if (twin !== undefined) {
        const first = experiment.variants.find(f => f.name === twin)!.match!;
        fail(`${experimentProp} variants[${i}].match`, v.match.describe(),
          `the ALB compares header names and values, cookies and query parameters without regard to case, so it reads this as the match of variant "${twin}" (${first.describe()}), `
          + `whose rule comes first: variant "${v.name}" would receive no request`,
          `Give variant "${v.name}" a match that differs from variant "${twin}"'s by more than letter case, or merge the two variants.`);
      }
      caseless.set(key, v.name);
      const rule = `the rule of variant "${v.name}" (${v.match.describe()})`;
      checkRuleConditions(`${where}: conditions`, conditions, rule, [condition], COOKIE_WILDCARDS_HINT);
      matchConditions.set(v.match, condition);
    });
    const everyoneElse = `the rule for everyone else (priority ${lastPriority})`;
    checkRuleConditions(`${where}: conditions`, conditions, everyoneElse, [], COOKIE_WILDCARDS_HINT);
    const weighted = experiment.variants.filter(v => v.match === undefined).map(v => v.name);
    checkTargetGroupCount(`${experimentProp} variants without a match`, everyoneElse, [...weighted, experiment.control]);

    const reason = experiment.inactiveReason(at);
    this.experiment = experiment;
    this.active = reason === undefined;

    const groups = allocationGroups(experiment, at);

    this.rules = groups.map((group, i) => {
      const variant = group.allocations[0].variant;
      // Inactive, the only rule is the one for everyone else, at the priority it has when active.
      const rulePriority = group.match ? priority + i : lastPriority;
      const rule = group.match ? `the rule of variant "${variant}" (priority ${rulePriority})` : everyoneElse;
      const prop = group.match ? `${experimentProp} variants[${experiment.variants.findIndex(v => v.name === variant)}]` : `${experimentProp} variants without a match`;
      const targets: ForwardTarget[] = group.allocations.map(a => ({
        name: a.variant,
        tenths: Math.round(a.weight * 10),
        targetGroup: targetGroups[a.variant],
      }));
      return new elbv2.ApplicationListenerRule(this, group.match ? `Variant-${variant}` : 'EveryoneElse', {
        listener: props.listener,
        priority: rulePriority,
        conditions: group.match ? [...conditions, matchConditions.get(group.match)!] : conditions,
        action: forwardAction(prop, rule, targets, stickiness),
      });
    });
    registerListenerRules(this, {
      where,
      listener: props.listener,
      source,
      base: priority,
      // Every priority the experiment can render, so a suggested range fits it switched on again.
      offsets: Array.from({ length: matched.length + 1 }, (_, i) => i),
      setBase: b => `priority ${b}`,
      conditionsProp: 'conditions',
      rules: this.rules.map((rule, i) => {
        const group = groups[i];
        const variant = group.allocations[0].variant;
        return group.match
          ? { rule, role: `the rule of variant "${variant}"`, consequence: `variant "${variant}" of experiment "${experiment.name}" would receive no request`, prop: 'priority', propValue: priority }
          : { rule, role: 'the rule for everyone else', consequence: `experiment "${experiment.name}" would receive none of the requests its variants without a match and its control share`, prop: 'priority', propValue: priority };
      }),
    });
    // Update the rules from the highest priority number down: a rule then moves to a higher
    // priority before a new rule takes its old one, which the ALB would otherwise refuse.
    for (let i = 0; i < this.rules.length - 1; i++) this.rules[i].node.addDependency(this.rules[i + 1]);

    if (reason !== undefined) {
      Annotations.of(this).addWarningV2('cdk-deploy-strategies:albExperimentInactive',
        `Every request goes to the control "${experiment.control}": ${reason}. `
        + (experiment._startsAfter(at)
          ? `The rules are rendered when the app is synthesized: deploy again on or after ${experiment.startDate!.toISOString()} to start the experiment.`
          : 'Remove the AlbExperiment (and the variants\' target groups) once you have your results, or change the experiment and deploy again.'));
    }
    // What each target group is measured by: the ones the rules forward to have metrics (the ALB
    // publishes them per load balancer); a variant's group left out by an inactive experiment is
    // measured only if it is attached to a listener elsewhere.
    const forwarded = new Set(groups.flatMap(g => g.allocations.map(a => a.variant)));
    const names = [experiment.control, ...experiment.variants.map(v => v.name)];
    const metricsOf = new Map<string, RequestMetricSource | undefined>();
    for (const name of names) {
      const fix = `Attach the target group of ${name === experiment.control ? 'the control' : `variant "${name}"`} to the load balancer `
        + '(an imported one needs its loadBalancerArns), or leave healthChecks out of the experiment.';
      try {
        metricsOf.set(name, targetGroupMetrics(targetGroups[name], `${where}: targetGroups["${name}"]`, fix));
      } catch (e) {
        if (forwarded.has(name) && experiment.healthChecks.length > 0) throw e;
        metricsOf.set(name, undefined);
      }
    }
    this.variantAlarms = {};
    const sources: HealthCheckSource[] = [];
    for (const name of names.filter(n => forwarded.has(n))) {
      const alarms = new TargetGroupAlarms(this, `Alarms-${name}`, { targetGroup: targetGroups[name], healthChecks: [] });
      this.variantAlarms[name] = alarms;
      sources.push({ scope: alarms, metrics: () => metricsOf.get(name)! });
    }
    const measured = new HealthCheckAlarms({
      backend: BACKEND,
      where: `${experimentProp}`,
      sources,
      scope: this,
      purpose: `measures one side of experiment "${experiment.name}", each variant and the control apart: switch the experiment off (enabled: false) when a variant fails`,
      perVariant: true,
    }, experiment.healthChecks);

    const unmeasured = 'whose target group has no metrics: it is attached to no load balancer listener (an imported one needs its loadBalancerArns)';
    const variants: DashboardVariant[] = names.map(name => ({
      name, isControl: name === experiment.control, metrics: metricsOf.get(name), unmeasured,
    }));
    const hidden = names.filter(name => forwarded.has(name) && metricsOf.get(name) === undefined);
    if (hidden.length > 0) {
      Annotations.of(this).addWarningV2('cdk-deploy-strategies:albExperimentUnmeasured',
        `The dashboard cannot show ${hidden.map(n => `"${n}"`).join(', ')}, ${unmeasured}. Import the target groups with their loadBalancerArns to measure them.`);
    }
    this.dashboard = experimentDashboard(this, 'Dashboard', { experiment, backend: BACKEND, variants });

    recordExperiment(this, experiment, BACKEND, at, {
      watchedBy: Object.fromEntries(names.map(name => [name, forwarded.has(name) ? measured.names : []])),
      source: 'CloudWatch alarms on each target group\'s metrics',
    });
    registerGuardrailFacts(this, {
      platform: 'aws',
      backend: BACKEND,
      experiment,
      evaluationOrder: declaredOrder(experiment),
      caseInsensitiveValues: true,
      healthChecks: () => measured.names,
    });
  }
}

/** Reads the target groups: exactly the control and every variant. */
function targetGroupsOf(where: string, experiment: Experiment, value: unknown): Record<string, elbv2.IApplicationTargetGroup> {
  const expected = [experiment.control, ...experiment.variants.map(v => v.name)];
  const list = expected.map(n => `"${n}"`).join(', ');
  const given = struct<Record<string, unknown>>(`${where}: targetGroups`, value,
    `Pass one target group per variant and one for the control (${list}), such as { "${expected[0]}": currentTargetGroup }.`);
  for (const key of Object.keys(given)) {
    if (!expected.includes(key)) {
      fail(`${where}: targetGroups key`, key, `experiment "${experiment.name}" has no variant or control of this name (expected ${list})`,
        'Rename the key to the variant it serves, or remove it.');
    }
  }
  const result: Record<string, elbv2.IApplicationTargetGroup> = {};
  const owner = new Map<unknown, string>();
  for (const name of expected) {
    const prop = `${where}: targetGroups["${name}"]`;
    const group = given[name] as Partial<elbv2.IApplicationTargetGroup> | undefined;
    const role = name === experiment.control ? 'the control' : `variant "${name}"`;
    if (group === undefined) {
      fail(prop, undefined, `every variant of experiment "${experiment.name}" and its control need a target group (expected ${list})`,
        `Add the target group of ${role}.`);
    }
    if (typeof group !== 'object' || group === null || typeof group.targetGroupArn !== 'string' || typeof group.registerListener !== 'function') {
      fail(prop, group, 'it must be an elbv2.IApplicationTargetGroup', `Pass the ApplicationTargetGroup that serves ${role}.`);
    }
    const other = owner.get(group);
    if (other !== undefined) {
      fail(prop, group.node?.path ?? group, `it is also the target group of "${other}", so the experiment could not tell the two apart`,
        'Give every variant and the control a target group of its own.');
    }
    owner.set(group, name);
    result[name] = group as elbv2.IApplicationTargetGroup;
  }
  return result;
}

/** Reads the conditions every rule carries: the default path `/*`, or at least one ListenerCondition. */
function conditionsOf(where: string, value: unknown): elbv2.ListenerCondition[] {
  if (value === undefined) return [elbv2.ListenerCondition.pathPatterns(['/*'])];
  const conditions = arrayOf<elbv2.ListenerCondition>(`${where}: conditions`, value, 'Pass conditions such as [ListenerCondition.hostHeaders(["shop.example.com"])].');
  if (conditions.length === 0) {
    fail(`${where}: conditions`, conditions, 'a listener rule needs at least one condition',
      'Leave conditions out to match every path, or pass one such as ListenerCondition.hostHeaders(["shop.example.com"]).');
  }
  conditions.forEach((condition, i) => {
    if (typeof (condition as elbv2.ListenerCondition)?.renderRawCondition !== 'function') {
      fail(`${where}: conditions[${i}]`, condition, 'it must be an elbv2.ListenerCondition',
        'Use ListenerCondition.hostHeaders(), pathPatterns() or another ListenerCondition factory.');
    }
  });
  return conditions;
}
