import { Duration } from 'aws-cdk-lib/core';
import { HealthCheck } from './health-check';
import { Match } from './match';
import { formatPercent, formatSeconds, textTable } from './private/format';
import { arrayOf, dnsLabel, fail, percentInTenths, struct, validDate, wholeSeconds } from './private/validation';

/** One variant of an A/B experiment: who sees it. */
export interface Variant {
  /** The variant's name, a DNS label (`variant-b`). */
  readonly name: string;

  /**
   * Requests this variant receives. With a `weight`, only that share of the matching requests.
   *
   * @default - no match: the variant receives `weight` percent of all requests
   */
  readonly match?: Match;

  /**
   * Percentage of requests the variant receives: of all requests when there is no `match`, of the
   * matching requests otherwise. Above 0 and at most 100, in steps of 0.1.
   *
   * @default - 100 of the matching requests; required when there is no `match`
   */
  readonly weight?: number;
}

/** Props for an `Experiment`. */
export interface ExperimentProps {
  /** The experiment's name, a DNS label. */
  readonly name: string;

  /** The variants tested against the control. */
  readonly variants: Variant[];

  /**
   * The control's name: what everyone else sees.
   *
   * @default 'control'
   */
  readonly control?: string;

  /**
   * How long a user keeps the variant they were given (a sticky session).
   *
   * @default - no stickiness: every request is allocated on its own
   */
  readonly stickiness?: Duration;

  /**
   * When the experiment starts. Before it everyone is sent to the control, so an experiment can
   * be deployed ahead of its launch. It must come before `endDate`.
   *
   * @default - no start date: the experiment runs as soon as it is deployed
   */
  readonly startDate?: Date;

  /**
   * When the experiment ends. From then on everyone is sent to the control.
   *
   * @default - no end date: the experiment runs until it is switched off
   */
  readonly endDate?: Date;

  /**
   * Whether the experiment runs. Switched off, it sends everyone to the control.
   *
   * @default true
   */
  readonly enabled?: boolean;

  /**
   * The health checks each variant and the control are measured by, side by side: backends render
   * them per variant (one alarm per variant and check on AWS, per-variant queries on Kubernetes)
   * so that a variant that hurts its users shows, and the experiment can be switched off.
   *
   * @default - no health checks: the experiment routes, and nothing measures its variants
   */
  readonly healthChecks?: HealthCheck[];
}

/** Where a share of requests goes, as rendered by backends. */
export interface VariantAllocation {
  /** The variant (or control) name. */
  readonly variant: string;
  /** Whether this is the control. */
  readonly isControl: boolean;
  /** Percentage of the requests this allocation draws from (the matching ones, or all of the rest). */
  readonly weight: number;
  /**
   * The requests this allocation draws from.
   *
   * @default - all requests not taken by a matching variant
   */
  readonly match?: Match;
}

/**
 * An A/B test: a control and variants, each selected by a match and/or a weight.
 *
 * Requests matching a variant's `match` go to it (or its `weight` share of them, the rest to the
 * control). Everyone else is split by the weights of the variants without a match, and the control
 * keeps the remainder, so an unmatched user always has a home. An experiment switched off, before
 * its start date or past its end date, sends everyone to the control.
 *
 * @example
 * import { Duration } from 'aws-cdk-lib';
 * import { Experiment, Match } from 'cdk-deploy-strategies';
 *
 * const checkout = new Experiment({
 *   name: 'new-checkout',
 *   variants: [
 *     { name: 'beta-testers', match: Match.cookie('beta', 'true') },
 *     { name: 'one-click', weight: 10 },
 *   ],
 *   stickiness: Duration.days(1),
 *   startDate: new Date('2027-01-04T08:00:00Z'),
 *   endDate: new Date('2027-01-31T00:00:00Z'),
 * });
 */
