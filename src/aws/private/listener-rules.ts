import { createHash } from 'crypto';
import {
  Annotations, DefaultTokenResolver, IPostProcessor, IResolvable, IResolveContext, Reference, Stack, Stage, StringConcat, Tokenization,
} from 'aws-cdk-lib';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { IConstruct } from 'constructs';
import { coveredBy, ListenerCondition, readConditions } from './listener-conditions';
import { describeValue, fail } from '../../core/private/validation';

/** ALB listener rule priorities run from 1 to 50,000 (Elastic Load Balancing API reference, `CreateRule`). */
export const MIN_PRIORITY = 1;
export const MAX_PRIORITY = 50_000;

/**
 * Automatic priorities (`ListenerPriorities.automatic()`): a slot of 10 priorities from 1,000 to
 * 49,999, chosen by a hash of the construct's path, so that a construct keeps its priorities
 * whatever else is added to or removed from the app.
 */
const AUTOMATIC_FIRST = 1_000;
const AUTOMATIC_SLOT = 10;
const AUTOMATIC_SLOTS = (MAX_PRIORITY - AUTOMATIC_FIRST) / AUTOMATIC_SLOT;

/**
 * Per-load-balancer quotas of Application Load Balancers, counted over every construct of the app
 * ("Quotas for your Application Load Balancers", Elastic Load Balancing User Guide:
 * https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-limits.html).
 * Rules (default rules excluded) and listeners are adjustable quotas: an account whose quota was
 * raised sets the context key; target groups per load balancer are not adjustable.
 */
const QUOTAS = {
  rules: { name: 'Rules per Application Load Balancer', limit: 100, context: 'cdk-deploy-strategies:albRulesPerLoadBalancer' },
  listeners: { name: 'Listeners per Application Load Balancer', limit: 50, context: 'cdk-deploy-strategies:albListenersPerLoadBalancer' },
  targetGroups: { name: 'Target Groups per Application Load Balancer', limit: 100, context: undefined },
} as const;

/** The id of the warning on a rule of the user's own that a rule of the library shadows. */
export const SHADOWED_RULE_WARNING = 'cdk-deploy-strategies:shadowedListenerRule';

/** One listener rule a construct of the library renders (or, for `EcsNativeRollout`, releases through). */
export interface LibraryRule {
  readonly rule: elbv2.ApplicationListenerRule;
  /** What the rule is, for messages: `the production rule`, `the rule of variant "beta"`. */
  readonly role: string;
  /** What follows when the rule can never match: `the service would receive no request`. */
  readonly consequence: string;
  /** The prop that sets the rule's priority, for messages: `priority`, `testPriority`. */
  readonly prop: string;
  /** The value of that prop (or, for a rule the user built, the rule's path). */
  readonly propValue: unknown;
}

/** A construct of the library with listener rules, as the listener check sees it. */
export interface ListenerRuleOwner {
  /** The construct and its class, for messages: `EcsRolloutService Shop/Web`. */
  readonly where: string;
  /** The listener, where the construct chose its priorities (not for rules the user built). */
  readonly listener?: elbv2.IApplicationListener;
  readonly rules: LibraryRule[];
  /**
   * Where the priorities came from: the user's props (`given`), the construct's fixed default
   * (`default`), a hash of the path (`automatic`), or rules the user built (`rules`).
   */
  readonly source: 'given' | 'default' | 'automatic' | 'rules';
  /**
   * The priorities the construct needs, relative to `base`: all of them, even those it renders
   * only in some states (an experiment switched off renders one rule of several), so a suggested
   * free range fits them all.
   */
  readonly base: number;
  readonly offsets: number[];
  /** How to set a new base in a fix: `priority 12` or, with an explicit test priority, `priority 12 and testPriority 11`. */
  readonly setBase: (base: number) => string;
  /** The prop of conditions that tell its rules apart from others, for fixes: `conditions`. */
  readonly conditionsProp?: string;
}

/**
 * The `offsets` and `setBase` of a production rule at the base priority with an optional test rule
 * `testOffset` from it (`priority` and `testPriority` props, the test priority given or derived).
 */
export function productionAndTestRange(testOffset: number | undefined, testPriorityGiven: boolean): Pick<ListenerRuleOwner, 'offsets' | 'setBase'> {
  return {
    offsets: testOffset === undefined ? [0] : [testOffset, 0],
    setBase: b => `priority ${b}${testOffset === undefined ? ''
      : testPriorityGiven ? ` and testPriority ${b + testOffset}` : ` (its test rule then takes ${b + testOffset})`}`,
  };
}

