import * as cdk from 'aws-cdk-lib';
import * as fc from 'fast-check';
import { StrategyErrors } from '../../src';

/**
 * How many random cases a property tries. The suite runs `quick` cases per property; the long run
 * (`npx projen test:properties`) sets FC_RUNS to explore many more with the same tests.
 */
export function propertyRuns(quick: number): number {
  const long = Number(process.env.FC_RUNS);
  return Number.isInteger(long) && long > 0 ? long : quick;
}

/** What a run of random props came to: built and checked, or refused by the library's own validation. */
export interface RandomPropsOutcome {
  readonly built: number;
  readonly refused: number;
}

/**
 * Builds a construct from random props: each case must either build output that `build` checks
 * (schema validation, clean output) or throw the library's validation error with every part of
 * its message filled in. Any other error — a TypeError, an aws-cdk-lib or cdk8s error the library
 * should have caught first — fails with the props that caused it.
 *
 * Fails too when no case at all was built: a property whose generator only produces refused
 * props checks nothing about the output.
 */
export function expectBuildsOrRefuses<P>(
  props: fc.Arbitrary<P>,
  build: (props: P) => void,
  options: { readonly quickRuns?: number } = {},
): RandomPropsOutcome {
  let built = 0;
  let refused = 0;
  fc.assert(
    fc.property(props, p => {
      try {
        build(p);
      } catch (e) {
        if (!StrategyErrors.isValidationError(e)) throw e;
        expectWellFormedRefusal(e);
        refused++;
        return;
      }
      built++;
    }),
    { numRuns: propertyRuns(options.quickRuns ?? 20) },
  );
  if (built === 0) {
    throw new Error(`none of ${refused} random cases was built: the generator only produces props the library refuses`);
  }
  return { built, refused };
}

function expectWellFormedRefusal(error: unknown): void {
  const details = StrategyErrors.detailsOf(error)!;
  for (const [part, text] of Object.entries(details)) {
    if (text.trim() === '') throw new Error(`validation error with an empty ${part}: ${(error as Error).message}`);
  }
  if ((error as Error).message.includes('[object Object]')) {
    throw new Error(`validation error prints an object as [object Object]: ${(error as Error).message}`);
  }
}

/** Text that means a value went missing or wrong on its way into output. */
const BROKEN_VALUES = ['[object Object]', 'undefined', 'NaN', 'Infinity', '${Token['];

/**
 * Fails if any string in `value` (a template, a manifest, recorded metadata) holds a broken value:
 * `undefined`, `NaN`, `Infinity`, `[object Object]` or an unresolved token.
 */
export function expectCleanOutput(what: string, value: unknown): void {
  const text = JSON.stringify(value);
  for (const bad of BROKEN_VALUES) {
    if (text.includes(bad)) {
      const at = text.indexOf(bad);
      throw new Error(`${what} contains "${bad}": …${text.slice(Math.max(0, at - 120), at + 120)}…`);
    }
  }
}

/**
 * Synthesizes the app and checks every stack's template and recorded metadata (plans,
 * experiments, releases) with `expectCleanOutput`.
 */
export function expectCleanAssembly(app: cdk.App): void {
  const assembly = app.synth();
  for (const stack of assembly.stacksRecursively) {
    expectCleanOutput(`${stack.hierarchicalId} template`, stack.template);
    expectCleanOutput(`${stack.hierarchicalId} metadata`, stack.manifest.metadata ?? {});
  }
}
