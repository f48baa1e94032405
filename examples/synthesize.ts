// One synthesis of every example, shared by the main job (`npx projen examples`) and the test suite.
//
//   const run = await synthesizeExamples();          // every example, synthesized once per state of the sources
//   run.examples.find(e => e.folder === 'aws/ecs-canary')!.outdir   // examples/.out/aws/ecs-canary (a cloud assembly)
//
// Where things are (both folders are generated, ignored by git and left out of the package):
//   examples/.build/                 src/ and examples/ transpiled to JavaScript once, so no example pays
//                                    TypeScript start-up; `cdk-deploy-strategies` resolves to .build/src
//   examples/.out/<folder>/          what each example produced:
//     aws/<name>/                    the cloud assembly `cdk synth` wrote (manifest.json, *.template.json)
//     k8s/<name>/                    the manifests `cdk8s synth` wrote (*.k8s.yaml)
//     <name>/stdout.txt              what a core-only example printed
//   examples/.out/key                the inputs the folder was made from (a hash, see `inputsKey`)
//
// The real CLIs run every example, as a user runs them: `cdk synth --app "node <app.js>"` in the
// example's folder (so its cdk.json context applies) and `cdk8s synth --app "node <main.js>"`.
// Several run at once (one per CPU). Output is reused while nothing it depends on changed: the
// sources of src/ and examples/, package-lock.json, the tsconfig, the Node.js version and the
// variables the examples read (AT, STEP, STAGE). A test that reads example output (snapshots,
// template linters) calls synthesizeExamples() and reads the folders; concurrent callers, in other
// jest workers too, wait for one synthesis instead of starting their own.
import { spawn } from 'child_process';
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as ts from 'typescript';

const EXAMPLES = __dirname;
const ROOT = path.join(EXAMPLES, '..');
/** The examples transpiled to JavaScript, with the src/ they import. */
export const BUILD_DIR = path.join(EXAMPLES, '.build');
/** The known folder holding every example's output. */
export const OUT_DIR = path.join(EXAMPLES, '.out');
const KEY_FILE = path.join(OUT_DIR, 'key');
const LOCK_DIR = path.join(EXAMPLES, '.out.lock');

/**
 * The moment examples with an A/B experiment render their allocations at, unless AT is set: a fixed
 * moment keeps their output (and the test snapshots) the same whatever the day, and lets the main
 * job and the tests share one synthesis.
 */
export const DEFAULT_AT = '2026-12-01T00:00:00Z';

/** Environment variables the examples read; their values are part of the key. */
const EXAMPLE_VARIABLES = ['AT', 'STEP', 'STAGE'];

export type ExampleKind = 'core' | 'aws' | 'k8s';

/** One example's output. */
export interface ExampleOutput {
  /** The example's folder, relative to examples/ (`aws/ecs-canary`, `house-strategies`). */
  readonly folder: string;
  readonly kind: ExampleKind;
  /** Its output folder: a cloud assembly (aws), manifests (k8s), or stdout.txt (core). */
  readonly outdir: string;
  /** How long it took, in seconds, when it was synthesized. */
  readonly seconds: number;
}

/** The outcome of a synthesizeExamples() call. */
export interface SynthesizedExamples {
  /** The examples, in the order the main job prints them: core, then aws, then k8s, each by name. */
  readonly examples: ExampleOutput[];
  /** True when the output of an earlier run was still valid and nothing was synthesized. */
  readonly reused: boolean;
  /** The moment experiments were rendered at. */
  readonly at: string;
  /** Wall-clock seconds of this call. */
  readonly seconds: number;
}

/** Progress of a synthesis: `done` of `total` examples finished, the last one being `example`. */
export interface Progress {
  readonly done: number;
  readonly total: number;
  readonly example: ExampleOutput;
}

export interface SynthesizeOptions {
  /** Synthesize even when the output of an earlier run is still valid (the main job does). */
  readonly force?: boolean;
  /** How many examples run at once. Default: one per CPU. */
  readonly concurrency?: number;
  /** Called when synthesis starts (with the number of examples) and as each example finishes. */
  readonly onStart?: (total: number, concurrency: number) => void;
  readonly onProgress?: (progress: Progress) => void;
}

/** Folders (relative to examples/) holding a core-only example. */
export function coreExamples(): string[] {
  return subfolders(EXAMPLES).filter(name => fs.existsSync(path.join(EXAMPLES, name, 'main.ts')));
}