const OWNERS = new WeakMap<elbv2.CfnListenerRule, { owner: ListenerRuleOwner; rule: LibraryRule }>();
const CHECKED = new WeakSet<IConstruct>();
const AUTOMATIC = new WeakSet<object>();

/** Lets the library choose the priorities of its rules on `listener` that are given none. */
export function setAutomaticPriorities(listener: elbv2.IApplicationListener): void {
  AUTOMATIC.add(listener);
}

/** Whether the library chooses the priorities of its rules on `listener`. */
export function hasAutomaticPriorities(listener: elbv2.IApplicationListener): boolean {
  return AUTOMATIC.has(listener);
}

/**
 * The first priority of a construct's slot under automatic priorities: 1,000 + 10 × (a hash of its
 * path modulo 4,900). It depends on the path alone, so it is the same at every synth and does not
 * move when other constructs come or go.
 */
export function automaticPriority(construct: IConstruct): number {
  const hash = createHash('sha256').update(construct.node.path).digest();
  return AUTOMATIC_FIRST + AUTOMATIC_SLOT * (hash.readUIntBE(0, 6) % AUTOMATIC_SLOTS);
}

/**
 * Registers the listener rules of one of the library's constructs. The first registration in a
 * stage adds the listener check to the stage (`checkListeners`): at synth it gathers every rule of
 * every listener there, the library's and the user's own, and fails on two rules at one priority,
 * on a rule of the library that an earlier rule shadows (and warns when one of the library's
 * shadows one of the user's), and on a load balancer past its quotas.
 */
export function registerListenerRules(scope: IConstruct, owner: ListenerRuleOwner): void {
  for (const rule of owner.rules) {
    const cfn = rule.rule.node.defaultChild as elbv2.CfnListenerRule;
    // EcsRolloutService registers its rules before the EcsNativeRollout it builds on them does.
    if (!OWNERS.has(cfn)) OWNERS.set(cfn, { owner, rule });
  }
  registerLoadBalancerCheck(scope);
}

/** Adds the listener check to the stage of `scope`, once, for constructs that add listeners but no rules. */
export function registerLoadBalancerCheck(scope: IConstruct): void {
  const stage = Stage.of(scope) ?? scope.node.root;
  if (CHECKED.has(stage)) return;
  CHECKED.add(stage);
  stage.node.addValidation({ validate: () => checkListeners(stage) });
}

/** A listener rule as the check sees it. */
interface Rule {
  readonly cfn: elbv2.CfnListenerRule;
  /** Its place in the construct tree, to tell the later of two rules. */
  readonly order: number;
  readonly priority?: number;
  readonly conditions?: ListenerCondition[];
  readonly library?: { owner: ListenerRuleOwner; rule: LibraryRule };
}

/** Everything on one listener. */
interface Listener {
  readonly name: string;
  readonly loadBalancer?: string;
  readonly rules: Rule[];
}

/** Runs the checks on every listener and load balancer of `stage`. Throws the library's error on the first problem. */
function checkListeners(stage: IConstruct): string[] {
  const all = constructsOf(stage);
  const loadBalancers = new Map<string, { name: string; listeners: number; rules: Rule[]; targetGroups: Set<string> }>();
  const listeners = new Map<string, Listener>();
  for (const c of all) {
    if (c instanceof elbv2.CfnLoadBalancer && (c.type === undefined || c.type === 'application')) {
      loadBalancers.set(identity(c, c.ref), { name: l2Path(c), listeners: 0, rules: [], targetGroups: new Set() });
    }
  }
  for (const c of all) {
    if (!(c instanceof elbv2.CfnListener)) continue;
    const key = identity(c, c.ref);
    const lbKey = identity(c, c.loadBalancerArn);
    const lb = loadBalancers.get(lbKey);
    listeners.set(key, { name: l2Path(c), loadBalancer: lb ? lbKey : undefined, rules: [] });
    if (lb) {
      lb.listeners++;
      targetGroupsOf(c, c.defaultActions).forEach(t => lb.targetGroups.add(t));
    }
  }
  all.forEach((c, order) => {
    if (!(c instanceof elbv2.CfnListenerRule)) return;
    const key = identity(c, c.listenerArn);
    let listener = listeners.get(key);
    if (listener === undefined) {
      // A listener imported by ARN: its rules are still checked against each other.
      listener = { name: describeListenerArn(c, c.listenerArn), rules: [] };
      listeners.set(key, listener);
    }
    const priority = Stack.of(c).resolve(c.priority);
    const rule: Rule = {
      cfn: c,
      order,
      priority: typeof priority === 'number' ? priority : undefined,
      conditions: readConditions(Stack.of(c).resolve(c.conditions)),
      library: OWNERS.get(c),
    };
    listener.rules.push(rule);
    const lb = listener.loadBalancer === undefined ? undefined : loadBalancers.get(listener.loadBalancer);
    if (lb) {
      lb.rules.push(rule);
      targetGroupsOf(c, c.actions).forEach(t => lb.targetGroups.add(t));
    }
  });

  for (const listener of listeners.values()) {
    checkAutomatic(listener);
    checkPriorities(listener);
    checkShadowing(listener);
  }
  for (const lb of loadBalancers.values()) checkQuotas(stage, lb);
  return [];
}

