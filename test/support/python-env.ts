// The Python side of the test suite, installed by the project's own files into the work tree, never by hand:
//
//   .venv/tools   cfn-lint and setuptools, from requirements-dev.txt (every package pinned with its hashes)
//   .venv/jsii    the package compiled by jsii once (lib/, .jsii), in a copy of what it is built from, shared by the
//                 wheel below and test/package/packed.test.ts, which packs it (jsiiBuild)
//   .venv/app     a fresh environment holding the wheel built from this checkout (jsii, then jsii-pacmak) and the
//                 aws-cdk-lib, constructs, cdk8s and cdk8s-plus-28 of test/python/requirements.txt (hash-pinned)
//
// Each environment is rebuilt only when what it is built from changes: `.venv/<name>.stamp` holds the fingerprint
// it was built from. Builders take `.venv/<name>.lock` first, so a test that needs an environment waits for a
// build already under way instead of starting a second one: `npx projen test` starts `prepare` in the background
// (`ts-node test/support/python-env.ts`) while tsc and the first test files run, and by the time
// test/python.test.ts or the examples' cfn-lint check asks, the environments are usually there. It also runs the
// Python apps of test/python/ (pythonRuns), so that the test only compares their output.
//
// Nothing is written outside the work tree: pip keeps no cache, and the jsii runtime of the Python apps unpacks
// its packages into .venv/jsii-runtime-cache.
import { execFileSync } from 'child_process';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';

export const ROOT = path.resolve(__dirname, '..', '..');
export const VENV = path.join(ROOT, '.venv');
/** Where the wheel lands (the same folder `npx projen package:python` uses). */
export const WHEEL_DIR = path.join(ROOT, 'dist', 'python');
/** The Python that creates the environments: python3 on the PATH unless PYTHON names another. */
const PYTHON = process.env.PYTHON ?? 'python3';
const TOOLS_REQUIREMENTS = path.join(ROOT, 'requirements-dev.txt');
const APP_REQUIREMENTS = path.join(ROOT, 'test', 'python', 'requirements.txt');
/** How long a caller waits for another process's build before giving up. */
const WAIT_MS = 20 * 60_000;

/** Environment variables for any process that runs a Python app of ours: caches stay in the work tree. */
export function pythonAppEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    ...process.env,
    JSII_RUNTIME_PACKAGE_CACHE_ROOT: path.join(VENV, 'jsii-runtime-cache'),
    JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION: '1',
    PYTHONDONTWRITEBYTECODE: '1',
    ...extra,
  };
}

/** The bin folder of `.venv/tools` (cfn-lint, python), built first if missing or out of date. */
export function toolsBin(): string {
  ensure('tools', fingerprint([TOOLS_REQUIREMENTS]), () => {
    createVenv('tools');
    pipInstall('tools', ['--require-hashes', '-r', TOOLS_REQUIREMENTS]);
  });
  return binOf('tools');
}

/** The python of `.venv/app`, with the wheel of this checkout installed, built first if missing or out of date. */
export function appPython(): string {
  const tools = toolsBin();
  ensure('app', fingerprint([APP_REQUIREMENTS, TOOLS_REQUIREMENTS, ...packageSources()]), () => {
    const wheel = buildWheel(tools);
    createVenv('app');
    pipInstall('app', ['--require-hashes', '-r', APP_REQUIREMENTS]);
    pipInstall('app', [wheel]);
    // The wheel's own requirements (jsii, publication, typeguard, the peers) must hold in the pinned set.
    run(PYTHON, ['-m', 'pip', '--python', pythonOf('app'), 'check']);
  });
  return pythonOf('app');
}

/** The Python apps of the test suite. */
const APPS = path.join(ROOT, 'test', 'python');

/**
 * The folder holding what every Python script of test/python/ did when run with `.venv/app`'s Python, one subfolder
 * per script: `out/` (its CDK_OUTDIR and CDK8S_OUTDIR) and `stdout`. They run again when the wheel, its environment
 * or a script changes; `prepare` runs them in the background, right after building the wheel.
 */
export function pythonRuns(): string {
  const python = appPython();
  const scripts = fs.readdirSync(APPS).filter(f => f.endsWith('.py')).sort().map(f => path.join(APPS, f));
  const runs = path.join(VENV, 'runs');
  ensure('runs', fingerprint([path.join(VENV, 'app.stamp'), ...scripts]), () => {
    fs.rmSync(runs, { recursive: true, force: true });
    for (const script of scripts) {
      const dir = path.join(runs, path.basename(script, '.py'));
      const out = path.join(dir, 'out');
      fs.mkdirSync(out, { recursive: true });
      const stdout = run(python, [script], pythonAppEnv({ CDK_OUTDIR: out, CDK8S_OUTDIR: out }));
      fs.writeFileSync(path.join(dir, 'stdout'), stdout);
    }
  });
  return runs;
}