/** Folders (relative to examples/) holding a CDK app. */
export function awsExamples(): string[] {
  return subfolders(path.join(EXAMPLES, 'aws')).map(name => `aws/${name}`)
    .filter(folder => fs.existsSync(path.join(EXAMPLES, folder, 'cdk.json')));
}

/** Folders (relative to examples/) holding a cdk8s app. */
export function k8sExamples(): string[] {
  return subfolders(path.join(EXAMPLES, 'k8s')).map(name => `k8s/${name}`)
    .filter(folder => fs.existsSync(path.join(EXAMPLES, folder, 'cdk8s.yaml')));
}

/** Every example, in the order the main job prints them. */
export function allExamples(): Array<{ folder: string; kind: ExampleKind }> {
  return [
    ...coreExamples().map(folder => ({ folder, kind: 'core' as const })),
    ...awsExamples().map(folder => ({ folder, kind: 'aws' as const })),
    ...k8sExamples().map(folder => ({ folder, kind: 'k8s' as const })),
  ];
}

/**
 * Synthesizes every example into examples/.out/, or reuses what an earlier run left there when the
 * inputs are the same. Resolves once every example's output is in place; rejects naming the
 * example that failed, with what its CLI printed.
 */
export async function synthesizeExamples(options: SynthesizeOptions = {}): Promise<SynthesizedExamples> {
  const started = Date.now();
  const env = exampleEnv();
  const release = await lock();
  try {
    const key = inputsKey(env);
    const examples = allExamples();
    if (!options.force && readKey() === key) {
      return { examples: examples.map(e => outputOf(e.folder, e.kind, NaN)), reused: true, at: env.AT, seconds: (Date.now() - started) / 1000 };
    }
    fs.rmSync(OUT_DIR, { recursive: true, force: true });
    fs.mkdirSync(OUT_DIR, { recursive: true });
    transpile();

    const concurrency = Math.max(1, options.concurrency ?? os.availableParallelism());
    options.onStart?.(examples.length, concurrency);
    // The CDK apps take longest (CloudFormation validation, cdk-nag): start them first.
    const queue = [...examples].sort((a, b) => weight(b.kind) - weight(a.kind));
    const results = new Map<string, ExampleOutput>();
    let done = 0;
    const worker = async () => {
      for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
        const output = await runExample(next.folder, next.kind, env);
        results.set(next.folder, output);
        options.onProgress?.({ done: ++done, total: examples.length, example: output });
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, examples.length) }, worker));
    fs.writeFileSync(KEY_FILE, key);
    return { examples: examples.map(e => results.get(e.folder)!), reused: false, at: env.AT, seconds: (Date.now() - started) / 1000 };
  } finally {
    release();
  }
}

function weight(kind: ExampleKind): number {
  return kind === 'aws' ? 2 : kind === 'k8s' ? 1 : 0;
}

function outputOf(folder: string, kind: ExampleKind, seconds: number): ExampleOutput {
  return { folder, kind, outdir: path.join(OUT_DIR, folder), seconds };
}

/** The environment every example runs with: the caller's, with AT defaulting to DEFAULT_AT. */
function exampleEnv(): NodeJS.ProcessEnv & { AT: string } {
  return { ...process.env, AT: process.env.AT ?? DEFAULT_AT, CDK_DISABLE_CLI_TELEMETRY: 'true' };
}

/** Runs one example with its real CLI, from the transpiled JavaScript. */
async function runExample(folder: string, kind: ExampleKind, env: NodeJS.ProcessEnv): Promise<ExampleOutput> {
  const started = Date.now();
  const output = outputOf(folder, kind, NaN);
  const cwd = path.join(EXAMPLES, folder);
  const entry = path.join(BUILD_DIR, 'examples', folder, kind === 'aws' ? 'app.js' : 'main.js');
  const app = `node ${JSON.stringify(entry)}`;
  fs.mkdirSync(output.outdir, { recursive: true });
  if (kind === 'core') {
    const stdout = await run(folder, process.execPath, [entry], cwd, env);
    fs.writeFileSync(path.join(output.outdir, 'stdout.txt'), stdout);
  } else if (kind === 'aws') {
    await run(folder, process.execPath, [binary('aws-cdk', 'cdk'), 'synth', '--quiet', '--no-notices',
      '--app', app, '--output', output.outdir], cwd, env);
  } else {
    // --no-check-upgrade keeps the CLI off the network.
    await run(folder, process.execPath, [binary('cdk8s-cli', 'cdk8s'), 'synth', '--no-check-upgrade',
      '--app', app, '--output', output.outdir], cwd, env);
  }
  return { ...output, seconds: (Date.now() - started) / 1000 };
}