/** The constructs of a stage, in tree order, without those of the stages nested in it (synthesized on their own). */
function constructsOf(stage: IConstruct): IConstruct[] {
  const found: IConstruct[] = [];
  const visit = (c: IConstruct) => {
    found.push(c);
    for (const child of c.node.children) {
      if (!Stage.isStage(child)) visit(child);
    }
  };
  visit(stage);
  return found;
}

/** A construct that took its default priority before its listener was made automatic would never get an automatic one. */
function checkAutomatic(listener: Listener): void {
  for (const rule of listener.rules) {
    const owner = rule.library?.owner;
    if (owner?.source === 'default' && owner.listener !== undefined && hasAutomaticPriorities(owner.listener)) {
      fail(`${owner.where}: ${rule.library!.rule.prop}`, rule.library!.rule.propValue,
        `it is the default priority, taken when the construct was created, before aws.ListenerPriorities.automatic() was called on the listener ${listener.name}`,
        'Call aws.ListenerPriorities.automatic(listener) before creating the constructs whose priorities it should choose, or give this one a priority.');
    }
  }
}

/** Two rules at one priority: the load balancer refuses the second at deploy time (PriorityInUse). */
function checkPriorities(listener: Listener): void {
  const byPriority = new Map<number, Rule[]>();
  for (const rule of listener.rules) {
    if (rule.priority === undefined) continue;
    byPriority.set(rule.priority, [...(byPriority.get(rule.priority) ?? []), rule]);
  }
  for (const priority of [...byPriority.keys()].sort((a, b) => a - b)) {
    const rules = byPriority.get(priority)!;
    if (rules.length < 2) continue;
    // The rule to move: the library's with a priority nobody chose first, then any of the library's, then the later one.
    const movable = (r: Rule) => (r.library === undefined ? 2 : ['default', 'automatic'].includes(r.library.owner.source) ? 0 : 1);
    const [culprit, other] = [...rules].sort((a, b) => movable(a) - movable(b) || b.order - a.order);
    const taken = new Set(listener.rules.filter(r => r.priority !== undefined && !sameOwner(r, culprit)).map(r => r.priority!));
    const refused = 'a listener takes one rule per priority, and the load balancer refuses the second at deploy time (PriorityInUse)';
    if (culprit.library === undefined) {
      fail(`listener rule ${l2Path(culprit.cfn)}: priority`, priority,
        `${describeRule(other)} has this priority too, on the same listener ${listener.name}: ${refused}`,
        `Give it a free priority, such as ${freeBase(taken, [0], priority)}.`);
    }
    const { owner, rule } = culprit.library;
    if (owner.source === 'rules') {
      fail(`${owner.where}: ${rule.prop}`, l2Path(culprit.cfn),
        `its priority, ${priority}, is the priority of ${describeRule(other)} too, on the same listener ${listener.name}: ${refused}`,
        `Give the rule a free priority, such as ${freeBase(taken, [0], priority)}.`);
    }
    const how = owner.source === 'default' ? ' (the default)' : owner.source === 'automatic' ? ' (chosen automatically)' : '';
    const base = freeBase(taken, owner.offsets, owner.base);
    const fix = owner.source === 'automatic'
      ? `Two automatic priorities collide: give ${owner.where} priorities of its own, such as ${owner.setBase(base)} (given priorities win over automatic ones).`
      : owner.source === 'default'
        ? `Use a free range, such as ${owner.setBase(base)}; or, for constructs not deployed yet, call aws.ListenerPriorities.automatic(listener) `
          + 'before creating them, so the library chooses priorities that stay the same from one synth to the next.'
        : `Use a free range, such as ${owner.setBase(base)}.`;
    fail(`${owner.where}: ${rule.prop}`, rule.propValue,
      `${rule.role} takes priority ${priority}${how}, which the listener ${listener.name} already gives to ${describeRule(other)}: ${refused}`, fix);
  }
}

