import { Match, MatchKind } from '../../core/match';
import { IGuardrailRule } from '../rule';
import { GuardrailSubject } from '../subject';

/**
 * CDS-R6: no A/B variant is shadowed by the match of a variant the backend evaluates before it.
 *
 * Two matches on the same header, cookie or query parameter are compared, in the backend's
 * evaluation order:
 * - equal values (without regard to case on the ALB, which compares values that way): the later
 *   variant receives nothing;
 * - a header regular expression and an exact value of the same header that it matches, in either
 *   order: an earlier expression takes the later exact value's requests, an earlier exact value
 *   takes part of the later expression's.
 *
 * Two different regular expressions are not compared (whether they overlap is not decidable in
 * general), nor are matches on different attributes (a request carrying both goes to the first).
 *
 * @example
 * new guardrails.ShadowedVariantRule();
 */
export class ShadowedVariantRule implements IGuardrailRule {
  public readonly id = 'CDS-R6';
  public readonly explanation = 'no A/B variant is shadowed by the match of a variant evaluated before it';
  public readonly fix = 'Give each variant a match that selects requests no earlier variant selects, declare the narrower match first, or merge the variants';

  public check(subject: GuardrailSubject): string[] {
    const experiment = subject.experiment;
    if (experiment === undefined) return [];
    const byName = new Map(experiment.variants.filter(v => v.match).map(v => [v.name, v.match!]));
    const order = subject.evaluationOrder.filter(name => byName.has(name));
    const findings: string[] = [];
    order.forEach((later, j) => {
      for (const earlier of order.slice(0, j)) {
        const how = shadowing(byName.get(earlier)!, byName.get(later)!, subject.caseInsensitiveValues);
        if (how !== undefined) {
          findings.push(`variant "${later}" (${byName.get(later)!.describe()}) ${how} variant "${earlier}" (${byName.get(earlier)!.describe()}), evaluated first on ${subject.backend}`);
          break;
        }
      }
    });
    return findings;
  }
}

/** How `earlier` shadows `later`, or undefined when it does not. */
function shadowing(earlier: Match, later: Match, caseInsensitive: boolean): string | undefined {
  const isHeader = (m: Match) => m.kind === MatchKind.HEADER_EXACT || m.kind === MatchKind.HEADER_REGEX;
  const sameName = isHeader(earlier) && isHeader(later)
    ? earlier.name.toLowerCase() === later.name.toLowerCase()
    : earlier.kind === later.kind && (caseInsensitive ? earlier.name.toLowerCase() === later.name.toLowerCase() : earlier.name === later.name);
  if (!sameName) return undefined;
  const equal = (a: string, b: string) => (caseInsensitive ? a.toLowerCase() === b.toLowerCase() : a === b);
  if (earlier.kind === later.kind && equal(earlier.value, later.value)) return 'receives no request: its match selects the same requests as';
  if (earlier.kind === MatchKind.HEADER_REGEX && later.kind === MatchKind.HEADER_EXACT && fullMatch(earlier.value, later.value)) {
    return 'receives no request: its value matches the regular expression of';
  }
  if (earlier.kind === MatchKind.HEADER_EXACT && later.kind === MatchKind.HEADER_REGEX && fullMatch(later.value, earlier.value)) {
    return 'loses the requests its regular expression shares with';
  }
  return undefined;
}

/** Whether `pattern` matches the whole of `value`, as RE2 header matches do. */
function fullMatch(pattern: string, value: string): boolean {
  try {
    return new RegExp(`^(?:${pattern})$`).test(value);
  } catch {
    return false;
  }
}