/** What `npm pack` reads beside lib/ and .jsii: copied into the jsii build, so it packs as the repository would. */
export const PACKAGE_ENTRIES = ['package.json', 'tsconfig.json', '.npmignore', 'README.md', 'API.md', 'LICENSE', 'src', 'docs'];

/**
 * A folder holding the package compiled by jsii (`lib/`, `.jsii`) beside a copy of what it is built from
 * (PACKAGE_ENTRIES) and a link to this repository's node_modules: the one jsii compile of a test run, which the
 * Python wheel (jsii-pacmak reads its .jsii) and the packed-package test (which copies it, makes its index lazy and
 * packs it) share. Built in a copy, so lib/ in the work tree is left alone; rebuilt only when an entry changes.
 * Treat it as read-only.
 */
export function jsiiBuild(): string {
  const dir = path.join(VENV, 'jsii');
  const inputs = PACKAGE_ENTRIES.flatMap(entry => walkFiles(path.join(ROOT, entry)));
  ensure('jsii', fingerprint(inputs, { raw: true }), () => {
    fs.rmSync(dir, { recursive: true, force: true });
    fs.mkdirSync(dir, { recursive: true });
    for (const entry of PACKAGE_ENTRIES) fs.cpSync(path.join(ROOT, entry), path.join(dir, entry), { recursive: true });
    fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
    const env = { ...process.env, JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION: '1' };
    run(path.join(ROOT, 'node_modules', '.bin', 'jsii'), ['--silence-warnings=metadata/missing-dev-dependency'], env, dir);
  });
  return dir;
}

/** Every file under `entry` (a file or a folder). */
function walkFiles(entry: string): string[] {
  if (!fs.statSync(entry).isDirectory()) return [entry];
  return fs.readdirSync(entry, { withFileTypes: true }).flatMap(e => walkFiles(path.join(entry, e.name)));
}

/**
 * Generates the Python package with jsii-pacmak from the package jsii compiled (jsiiBuild) and builds its wheel with the
 * build backend it names (setuptools, pinned in requirements-dev.txt). `npx projen package:python` runs the
 * release variant of the same thing (its own unpinned build tools, an sdist and `twine check` too).
 */
function buildWheel(tools: string): string {
  const bin = path.join(ROOT, 'node_modules', '.bin');
  const env = { ...process.env, JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION: '1' };
  const compiled = jsiiBuild();
  const generated = path.join(VENV, 'build', 'pacmak');
  fs.rmSync(generated, { recursive: true, force: true });
  run(path.join(bin, 'jsii-pacmak'), ['--target', 'python', '--code-only', '--no-npmignore', '--outdir', generated, compiled], env);
  fs.rmSync(WHEEL_DIR, { recursive: true, force: true });
  // The interpreter's pip runs inside .venv/tools, so the build backend is the pinned setuptools there.
  run(PYTHON, ['-m', 'pip', '--python', path.join(tools, 'python'), 'wheel', '--no-deps', '--no-build-isolation',
    '--no-cache-dir', '--disable-pip-version-check', '--quiet', '--wheel-dir', WHEEL_DIR, path.join(generated, 'python')], env);
  const wheels = fs.readdirSync(WHEEL_DIR).filter(f => f.endsWith('.whl'));
  if (wheels.length !== 1) throw new Error(`expected one wheel in ${WHEEL_DIR}, found ${wheels.join(', ') || 'none'}`);
  return path.join(WHEEL_DIR, wheels[0]);
}

/** What the wheel is built from: the sources jsii compiles and the files that configure it. */
function packageSources(): string[] {
  const walk = (dir: string): string[] => fs.readdirSync(dir, { withFileTypes: true }).flatMap(entry =>
    entry.isDirectory() ? walk(path.join(dir, entry.name)) : [path.join(dir, entry.name)]);
  return [...walk(path.join(ROOT, 'src')), path.join(ROOT, 'package.json'), path.join(ROOT, 'tsconfig.json')];
}

function fingerprint(files: string[], options: { raw?: boolean } = {}): string {
  const hash = crypto.createHash('sha256');
  for (const file of [...files].sort()) {
    hash.update(path.relative(ROOT, file)).update('\0').update(options.raw ? fs.readFileSync(file) : contentOf(file)).update('\0');
  }
  return hash.digest('hex');
}