/**
 * A rule the library renders that can never match, because a rule evaluated before it matches every
 * request it matches: refused. A rule of the user's own that one of the library's shadows: a
 * warning, which the user may acknowledge (the rule may be kept on purpose).
 */
function checkShadowing(listener: Listener): void {
  const ordered = listener.rules.filter(r => r.priority !== undefined).sort((a, b) => a.priority! - b.priority!);
  for (let j = 1; j < ordered.length; j++) {
    const later = ordered[j];
    for (let i = 0; i < j; i++) {
      const earlier = ordered[i];
      if (earlier.priority === later.priority) continue;
      if (later.library === undefined && earlier.library === undefined) continue;
      const reasons = coveredBy(earlier.conditions, later.conditions);
      if (reasons === undefined) continue;
      const why = `${describeRule(earlier)} is evaluated first and takes every request it matches (${reasons.join('; ')})`;
      if (later.library !== undefined) {
        const { owner, rule } = later.library;
        const apart = earlier.library?.owner.conditionsProp
          ? `give ${earlier.library.owner.where} ${earlier.library.owner.conditionsProp} that leave these requests out`
          : `narrow the conditions of ${describeRule(earlier)} so they leave these requests out`;
        const before = owner.source === 'rules' ? `give ${l2Path(later.cfn)} a priority below ${earlier.priority}`
          : `evaluate ${owner.where} first, with a priority below ${earlier.priority},`;
        fail(`${owner.where}: ${rule.prop}`, rule.propValue,
          `${rule.role} (priority ${later.priority}) on the listener ${listener.name} can never match: ${why}, so ${rule.consequence}`,
          `Tell the rules apart: ${apart} (a host header, such as ListenerCondition.hostHeaders(["www.example.com"]), or a path pattern); or ${before} if its rules are the narrower ones.`);
      }
      if (earlier.library !== undefined) warnShadowed(later, earlier, listener, why);
      // One finding per rule: the first rule that shadows it.
      break;
    }
  }
}

function warnShadowed(rule: Rule, by: Rule, listener: Listener, why: string): void {
  const scope = l2Of(rule.cfn);
  const message = `The listener rule ${l2Path(rule.cfn)} (priority ${rule.priority}) on the listener ${listener.name} can never match: ${why}. `
    + `Give ${by.library!.owner.where} ${by.library!.owner.conditionsProp ?? 'conditions'} that leave these requests out, or give the rule a priority below ${by.priority}; `
    + `if the rule is kept on purpose, acknowledge this warning: Annotations.of(rule).acknowledgeWarning('${SHADOWED_RULE_WARNING}', '<why>').`;
  // Validations run at every synth of the app; the warning is added once.
  if (scope.node.metadata.some(m => typeof m.data === 'string' && m.data.startsWith(message))) return;
  Annotations.of(scope).addWarningV2(SHADOWED_RULE_WARNING, message);
}

/** The load balancer quotas, over every listener and rule of the app. */
function checkQuotas(stage: IConstruct, lb: { name: string; listeners: number; rules: Rule[]; targetGroups: Set<string> }): void {
  const counts = { rules: lb.rules.length, listeners: lb.listeners, targetGroups: lb.targetGroups.size };
  for (const what of ['rules', 'listeners', 'targetGroups'] as const) {
    const quota = QUOTAS[what];
    const limit = quotaLimit(stage, quota);
    const count = counts[what];
    if (count <= limit) continue;
    const noun = what === 'targetGroups' ? 'target groups' : what;
    const detail = what === 'rules' ? ` (${contributors(lb.rules)})` : '';
    const raise = quota.context === undefined
      ? ' This quota cannot be raised.'
      : ` If your account's quota "${quota.name}" was raised, set the context key "${quota.context}" to it.`;
    fail(`Application Load Balancer ${lb.name}: ${noun}`, count,
      `an Application Load Balancer takes at most ${limit} ${what === 'rules' ? 'listener rules besides the default rules of its listeners' : noun} `
      + `(Elastic Load Balancing quota "${quota.name}"), and the app gives this one ${count}${detail}`,
      `Put some of the services behind another load balancer (each with its own host name), or split the release across load balancers.${raise}`);
  }
}

