// The documentation's code compiles as pasted: every TypeScript block of README.md and every `@example`
// of the API (the doc comments in src/, which API.md and the other languages' docs are made from).
//
// How to write one (the conventions are jsii-rosetta's, so `jsii-rosetta extract --strict` reads them alike):
//
// - A README block written ```ts is a whole file: it imports everything it uses and compiles as it is.
//   If it needs nothing declared (no `declare const`), the test also runs it, and when the next block
//   follows a line "prints", what it prints must be that block.
// - A README fragment names its context in the info string: ```ts fixture=readme-stack places it in
//   rosetta/readme-stack.ts-fixture, at the line `/// here`. The fixtures give a scope (a Stack's
//   constructor, for `this`) and values the block uses without creating them (`declare const cluster:
//   import('aws-cdk-lib/aws-ecs').ICluster;`), but import nothing a block could use (only names starting
//   with Fixture): a block imports what it uses, as a reader who pastes it must. Add a `declare` to a
//   fixture, or a fixture of your own named readme-<something>.ts-fixture, when a new block needs one.
// - An `@example` of src/<submodule>/ is placed in rosetta/<submodule>/default.ts-fixture (aws: a Stack's
//   constructor; k8s: an app and a `chart`; guardrails), which imports what those examples take for
//   granted: write `new aws.LambdaRollout(this, ...)`, `new k8s.ArgoRollout(chart, ...)`. The core's
//   examples use rosetta/default.ts-fixture, which is empty: they import what they use. `@exampleMetadata
//   fixture=<name>` names another fixture. Examples with nothing declared run too (k8s ones are
//   synthesized), so an example that only fails at synthesis fails here.
// - Blocks that are not TypeScript (output, shell commands) take another info string: ```text, ```sh.
// - Snippets are compiled as jsii-rosetta compiles them: strict, without Node.js's types (every fixture
//   declares `console`), and rosetta translates them to other languages, so it refuses a few TypeScript
//   features (`??`, `?.`, `a ? b : c`, try/catch): `npx projen docs:rosetta` runs the real thing.
//
// All snippets are type-checked in one TypeScript program, with the test suite's compiler options; an
// error names the file and line, in README.md or in src/.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as ts from 'typescript';
import {
  apiSnippets, fixtureFile, Fixtured, gettingStarted, markdownSnippets, moduleText, ROOT, Snippet, SnippetProblem, typeCheck, withFixture,
} from './support/snippets';

const readme = markdownSnippets(path.join(ROOT, 'README.md'));
const api = apiSnippets();
const all = [...readme, ...api];
const fixtured = new Map<Snippet, Fixtured>(all.map(s => [s, withFixture(s)]));

let problems: SnippetProblem[];
beforeAll(() => {
  problems = typeCheck([...fixtured.values()]);
}, 900_000);

const problemsOf = (snippet: Snippet) => problems.filter(p => p.snippet === snippet).map(p => p.message);
const name = (s: Snippet) => `${s.where}${s.params.fixture ? ` (fixture ${s.params.fixture})` : ''}`;

describe('README.md', () => {
  test('has TypeScript blocks, the getting-started apps among them (whole files: the default fixture is empty)', () => {
    expect(readme.length).toBeGreaterThanOrEqual(10);
    const { cdk, cdk8s } = gettingStarted();
    expect([cdk, cdk8s].map(fixtureFile)).toEqual([path.join('rosetta', 'default.ts-fixture'), path.join('rosetta', 'default.ts-fixture')]);
    expect(readme).toEqual(expect.arrayContaining([cdk, cdk8s]));
  });

  test.each(readme.map(s => [name(s), s] as const))('%s compiles as pasted', (_, snippet) => {
    expect(problemsOf(snippet)).toEqual([]);
  });

  test('its fixtures import nothing a block could use: only names starting with Fixture', () => {
    const fixtures = new Set(readme.map(fixtureFile).filter((f): f is string => f !== undefined));
    expect(fixtures.size).toBeGreaterThan(1);
    const imported = [...fixtures].flatMap(fixture => importedNames(path.join(ROOT, fixture)).map(n => `${fixture}: ${n}`));
    expect(imported.filter(n => !/: Fixture\w*$/.test(n))).toEqual([]);
  });
});

