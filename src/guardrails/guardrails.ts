import { IConstruct } from 'constructs';
import { GuardrailPack } from './pack';
import { guardrailFactsOf } from './private/facts';
import { GuardrailSubject } from './subject';
import { textTable } from '../core/private/format';
import { fail } from '../core/private/validation';

/** One rule's verdict on one construct. */
export interface GuardrailFinding {
  /** The rule broken: `CDS-R1`. */
  readonly ruleId: string;
  /** The construct's path. */
  readonly path: string;
  /** What the rule requires. */
  readonly explanation: string;
  /** What the construct does instead: `canary 10% → 100% on Route 53 weighted records: nothing rolls it back`. */
  readonly detail: string;
  /** What to do. */
  readonly fix: string;
  /** Whether a suppression on the construct or one of its scopes covers the finding. */
  readonly suppressed: boolean;
  /**
   * The suppression's reason.
   *
   * @default - not suppressed
   */
  readonly reason?: string;
}

/**
 * The findings of a pack on an app: rule id, construct path, explanation, fix, and for suppressed
 * findings the reason.
 *
 * @example
 * declare const app: App;
 * const report = guardrails.Guardrails.report(app, guardrails.GuardrailPack.recommended());
 * console.log(report.toTable());
 */
export class GuardrailReport {
  /** @internal */
  public static _of(pack: GuardrailPack, findings: GuardrailFinding[]): GuardrailReport {
    return new GuardrailReport(pack, findings);
  }

  /** The pack evaluated. */
  public readonly packName: string;
  /** Every finding, suppressed or not, by construct path then rule id. */
  public readonly findings: GuardrailFinding[];

  private constructor(pack: GuardrailPack, findings: GuardrailFinding[]) {
    this.packName = pack.name;
    this.findings = findings;
  }

  /** The findings that fail synthesis: not suppressed. */
  public get violations(): GuardrailFinding[] {
    return this.findings.filter(f => !f.suppressed);
  }

  /** One error line per violation: `[CDS-R1] App/Stack/Web/Rollout: <explanation> (<detail>). <fix>.` */
  public get errors(): string[] {
    return this.violations.map(errorLine);
  }

  /** The findings as a text table, with a summary line. */
  public toTable(): string {
    const summary = `guardrails ${this.packName}: ${this.violations.length} violation${this.violations.length === 1 ? '' : 's'}, `
      + `${this.findings.length - this.violations.length} suppressed`;
    if (this.findings.length === 0) return summary;
    const rows = this.findings.map(f => [
      f.ruleId, f.path, f.suppressed ? `suppressed: ${f.reason}` : 'VIOLATION', `${f.explanation} (${f.detail})`, f.fix,
    ]);
    return [summary, textTable(['rule', 'construct', 'status', 'finding', 'fix'], rows)].join('\n');
  }
}

const SUPPRESSIONS = new WeakMap<IConstruct, Map<string, string>>();

/**
 * Runs a guardrail pack on the library's constructs at synth, in CDK and cdk8s apps alike.
 *
 * `apply` adds a validation to a scope (usually the app): when the app synthesizes (`cdk synth`,
 * `app.synth()` of aws-cdk-lib or cdk8s, both run construct validations) every rule runs on every
 * construct of the library below the scope, and each unsuppressed finding fails synthesis with
 * `[<rule id>] <construct path>: <explanation> (<detail>). <fix>.`
 *
 * @example
 * declare const app: App;
 * declare const route53Canary: aws.WeightedDnsRollout;
 * guardrails.Guardrails.apply(app, guardrails.GuardrailPack.recommended());
 * guardrails.Guardrails.suppress(route53Canary, 'CDS-R1', 'the pipeline runs smoke tests and a person advances each step');
 */
