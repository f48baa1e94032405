import * as fs from 'fs';
import * as path from 'path';
import * as ts from 'typescript';

/**
 * Code snippets of the documentation, and the fixtures that give fragments their context, read the
 * way jsii-rosetta reads them (`jsii-rosetta extract --strict` applies the same fixtures):
 *
 * - a Markdown block is a fence whose info string starts with `ts` or `typescript`; the words after
 *   it are parameters: ```` ```ts fixture=readme-stack ```` names `rosetta/readme-stack.ts-fixture`,
 *   ```` ```ts nofixture ```` uses none;
 * - an API example is the text of an `@example` tag in a doc comment of src/; `@exampleMetadata
 *   fixture=<name>` names its fixture;
 * - without a fixture parameter, `default.ts-fixture` applies, looked up first in the folder of the
 *   snippet's submodule (`rosetta/aws/` for src/aws/), then in `rosetta/`;
 * - the snippet replaces the fixture's `/// here` line, except its imports and `declare`
 *   statements, which go first in the file.
 */

export const ROOT = path.join(__dirname, '..', '..');
const FIXTURES = path.join(ROOT, 'rosetta');

export interface Snippet {
  /** Where the snippet is, for messages: `README.md:123`, `src/aws/lambda-rollout.ts:109`. */
  readonly where: string;
  /** The file, relative to the repository. */
  readonly file: string;
  /** The line (1-based) of the snippet's first line of code in that file. */
  readonly line: number;
  readonly source: string;
  /** `fixture=<name>`, `nofixture` and any other words of the info string or `@exampleMetadata`. */
  readonly params: Record<string, string>;
  /** The jsii submodule whose fixtures are looked up first (`aws`, `k8s`, `guardrails`), for API examples. */
  readonly submodule?: string;
}

/** A snippet in its fixture: the text to compile, and where each of its lines comes from. */
export interface Fixtured {
  readonly snippet: Snippet;
  readonly text: string;
  /** The fixture file used, relative to the repository, if any. */
  readonly fixture?: string;
  /** For each line of `text`: the 0-based line of the snippet it shows, or of the fixture (negative: -1 - line). */
  readonly origins: number[];
}

/** Every TypeScript block of a Markdown file. */
export function markdownSnippets(file: string): Snippet[] {
  const relative = path.relative(ROOT, file);
  const lines = fs.readFileSync(file, 'utf-8').split('\n');
  const snippets: Snippet[] = [];
  for (let i = 0; i < lines.length; i++) {
    const fence = /^(\s*)(`{3,}|~{3,})\s*(.*)$/.exec(lines[i]);
    if (!fence) continue;
    const [, indent, marker, info] = fence;
    const end = lines.findIndex((l, j) => j > i && l.trimStart().startsWith(marker) && l.trim() === l.trim().replace(/[^`~]/g, '') && l.trim().length >= marker.length);
    const close = end < 0 ? lines.length : end;
    const [language, ...words] = info.trim().split(/\s+/);
    if (language === 'ts' || language === 'typescript') {
      const body = lines.slice(i + 1, close).map(l => (l.startsWith(indent) ? l.slice(indent.length) : l));
      snippets.push({ where: `${relative}:${i + 2}`, file: relative, line: i + 2, source: body.join('\n'), params: keyValues(words) });
    }
    i = close;
  }
  return snippets;
}

/**
 * The README's getting-started apps, as a user pastes them: the whole-file blocks of "Getting started"
 * that synthesize an app, one importing aws-cdk-lib's App (a CDK app), one cdk8s's (a cdk8s app).
 */
export function gettingStarted(readme = path.join(ROOT, 'README.md')): { cdk: Snippet; cdk8s: Snippet } {
  const text = fs.readFileSync(readme, 'utf-8').split('\n');
  const start = text.findIndex(l => l === '## Getting started');
  const end = text.findIndex((l, i) => i > start && l.startsWith('## '));
  const apps = markdownSnippets(readme).filter(s => s.line > start && s.line < end && s.params.fixture === undefined && s.source.includes('app.synth()'));
  const cdk = apps.filter(s => /import \{[^}]*\bApp\b[^}]*\} from 'aws-cdk-lib'/.test(s.source));
  const cdk8s = apps.filter(s => /import \{[^}]*\bApp\b[^}]*\} from 'cdk8s'/.test(s.source));
  if (cdk.length !== 1 || cdk8s.length !== 1) throw new Error(`${readme}: expected one CDK and one cdk8s app under "## Getting started", found ${cdk.length} and ${cdk8s.length}`);
  return { cdk: cdk[0], cdk8s: cdk8s[0] };
}