describe('API @examples', () => {
  test('every public construct file has examples', () => {
    expect(api.length).toBeGreaterThanOrEqual(35);
    for (const submodule of ['aws', 'k8s', 'guardrails', undefined]) expect(api.some(s => s.submodule === submodule)).toBe(true);
  });

  test.each(api.map(s => [name(s), s] as const))('%s compiles as pasted', (_, snippet) => {
    expect(problemsOf(snippet)).toEqual([]);
  });

  test('examples name submodule types through their submodule (aws.X, k8s.X, guardrails.X), as users import them', () => {
    // The package's root exports only the core; an example writing `new ArgoRollout(...)` cannot be pasted.
    const submoduleTypes = ['aws', 'k8s', 'guardrails'].map(m => new Set(exportedNames(path.join(ROOT, 'src', m, 'index.ts'))));
    const bare = api.flatMap(s => [...s.source.matchAll(/(?<![.\w])(new\s+)?([A-Z]\w+)(?=[.(])/g)]
      .map(m => m[2]).filter(n => submoduleTypes.some(types => types.has(n)) && !/^(App|Chart|Stack|Duration)$/.test(n))
      .map(n => `${s.where}: ${n}`));
    expect(bare).toEqual([]);
  });
});

test('snippets use no TypeScript that jsii-rosetta cannot translate to the other languages', () => {
  // The kinds rosetta's translators refuse most often; `npx projen docs:rosetta` runs rosetta itself.
  const refused = new Map<ts.SyntaxKind, string>([
    [ts.SyntaxKind.QuestionQuestionToken, '??'],
    [ts.SyntaxKind.QuestionDotToken, '?.'],
    [ts.SyntaxKind.ConditionalExpression, 'a ? b : c'],
    [ts.SyntaxKind.TryStatement, 'try'],
    [ts.SyntaxKind.ArrowFunction, '=>'],
  ]);
  const found = all.flatMap(s => {
    const source = ts.createSourceFile('example.ts', s.source, ts.ScriptTarget.Latest, true);
    const hits: string[] = [];
    const visit = (node: ts.Node): void => {
      if (refused.has(node.kind)) hits.push(`${s.file}:${s.line + source.getLineAndCharacterOfPosition(node.getStart(source)).line}: ${refused.get(node.kind)}`);
      node.forEachChild(visit);
    };
    visit(source);
    return hits;
  });
  expect(found).toEqual([]);
});

describe('snippets that need nothing declared run', () => {
  // Snippets at the top level of their file (not inside a fixture's class) with no value declared
  // but Node.js's console.
  const runnable = all.filter(s => !/^\s*(declare\s+const\s+(?!console\b)|class\s)/m.test(fixtured.get(s)!.text));
  let outdir: string;
  const saved = { cdk: process.env.CDK_OUTDIR, cdk8s: process.env.CDK8S_OUTDIR };
  beforeAll(() => {
    // Apps write their output to a temporary folder, not beside the tests.
    outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'snippets-'));
    process.env.CDK_OUTDIR = path.join(outdir, 'cdk.out');
    process.env.CDK8S_OUTDIR = path.join(outdir, 'dist');
  });
  afterAll(() => {
    restore('CDK_OUTDIR', saved.cdk);
    restore('CDK8S_OUTDIR', saved.cdk8s);
  });

  test('the runnable ones include the getting-started apps and the Kubernetes examples', () => {
    const { cdk, cdk8s } = gettingStarted();
    expect(runnable.map(s => s.where)).toEqual(expect.arrayContaining([cdk.where, cdk8s.where]));
    expect(runnable.filter(s => s.submodule === 'k8s').length).toBeGreaterThanOrEqual(8);
  });

  test.each(runnable.map(s => [name(s), s] as const))('%s runs', (_, snippet) => {
    const printed = run(fixtured.get(snippet)!);
    const expected = printsBlock(snippet);
    if (expected !== undefined) expect(printed).toBe(`${expected}\n`);
  }, 300_000);
});

/** Runs a snippet in its fixture, with the package mapped to src/ as in the other tests; returns what it printed. */
function run(f: Fixtured): string {
  const js = ts.transpileModule(moduleText(f), {
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
  }).outputText;
  let printed = '';
  const log = jest.spyOn(console, 'log').mockImplementation((...args: unknown[]) => { printed += `${args.join(' ')}\n`; });
  try {
    const module = { exports: {} };
    new Function('exports', 'require', 'module', '__filename', '__dirname', js)(module.exports, require, module, __filename, __dirname);
  } finally {
    log.mockRestore();
  }
  return printed;
}

/** The block after a runnable README block when the line between them is "prints": what it must print. */
function printsBlock(snippet: Snippet): string | undefined {
  if (snippet.file !== 'README.md') return undefined;
  const lines = fs.readFileSync(path.join(ROOT, snippet.file), 'utf-8').split('\n');
  const close = lines.findIndex((l, i) => i >= snippet.line - 1 && l.startsWith('```'));
  const between = lines.slice(close + 1).findIndex(l => l.startsWith('```'));
  const words = lines.slice(close + 1, close + 1 + between).join(' ').trim();
  if (words !== 'prints') return undefined;
  const start = close + 1 + between;
  const end = lines.findIndex((l, i) => i > start && l.startsWith('```'));
  return lines.slice(start + 1, end).join('\n');
}

function importedNames(file: string): string[] {
  const source = ts.createSourceFile(file, fs.readFileSync(file, 'utf-8'), ts.ScriptTarget.Latest, true);
  return source.statements.filter(ts.isImportDeclaration).flatMap(i => {
    const clause = i.importClause;
    if (!clause) return [];
    const names = clause.name ? [clause.name.text] : [];
    const bindings = clause.namedBindings;
    if (bindings && ts.isNamespaceImport(bindings)) names.push(bindings.name.text);
    if (bindings && ts.isNamedImports(bindings)) names.push(...bindings.elements.map(e => e.name.text));
    return names;
  });
}

/** The names a submodule's index exports, from the files it re-exports. */
function exportedNames(index: string): string[] {
  const text = fs.readFileSync(index, 'utf-8');
  return [...text.matchAll(/from '(\.[^']+)'/g)].flatMap(m => {
    const target = path.join(path.dirname(index), m[1]);
    if (fs.existsSync(path.join(target, 'index.ts'))) return exportedNames(path.join(target, 'index.ts'));
    const source = fs.readFileSync(`${target}.ts`, 'utf-8');
    return [...source.matchAll(/^export (?:abstract )?(?:class|enum|const|function) (\w+)/gm)].map(e => e[1]);
  });
}

function restore(variable: string, value: string | undefined): void {
  if (value === undefined) delete process.env[variable];
  else process.env[variable] = value;
}