export class Experiment {
  /** The experiment's name. */
  public readonly name: string;
  /** The control's name. */
  public readonly control: string;
  /** The variants, in declared order, with `weight` filled in (100 for a matched variant without one). */
  public readonly variants: Variant[];
  /** How long users keep their variant, if sticky. */
  public readonly stickiness?: Duration;
  /** When the experiment starts, if set. */
  public readonly startDate?: Date;
  /** When the experiment ends, if set. */
  public readonly endDate?: Date;
  /** Whether the experiment is switched on. */
  public readonly enabled: boolean;
  /** The health checks every variant and the control are measured by (empty when none). */
  public readonly healthChecks: HealthCheck[];

  constructor(props: ExperimentProps) {
    struct('Experiment: props', props, 'Pass an object such as { name: "checkout", variants: [{ name: "b", weight: 10 }] }.');
    this.name = dnsLabel('Experiment: name', props.name, 'new-checkout');
    const where = `Experiment "${this.name}"`;
    this.control = props.control === undefined ? 'control' : dnsLabel(`${where}: control`, props.control, 'control');

    const variants = arrayOf<Variant>(`${where}: variants`, props.variants, 'Pass variants such as [{ name: "b", weight: 10 }].');
    if (variants.length === 0) {
      fail(`${where}: variants`, variants, 'an experiment needs at least one variant besides the control', 'Add a variant such as { name: "b", weight: 10 }.');
    }
    const seen = new Set([this.control]);
    let weightedTenths = 0;
    const checked: Variant[] = [];
    variants.forEach((raw, i) => {
      const prop = `${where}: variants[${i}]`;
      const variant = struct<Variant>(prop, raw, 'Each variant is an object such as { name: "b", weight: 10 }.');
      const name = dnsLabel(`${prop}.name`, variant.name, 'variant-b');
      if (seen.has(name)) {
        fail(`${prop}.name`, name, name === this.control ? 'it is the control\'s name' : 'another variant has this name',
          'Give every variant and the control a distinct name.');
      }
      seen.add(name);
      const match = variant.match === undefined ? undefined : Match._require(`${prop}.match`, variant.match);
      const twin = match && checked.find(v => v.match?.sameAs(match));
      if (twin) {
        fail(`${prop}.match`, match.describe(), `variant "${twin.name}" already has this match, so the same requests would be split twice`,
          'Give each variant its own match, or merge the two variants.');
      }
      if (match === undefined && variant.weight === undefined) {
        fail(`${prop}.weight`, undefined, 'a variant without a match needs a weight, or it would receive nobody',
          'Set a weight such as 10 (percent of requests), or a match.');
      }
      const tenths = variant.weight === undefined ? 1000 : percentInTenths(`${prop}.weight`, variant.weight, 'Use a weight from 0.1 to 100.');
      if (match === undefined) weightedTenths += tenths;
      checked.push(Object.freeze({ name, match, weight: tenths / 10 }));
    });
    this.variants = Object.freeze(checked) as Variant[];
    if (weightedTenths >= 1000) {
      fail(`${where}: the sum of the weights of variants without a match`, weightedTenths / 10,
        'the weights of variants without a match add up to 100% or more, leaving the control no users',
        'Lower the weights so that they add up to less than 100; the control keeps the rest.');
    }

    this.stickiness = props.stickiness === undefined ? undefined : Duration.seconds(wholeSeconds(`${where}: stickiness`, props.stickiness, {
      minSeconds: 1,
      fix: 'Use at least Duration.seconds(1), or leave stickiness out.',
    }));
    this.startDate = props.startDate === undefined ? undefined
      : validDate(`${where}: startDate`, props.startDate, 'Pass a date such as new Date("2027-01-04T08:00:00Z").');
    this.endDate = props.endDate === undefined ? undefined
      : validDate(`${where}: endDate`, props.endDate, 'Pass a date such as new Date("2027-01-31T00:00:00Z").');
    if (this.startDate && this.endDate && this.startDate.getTime() >= this.endDate.getTime()) {
      fail(`${where}: startDate`, this.startDate.toISOString(),
        `it is not before the end date, ${this.endDate.toISOString()}, so the experiment would never run`,
        'Set a start date before the end date, or move the end date later.');
    }
    if (props.enabled !== undefined && typeof props.enabled !== 'boolean') {
      fail(`${where}: enabled`, props.enabled, 'it must be true or false', 'Pass true to run the experiment, false to send everyone to the control.');
    }
    this.enabled = props.enabled ?? true;
    this.healthChecks = Object.freeze(props.healthChecks === undefined ? []
      : HealthCheck._requireList(`${where}: healthChecks`, props.healthChecks)) as HealthCheck[];
  }