/** Every `@example` in the doc comments of the public API's source files (src/, without private/ and cli/). */
export function apiSnippets(srcDir = path.join(ROOT, 'src')): Snippet[] {
  return sourceFiles(srcDir).flatMap(file => {
    const relative = path.relative(ROOT, file);
    const layer = path.relative(srcDir, file).split(path.sep)[0];
    const submodule = ['aws', 'k8s', 'guardrails'].includes(layer) ? layer : undefined;
    const text = fs.readFileSync(file, 'utf-8');
    const snippets: Snippet[] = [];
    for (const comment of text.matchAll(/\/\*\*[\s\S]*?\*\//g)) {
      const startLine = text.slice(0, comment.index).split('\n').length;
      // The comment's lines without their leading ` * `, each with its line number in the file.
      const lines = comment[0].split('\n').map((l, k) => ({
        text: l.replace(/^\s*\/\*\*\s?/, '').replace(/\s*\*\/\s*$/, '').replace(/^\s*\* ?/, ''),
        line: startLine + k,
      }));
      const metadata = lines.find(l => l.text.startsWith('@exampleMetadata'))?.text.slice('@exampleMetadata'.length).trim().split(/\s+/) ?? [];
      lines.forEach((l, k) => {
        if (!l.text.startsWith('@example') || l.text.startsWith('@exampleMetadata')) return;
        const first = l.text.slice('@example'.length).trim();
        const rest = lines.slice(k + 1);
        const stop = rest.findIndex(r => r.text.startsWith('@'));
        const body = (stop < 0 ? rest : rest.slice(0, stop)).map(r => r.text);
        const code = first === '' ? body : [first, ...body];
        while (code.length > 0 && code[code.length - 1].trim() === '') code.pop();
        const line = first === '' ? l.line + 1 : l.line;
        snippets.push({ where: `${relative}:${line}`, file: relative, line, source: code.join('\n'), params: keyValues(metadata.filter(w => w !== '')), submodule });
      });
    }
    return snippets;
  });
}

/**
 * Places a snippet in its fixture, as jsii-rosetta does: its imports and `declare` statements first,
 * then the fixture with the rest of the snippet in place of `/// here`. Line for line: hoisted lines
 * are left blank where they were, so every line of the result maps back to the file.
 */
export function withFixture(snippet: Snippet): Fixtured {
  const fixture = fixtureFile(snippet);
  const lines = snippet.source.split('\n');
  if (fixture === undefined) return { snippet, text: snippet.source, origins: lines.map((_, i) => i) };
  const hoisted = hoistedLines(snippet.source);
  const fixtureLines = fs.readFileSync(path.join(ROOT, fixture), 'utf-8').split('\n');
  const here = fixtureLines.findIndex(l => /^[ \t]*\/\/\/[ \t]*here[ \t]*$/i.test(l));
  if (here < 0) throw new Error(`${fixture} has no '/// here' line`);
  const out: Array<[string, number]> = [
    ...lines.flatMap((l, i): Array<[string, number]> => (hoisted.has(i) ? [[l, i]] : [])),
    ...fixtureLines.slice(0, here).map((l, i): [string, number] => [l, -1 - i]),
    ...lines.map((l, i): [string, number] => [hoisted.has(i) ? '' : l, i]),
    ...fixtureLines.slice(here + 1).map((l, i): [string, number] => [l, -1 - (here + 1 + i)]),
  ];
  return { snippet, text: out.map(([l]) => l).join('\n'), fixture, origins: out.map(([, o]) => o) };
}

/** The fixture a snippet names or the default one, relative to the repository; none for `nofixture`. */
export function fixtureFile(snippet: Snippet): string | undefined {
  if (snippet.params.nofixture !== undefined) return undefined;
  const name = snippet.params.fixture ?? 'default';
  const candidates = [...(snippet.submodule ? [path.join(snippet.submodule, `${name}.ts-fixture`)] : []), `${name}.ts-fixture`];
  const found = candidates.map(c => path.join(FIXTURES, c)).find(c => fs.existsSync(c));
  if (found === undefined && snippet.params.fixture !== undefined) {
    throw new Error(`${snippet.where} names fixture=${name}, but there is no ${candidates.map(c => path.join('rosetta', c)).join(' or ')}`);
  }
  return found && path.relative(ROOT, found);
}

/** A problem found in a snippet, with the line of the file it is on. */
export interface SnippetProblem {
  readonly snippet: Snippet;
  readonly message: string;
}

/**
 * Type-checks every snippet in its fixture, in one TypeScript program with the test suite's
 * compiler options (the package name mapped to src/) but no ambient types, and returns what is wrong with each, as
 * `README.md:130: Cannot find name 'Duration'.` Unused names are allowed: a snippet shows a call
 * whose result the reader would use.
 */
export function typeCheck(fixtured: Fixtured[]): SnippetProblem[] {
  const config = ts.getParsedCommandLineOfConfigFile(path.join(ROOT, 'test', 'tsconfig.json'), {}, {
    ...ts.sys, onUnRecoverableConfigFileDiagnostic: d => { throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n')); },
  })!;
  // As jsii-rosetta compiles them: strict, without Node.js's or jest's types (fixtures declare `console`).
  const options: ts.CompilerOptions = { ...config.options, noEmit: true, noUnusedLocals: false, noUnusedParameters: false, types: [] };
  // Virtual files beside the tests, so module resolution finds node_modules and the package mapping.
  const files = new Map(fixtured.map((f, i) => [path.join(ROOT, 'test', '__snippets__', `snippet${i}.ts`), f]));
  const host = ts.createCompilerHost(options);
  const readFile = host.readFile.bind(host);
  const fileExists = host.fileExists.bind(host);
  const getSourceFile = host.getSourceFile.bind(host);
  host.readFile = name => (files.has(name) ? moduleText(files.get(name)!) : readFile(name));
  host.fileExists = name => files.has(name) || fileExists(name);
  host.getSourceFile = (name, version, onError, create) => (files.has(name)
    ? ts.createSourceFile(name, moduleText(files.get(name)!), version)
    : getSourceFile(name, version, onError, create));
  const program = ts.createProgram([...files.keys()], options, host);
  const problems: SnippetProblem[] = [];
  for (const [name, f] of files) {
    const source = program.getSourceFile(name)!;
    for (const d of [...program.getSyntacticDiagnostics(source), ...program.getSemanticDiagnostics(source)]) {
      const line = d.start === undefined ? 0 : source.getLineAndCharacterOfPosition(d.start).line;
      problems.push({ snippet: f.snippet, message: `${locate(f, line)}: ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}` });
    }
  }
  return problems;
}

/** The text compiled for a snippet: a module of its own, so snippets never see each other's names. */
export function moduleText(f: Fixtured): string {
  return `${f.text}\nexport {};\n`;
}

/** `README.md:131`, or `rosetta/readme-stack.ts-fixture:4 (fixture of README.md:128)` for a line of the fixture. */
function locate(f: Fixtured, line: number): string {
  const origin = f.origins[Math.min(line, f.origins.length - 1)] ?? 0;
  return origin >= 0 ? `${f.snippet.file}:${f.snippet.line + origin}` : `${f.fixture}:${-origin} (fixture of ${f.snippet.where})`;
}

/** The 0-based lines of a snippet holding the imports and `declare` statements rosetta moves to the top. */
function hoistedLines(source: string): Set<number> {
  const file = ts.createSourceFile('snippet.ts', source, ts.ScriptTarget.Latest, true);
  const lines = new Set<number>();
  for (const statement of file.statements.filter(isHoisted)) {
    const from = file.getLineAndCharacterOfPosition(statement.getStart(file)).line;
    const to = file.getLineAndCharacterOfPosition(statement.getEnd()).line;
    for (let l = from; l <= to; l++) lines.add(l);
  }
  return lines;
}

function isHoisted(statement: ts.Statement): boolean {
  return ts.isImportDeclaration(statement) || ts.isImportEqualsDeclaration(statement)
    || (ts.isVariableStatement(statement) && (statement.modifiers ?? []).some(m => m.kind === ts.SyntaxKind.DeclareKeyword));
}

function keyValues(words: string[]): Record<string, string> {
  return Object.fromEntries(words.map(w => {
    const [key, ...value] = w.split('=');
    return [key, value.join('=')];
  }));
}

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name)).flatMap(entry => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'private' || (dir.endsWith('src') && entry.name === 'cli') ? [] : sourceFiles(full);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') ? [full] : [];
  });
}