function quotaLimit(stage: IConstruct, quota: { limit: number; context?: string }): number {
  if (quota.context === undefined) return quota.limit;
  const value = stage.node.tryGetContext(quota.context);
  if (value === undefined) return quota.limit;
  const number = typeof value === 'string' && /^\s*\d+\s*$/.test(value) ? Number(value) : value;
  if (typeof number !== 'number' || !Number.isInteger(number) || number < 1) {
    fail(`context "${quota.context}"`, value, 'it is your account\'s raised quota, a whole number of at least 1', `Set it to the quota shown in the Service Quotas console, or remove it for the default of ${quota.limit}.`);
  }
  return number;
}

/** Who the rules of a load balancer belong to: `EcsRolloutService Shop/S1 (2), ... and 3 of your own`. */
function contributors(rules: Rule[]): string {
  const byOwner = new Map<string, number>();
  let own = 0;
  for (const rule of rules) {
    if (rule.library === undefined) own++;
    else byOwner.set(rule.library.owner.where, (byOwner.get(rule.library.owner.where) ?? 0) + 1);
  }
  const owners = [...byOwner.entries()].map(([where, n]) => `${where} (${n})`);
  const shown = owners.length > 5 ? [...owners.slice(0, 5), `${owners.length - 5} more constructs of the library`] : owners;
  if (own > 0) shown.push(`${own} of your own`);
  return shown.join(', ');
}

/** The lowest base from `from` + 1 up (else down from `from` - 1) whose priorities are all free and within 1-50000. */
function freeBase(taken: Set<number>, offsets: number[], from: number): number {
  const fits = (b: number) => offsets.every(o => b + o >= MIN_PRIORITY && b + o <= MAX_PRIORITY && !taken.has(b + o));
  for (let b = from + 1; b <= MAX_PRIORITY; b++) if (fits(b)) return b;
  for (let b = from - 1; b >= MIN_PRIORITY; b--) if (fits(b)) return b;
  return from;
}

function sameOwner(a: Rule, b: Rule): boolean {
  return a === b || (a.library !== undefined && a.library.owner === b.library?.owner);
}

/** A rule for messages: `the production rule of EcsRolloutService Shop/Web (priority 10)`, `the listener rule Shop/Admin (priority 5)`. */
function describeRule(rule: Rule): string {
  if (rule.library) return `${rule.library.rule.role} of ${rule.library.owner.where} (priority ${rule.priority})`;
  return `the listener rule ${l2Path(rule.cfn)} (priority ${rule.priority})`;
}

/** The construct a user knows a resource by: its L2 when it is the L2's `Resource`. */
function l2Of(cfn: IConstruct): IConstruct {
  return cfn.node.id === 'Resource' && cfn.node.scope !== undefined ? cfn.node.scope : cfn;
}

function l2Path(cfn: IConstruct): string {
  return l2Of(cfn).node.path;
}

function describeListenerArn(scope: IConstruct, arn: unknown): string {
  const resolved = Stack.of(scope).resolve(arn);
  return typeof resolved === 'string' ? resolved : describeValue(resolved);
}

/**
 * The target groups an action list forwards to, by identity: every `targetGroupArn` in it
 * (`forwardConfig.targetGroups[]` included).
 */
function targetGroupsOf(scope: IConstruct, actions: unknown): string[] {
  const found: string[] = [];
  const visit = (value: unknown) => {
    if (Array.isArray(value)) {
      value.forEach(visit);
    } else if (typeof value === 'object' && value !== null) {
      for (const [key, v] of Object.entries(value)) {
        if (key === 'targetGroupArn' || key === 'TargetGroupArn') found.push(JSON.stringify(v));
        else visit(v);
      }
    }
  };
  visit(resolveIdentity(scope, actions));
  return found;
}

/**
 * Resolves references to the construct they point at rather than to `Ref` or `Fn::ImportValue`,
 * so one listener, load balancer or target group has one identity wherever it is referenced from
 * (another stack included).
 */
class IdentityResolver extends DefaultTokenResolver {
  constructor() {
    super(new StringConcat());
  }

  public resolveToken(t: IResolvable, context: IResolveContext, postProcessor: IPostProcessor): any {
    if (Reference.isReference(t)) return `<${t.target.node.path}.${t.displayName}>`;
    return super.resolveToken(t, context, postProcessor);
  }
}

const IDENTITY = new IdentityResolver();

function resolveIdentity(scope: IConstruct, value: unknown): unknown {
  return Tokenization.resolve(value, { scope, resolver: IDENTITY, preparing: false });
}

function identity(scope: IConstruct, value: unknown): string {
  return JSON.stringify(resolveIdentity(scope, value));
}