/** A file's content; package.json without the jest configuration and the scripts, which the package does not use. */
function contentOf(file: string): string | Buffer {
  if (file !== path.join(ROOT, 'package.json')) return fs.readFileSync(file);
  const { jest, scripts, ...manifest } = JSON.parse(fs.readFileSync(file, 'utf-8'));
  return JSON.stringify(manifest);
}

/** Builds `.venv/<name>` unless its stamp matches; waits for another process that holds its lock. */
function ensure(name: string, print: string, build: () => void): void {
  const stamp = path.join(VENV, `${name}.stamp`);
  const fresh = () => fs.existsSync(stamp) && fs.readFileSync(stamp, 'utf-8') === print;
  if (fresh()) return;
  const release = lock(name);
  try {
    if (fresh()) return; // built by the process we waited for
    fs.rmSync(stamp, { force: true });
    build();
    fs.writeFileSync(stamp, print);
  } finally {
    release();
  }
}

/** Takes `.venv/<name>.lock` (a folder, created atomically), waiting while a live process holds it. */
function lock(name: string): () => void {
  fs.mkdirSync(VENV, { recursive: true });
  const dir = path.join(VENV, `${name}.lock`);
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    try {
      fs.mkdirSync(dir);
      fs.writeFileSync(path.join(dir, 'pid'), String(process.pid));
      return () => fs.rmSync(dir, { recursive: true, force: true });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    if (!holderAlive(dir)) {
      fs.rmSync(dir, { recursive: true, force: true });
      continue;
    }
    if (Date.now() > deadline) throw new Error(`${dir} is still held after ${WAIT_MS / 60_000} minutes`);
    sleep(500);
  }
}

function holderAlive(dir: string): boolean {
  let pid: number;
  try {
    pid = Number(fs.readFileSync(path.join(dir, 'pid'), 'utf-8'));
  } catch {
    // Just created, pid not written yet: give the holder a moment, unless the folder is old.
    try {
      return Date.now() - fs.statSync(dir).mtimeMs < 10_000;
    } catch {
      return false;
    }
  }
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function sleep(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

function binOf(name: string): string {
  return path.join(VENV, name, 'bin');
}

function pythonOf(name: string): string {
  return path.join(binOf(name), 'python');
}

/** A new, empty environment without pip: the interpreter's own pip installs into it (`pip --python`). */
function createVenv(name: string): void {
  fs.rmSync(path.join(VENV, name), { recursive: true, force: true });
  run(PYTHON, ['-m', 'venv', '--without-pip', path.join(VENV, name)]);
}

/**
 * Installs into `.venv/<name>`: no dependency resolution (the lock files list every package), no byte-compiling
 * (Python compiles what it imports), no cache outside the work tree.
 */
function pipInstall(name: string, args: string[]): void {
  run(PYTHON, ['-m', 'pip', '--python', pythonOf(name), 'install', '--no-deps', '--no-compile', '--no-cache-dir',
    '--disable-pip-version-check', '--no-input', '--quiet', ...args]);
}

/** Set by the command line: print how long each step takes. */
let verbose = false;

function run(command: string, args: string[], env: NodeJS.ProcessEnv = process.env, cwd = ROOT): string {
  const started = Date.now();
  try {
    const stdout = execFileSync(command, args, { cwd, env, encoding: 'utf-8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 * 1024 * 1024 });
    if (verbose) console.log(`python-env: ${((Date.now() - started) / 1000).toFixed(1)} s  ${path.basename(command)} ${args.slice(0, 4).join(' ')}`);
    return stdout;
  } catch (e) {
    const err = e as { stdout?: string; stderr?: string; message: string };
    throw new Error(`${[command, ...args].join(' ')} failed: ${err.message}\n${err.stdout ?? ''}\n${err.stderr ?? ''}`);
  }
}

// `ts-node test/support/python-env.ts`: builds both environments and runs the Python apps (the test task runs it
// in the background).
if (require.main === module) {
  verbose = true;
  const started = Date.now();
  const tools = toolsBin();
  console.log(`python-env: .venv/tools ready (${tools}) after ${((Date.now() - started) / 1000).toFixed(1)} s`);
  const python = appPython();
  console.log(`python-env: .venv/app ready (${python}) after ${((Date.now() - started) / 1000).toFixed(1)} s`);
  const runs = pythonRuns();
  console.log(`python-env: the Python apps ran (${runs}) after ${((Date.now() - started) / 1000).toFixed(1)} s`);
}