  /**
   * Why the experiment sends everyone to the control at `at`, or undefined when it runs.
   *
   * @param at the moment to check; pass a fixed date in tests so they do not change with the clock
   */
  public inactiveReason(at: Date = new Date()): string | undefined {
    validDate(`Experiment "${this.name}": at`, at, 'Pass the moment to evaluate the experiment at, such as new Date().');
    if (!this.enabled) return `experiment "${this.name}" is switched off`;
    if (this.startDate && at.getTime() < this.startDate.getTime()) {
      return `experiment "${this.name}" starts on ${this.startDate.toISOString()}`;
    }
    if (this.endDate && this.endDate.getTime() <= at.getTime()) {
      return `experiment "${this.name}" ended on ${this.endDate.toISOString()}`;
    }
    return undefined;
  }

  /** @internal Whether the experiment is switched on and its start date is still to come at `at`. */
  public _startsAfter(at: Date): boolean {
    return this.enabled && this.startDate !== undefined && at.getTime() < this.startDate.getTime();
  }

  /** Whether the experiment runs at `at` (switched on, past its start date and not past its end date). */
  public isActive(at: Date = new Date()): boolean {
    return this.inactiveReason(at) === undefined;
  }

  /**
   * Where requests go at `at`, in the order a backend should evaluate them: variants with a match
   * first (as declared), then the weighted split of everyone else, the control last with the
   * remainder. An inactive experiment is one allocation: 100% to the control.
   */
  public allocations(at: Date = new Date()): VariantAllocation[] {
    const control = (weight: number): VariantAllocation => ({ variant: this.control, isControl: true, weight });
    if (!this.isActive(at)) return [control(100)];
    const matched = this.variants.filter(v => v.match !== undefined);
    const weighted = this.variants.filter(v => v.match === undefined);
    const result: VariantAllocation[] = [];
    for (const v of matched) {
      result.push({ variant: v.name, isControl: false, weight: v.weight!, match: v.match });
      // The share of matching requests the variant does not take stays on the control.
      if (v.weight! < 100) result.push({ variant: this.control, isControl: true, weight: (1000 - Math.round(v.weight! * 10)) / 10, match: v.match });
    }
    const weightedTenths = weighted.reduce((sum, v) => sum + Math.round(v.weight! * 10), 0);
    for (const v of weighted) result.push({ variant: v.name, isControl: false, weight: v.weight! });
    result.push(control((1000 - weightedTenths) / 10));
    return result;
  }

  /** The allocations at `at` as a readable text table. */
  public toTable(at: Date = new Date()): string {
    const reason = this.inactiveReason(at);
    const rows = this.allocations(at).map(a => [
      a.match ? a.match.describe() : 'everyone else',
      a.isControl && a.variant !== 'control' ? `${a.variant} (control)` : a.variant,
      formatPercent(a.weight),
    ]);
    const lines = [
      `experiment ${this.name}${reason ? ` (inactive: ${reason})` : ''}`,
      textTable(['requests', 'variant', 'share'], rows),
      `stickiness: ${this.stickiness ? formatSeconds(this.stickiness.toSeconds()) : 'none'}`,
      ...(this.startDate ? [`starts: ${this.startDate.toISOString()}`] : []),
      `ends: ${this.endDate ? this.endDate.toISOString() : 'when switched off'}`,
      ...this.healthChecks.map((check, i) => `${i === 0 ? 'each variant measured by: ' : '                          '}${check.describe()}`),
    ];
    return lines.join('\n');
  }
}