export class Guardrails {
  /** Fails synthesis of `scope` on every unsuppressed finding of `pack`. */
  public static apply(scope: IConstruct, pack: GuardrailPack): void {
    checkScope('Guardrails.apply: scope', scope);
    checkPack('Guardrails.apply: pack', pack);
    scope.node.addValidation({ validate: () => Guardrails.evaluate(scope, pack).errors });
  }

  /** Runs `pack` on every construct of the library below `scope` now, and returns the findings. */
  public static report(scope: IConstruct, pack: GuardrailPack): GuardrailReport {
    checkScope('Guardrails.report: scope', scope);
    checkPack('Guardrails.report: pack', pack);
    return Guardrails.evaluate(scope, pack);
  }

  /**
   * Accepts the findings of rule `ruleId` on `construct` and every construct below it. They stay in
   * the report, with `reason`, and no longer fail synthesis.
   *
   * @param reason why the rule does not apply here; required, and shown in the report
   */
  public static suppress(construct: IConstruct, ruleId: string, reason: string): void {
    checkScope('Guardrails.suppress: construct', construct);
    if (typeof ruleId !== 'string' || ruleId.trim() === '') {
      fail('Guardrails.suppress: ruleId', ruleId, 'it must name a rule', 'Pass the id of the rule, such as "CDS-R1".');
    }
    if (typeof reason !== 'string' || reason.trim() === '') {
      fail(`Guardrails.suppress: reason for ${ruleId} on ${construct.node.path}`, reason, 'a suppression needs a written reason, which the report shows',
        'Say why the rule does not apply here, such as "the pipeline runs smoke tests and a person advances each step".');
    }
    const map = SUPPRESSIONS.get(construct) ?? new Map<string, string>();
    map.set(ruleId, reason.trim());
    SUPPRESSIONS.set(construct, map);
  }

  private static evaluate(scope: IConstruct, pack: GuardrailPack): GuardrailReport {
    const findings: GuardrailFinding[] = [];
    const rules = pack.rules;
    for (const construct of scope.node.findAll()) {
      for (const facts of guardrailFactsOf(construct)) {
        const subject = GuardrailSubject._of(construct, facts);
        for (const rule of rules) {
          const details = rule.check(subject);
          if (!Array.isArray(details)) {
            fail(`guardrail rule ${rule.id}: check`, details, 'a rule returns an array of findings (empty when the construct complies)', 'Return [] or an array of strings.');
          }
          for (const detail of details) {
            const reason = suppressionOf(construct, rule.id);
            findings.push({
              ruleId: rule.id,
              path: construct.node.path,
              explanation: rule.explanation,
              detail: String(detail),
              fix: rule.fix,
              suppressed: reason !== undefined,
              reason,
            });
          }
        }
      }
    }
    return GuardrailReport._of(pack, findings);
  }

  private constructor() {}
}

/** The reason of the nearest suppression of `ruleId` on the construct or its scopes. */
function suppressionOf(construct: IConstruct, ruleId: string): string | undefined {
  for (const scope of [...construct.node.scopes].reverse()) {
    const reason = SUPPRESSIONS.get(scope)?.get(ruleId);
    if (reason !== undefined) return reason;
  }
  return undefined;
}

function errorLine(f: GuardrailFinding): string {
  const fix = f.fix.endsWith('.') ? f.fix : `${f.fix}.`;
  return `[${f.ruleId}] ${f.path}: ${f.explanation} (${f.detail}). ${fix}`;
}

function checkScope(prop: string, scope: unknown): void {
  if (typeof scope !== 'object' || scope === null || typeof (scope as IConstruct).node?.findAll !== 'function') {
    fail(prop, scope, 'it must be a construct', 'Pass the app, a stack or a chart, or the construct itself.');
  }
}

function checkPack(prop: string, pack: unknown): void {
  if (!(pack instanceof GuardrailPack)) {
    fail(prop, pack, 'it must be a GuardrailPack', 'Use GuardrailPack.recommended() or GuardrailPack.strict().');
  }
}