/** The script of a package's command, run with node rather than through npx (which costs a second each). */
function binary(pkg: string, command: string): string {
  const manifest = require.resolve(`${pkg}/package.json`);
  return path.join(path.dirname(manifest), JSON.parse(fs.readFileSync(manifest, 'utf-8')).bin[command]);
}

function run(folder: string, command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', chunk => { stdout += chunk; });
    child.stderr.on('data', chunk => { stderr += chunk; });
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (code === 0) return resolve(stdout);
      reject(new Error(`examples/${folder} failed (${signal ?? `exit code ${code}`}):\n${stderr || stdout}`));
    });
  });
}

/**
 * Transpiles src/ and examples/ to examples/.build/ without type-checking (the test suite's tsc
 * does that), so no example pays for the TypeScript compiler. `cdk-deploy-strategies` is mapped
 * to the transpiled src/ by a package in examples/.build/node_modules, as examples/tsconfig.json
 * maps it for TypeScript.
 */
export function transpile(): void {
  const options: ts.CompilerOptions = {
    module: ts.ModuleKind.CommonJS,
    target: ts.ScriptTarget.ES2022,
    esModuleInterop: true,
    experimentalDecorators: true,
  };
  fs.rmSync(BUILD_DIR, { recursive: true, force: true });
  for (const file of sourceFiles()) {
    if (!file.endsWith('.ts') || file.endsWith('.d.ts')) continue;
    const js = ts.transpileModule(fs.readFileSync(path.join(ROOT, file), 'utf-8'), { compilerOptions: options, fileName: file }).outputText;
    const target = path.join(BUILD_DIR, file.replace(/\.ts$/, '.js'));
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.writeFileSync(target, js);
  }
  const pkg = path.join(BUILD_DIR, 'node_modules', 'cdk-deploy-strategies');
  fs.mkdirSync(pkg, { recursive: true });
  fs.writeFileSync(path.join(pkg, 'index.js'), "module.exports = require('../../src/index.js');\n");
}

/**
 * What the output depends on, as a hash: every source file of src/ and examples/, the lockfile
 * (the versions of aws-cdk-lib, cdk8s and the CLIs), the compiler settings, the Node.js version and
 * the variables the examples read.
 */
export function inputsKey(env: NodeJS.ProcessEnv = exampleEnv()): string {
  const hash = createHash('sha256');
  hash.update(`node ${process.version}\n`);
  for (const name of EXAMPLE_VARIABLES) hash.update(`${name}=${env[name] ?? ''}\n`);
  for (const file of [...sourceFiles(), 'package-lock.json', 'tsconfig.json']) {
    hash.update(`${file}\n`);
    hash.update(fs.readFileSync(path.join(ROOT, file)));
  }
  return hash.digest('hex');
}

function readKey(): string | undefined {
  try {
    return fs.readFileSync(KEY_FILE, 'utf-8');
  } catch {
    return undefined;
  }
}

/** The files of src/ and examples/ (relative to the repository), without generated output. */
function sourceFiles(): string[] {
  const skip = new Set(['node_modules', 'cdk.out', 'dist']);
  const walk = (dir: string): string[] => fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true })
    .filter(entry => !entry.name.startsWith('.') && !skip.has(entry.name) && entry.name !== 'cdk.context.json')
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .flatMap(entry => (entry.isDirectory() ? walk(path.join(dir, entry.name)) : [path.join(dir, entry.name)]));
  return [...walk('src'), ...walk('examples')];
}

/**
 * Holds examples/.out.lock while synthesizing, so concurrent callers (jest workers, a main job
 * started during a test run) wait and then reuse the output. A lock whose owner has exited is taken over.
 */
async function lock(): Promise<() => void> {
  const owner = path.join(LOCK_DIR, 'pid');
  for (;;) {
    try {
      fs.mkdirSync(LOCK_DIR);
      fs.writeFileSync(owner, String(process.pid));
      return () => fs.rmSync(LOCK_DIR, { recursive: true, force: true });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    const pid = Number(readOrEmpty(owner));
    if (pid > 0 && !alive(pid)) {
      fs.rmSync(LOCK_DIR, { recursive: true, force: true });
      continue;
    }
    await new Promise(resolve => setTimeout(resolve, 250));
  }
}

function readOrEmpty(file: string): string {
  try {
    return fs.readFileSync(file, 'utf-8');
  } catch {
    return '';
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function subfolders(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true })
    .filter(d => d.isDirectory() && !d.name.startsWith('.') && d.name !== 'cdk.out' && d.name !== 'dist')
    .map(d => d.name).sort();
}
