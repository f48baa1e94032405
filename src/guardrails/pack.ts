import { Duration } from 'aws-cdk-lib/core';
import { IGuardrailRule } from './rule';
import {
  BlastRadiusRule, ExperimentEndDateRule, HealthCheckCoverageRule, MinimumBakeTimeRule, PinnedVersionsRule, PrivateTestRouteRule, RollbackTriggerRule,
  ShadowedVariantRule,
} from './rules';
import { fail, struct } from '../core/private/validation';

/** Thresholds of a guardrail pack. */
export interface GuardrailPackOptions {
  /**
   * The largest share of traffic, in percent, a rollout's first step may send to the new version (CDS-R2).
   *
   * @default - 25 in the recommended pack, 10 in the strict one
   */
  readonly maxFirstStepPercent?: number;

  /**
   * The shortest bake or analysis a step may have (CDS-R3).
   *
   * @default - 3 minutes in the recommended pack, 10 minutes in the strict one
   */
  readonly minBakeTime?: Duration;

  /**
   * The moment experiments' end dates are evaluated at (CDS-R5).
   *
   * @default - the moment the rules run
   */
  readonly at?: Date;
}

/** The thresholds that tell the packs apart. */
interface PackDefaults {
  readonly maxPercent: number;
  readonly minBakeMinutes: number;
  readonly acceptHealthChecks: boolean;
}

/**
 * A set of guardrail rules: the recommended pack, the strict one, or either with a team's own rules.
 *
 * | rule | recommended | strict |
 * | --- | --- | --- |
 * | CDS-R1 rollback trigger | alarms, analysis or a health signal | alarms or analysis |
 * | CDS-R2 first-step blast radius | at most 25% | at most 10% |
 * | CDS-R3 minimum bake time | 3 minutes | 10 minutes |
 * | CDS-R4 private test route, CDS-R5 experiment end date, CDS-R6 shadowed variants, CDS-R7 pinned versions, CDS-R8 health check coverage | on | on |
 *
 * @example
 * declare const app: App;
 * declare const teamRule: guardrails.IGuardrailRule;
 * const pack = guardrails.GuardrailPack.recommended({ maxFirstStepPercent: 10 }).withRule(teamRule);
 * guardrails.Guardrails.apply(app, pack);
 */
export class GuardrailPack {
  /**
   * The recommended pack: every rule, with thresholds most production services meet. Rollbacks must
   * be triggered by alarms or an analysis: a circuit breaker or a health check alone catches a
   * version that does not start, not one that serves errors.
   */
  public static recommended(options: GuardrailPackOptions = {}): GuardrailPack {
    return GuardrailPack.of('recommended', options, { maxPercent: 25, minBakeMinutes: 3, acceptHealthChecks: false });
  }

  /** The strict pack: the recommended one with a first step of at most 10% and bakes of at least 10 minutes. */
  public static strict(options: GuardrailPackOptions = {}): GuardrailPack {
    return GuardrailPack.of('strict', options, { maxPercent: 10, minBakeMinutes: 10, acceptHealthChecks: false });
  }

  private static of(name: string, options: GuardrailPackOptions, defaults: PackDefaults): GuardrailPack {
    const read = struct<GuardrailPackOptions>(`GuardrailPack.${name}: options`, options, 'Pass { maxFirstStepPercent, minBakeTime, at }.');
    return new GuardrailPack(name, [
      new RollbackTriggerRule({ acceptHealthChecks: defaults.acceptHealthChecks }),
      new BlastRadiusRule({ maxFirstStepPercent: read.maxFirstStepPercent ?? defaults.maxPercent }),
      new MinimumBakeTimeRule({ minBakeTime: read.minBakeTime ?? Duration.minutes(defaults.minBakeMinutes) }),
      new PrivateTestRouteRule(),
      new ExperimentEndDateRule({ at: read.at }),
      new ShadowedVariantRule(),
      new PinnedVersionsRule(),
      new HealthCheckCoverageRule(),
    ]);
  }

  /** The pack's name: `recommended`, `strict`. */
  public readonly name: string;
  private readonly ruleList: IGuardrailRule[];

  private constructor(name: string, rules: IGuardrailRule[]) {
    this.name = name;
    this.ruleList = rules;
  }

  /** The rules, in the order they run. */
  public get rules(): IGuardrailRule[] {
    return [...this.ruleList];
  }

  /**
   * A new pack with `rule` added; this pack is unchanged. Throws when the pack already has a rule
   * with the same id, since suppressions and findings name rules by id.
   */
  public withRule(rule: IGuardrailRule): GuardrailPack {
    const prop = `GuardrailPack ${this.name}: withRule`;
    if (typeof rule !== 'object' || rule === null || typeof rule.check !== 'function') {
      fail(prop, rule, 'a rule implements IGuardrailRule: an id, an explanation, a fix and a check method', 'Pass an object such as new MyTeamRule().');
    }
    for (const key of ['id', 'explanation', 'fix'] as const) {
      if (typeof rule[key] !== 'string' || rule[key].trim() === '') {
        fail(`${prop}: ${key}`, rule[key], `a rule needs a non-empty ${key}`, key === 'id' ? 'Give the rule an id such as "TEAM-1".' : `Write the rule's ${key} in one line.`);
      }
    }
    if (this.ruleList.some(r => r.id === rule.id)) {
      fail(`${prop}: id`, rule.id, 'the pack already has a rule with this id', 'Give the rule an id of its own, such as "TEAM-1".');
    }
    return new GuardrailPack(this.name, [...this.ruleList, rule]);
  }
}
