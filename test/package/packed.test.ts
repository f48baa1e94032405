import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Yaml } from 'cdk8s';
import { writeOfflineApp } from './offline-install';
import { unexpectedFiles } from './package-files';
import { rewriteLibIndex } from '../../projenrc/lazy-index';
import { validateManifest } from '../support/k8s';
import { jsiiBuild } from '../support/python-env';
import { gettingStarted } from '../support/snippets';

/**
 * The package as users get it: built as the compile task builds it, packed by npm, installed
 * offline from the npm cache (filled by `npm ci`) into two fresh apps outside this repository, one
 * AWS-only (no cdk8s anywhere) and one cdk8s, where test/package/aws-app.ts and k8s-app.ts, and
 * the README's two getting-started apps as a user pastes them, compile against the shipped typings
 * and synthesize.
 */
const ROOT = path.join(__dirname, '..', '..');
const LOCK = path.join(ROOT, 'package-lock.json');
// Outside the repository, so nothing resolves from its node_modules.
const WORK = fs.mkdtempSync(path.join(os.tmpdir(), 'cds-packed-'));
const AWS_APP = path.join(WORK, 'aws-app');
const K8S_APP = path.join(WORK, 'k8s-app');
const PACKAGE = 'cdk-deploy-strategies';

// npm_* variables from `npx projen test` describe this repository's npm run, not the ones here.
const ENV = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.toLowerCase().startsWith('npm_')));

interface Ran { readonly status: number | null; readonly stdout: string; readonly stderr: string }

function run(command: string, args: string[], cwd: string, env: Record<string, string> = {}): Ran {
  const { status, stdout, stderr } = spawnSync(command, args, { cwd, env: { ...ENV, ...env }, encoding: 'utf8' });
  return { status, stdout, stderr };
}

function ok(command: string, args: string[], cwd: string, env: Record<string, string> = {}): string {
  const result = run(command, args, cwd, env);
  if (result.status !== 0) {
    throw new Error(`${command} ${args.join(' ')} (in ${cwd}) exited ${result.status}:\n${result.stdout}\n${result.stderr}`);
  }
  return result.stdout;
}

const node = (cwd: string, ...args: string[]) => run(process.execPath, args, cwd);
const timings: string[] = [];
function timed<T>(what: string, fn: () => T): T {
  const start = Date.now();
  const value = fn();
  timings.push(`${what} ${((Date.now() - start) / 1000).toFixed(1)}s`);
  return value;
}

/** jsii's output before the compile task's rewrite: every index loads all its files. */
let compiled: string;

/**
 * The compile task (`npx projen compile`): jsii, then projenrc/lazy-index.ts. jsii's output is the test
 * run's one jsii compile (jsiiBuild, shared with the Python wheel, built in a copy so lib/ here is left
 * alone); it is copied here, made lazy and packed.
 */
function buildAndPack(): string {
  const compile = JSON.parse(fs.readFileSync(path.join(ROOT, '.projen', 'tasks.json'), 'utf8')).tasks.compile.steps.map((s: any) => s.exec);
  expect(compile).toEqual([
    'jsii --silence-warnings=metadata/missing-dev-dependency',
    'ts-node --transpile-only --project projenrc/tsconfig.json projenrc/lazy-index.ts',
  ]);
  // jsiiBuild runs exactly this jsii command line.
  expect(compile[0]).toBe('jsii --silence-warnings=metadata/missing-dev-dependency');
  compiled = timed('jsii (or waiting for python:prepare\'s)', () => jsiiBuild());
  const build = path.join(WORK, 'build');
  fs.cpSync(compiled, build, { recursive: true, filter: source => source !== path.join(compiled, 'node_modules') });
  fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(build, 'node_modules'), 'dir');
  rewriteLibIndex(build);
  const packed = JSON.parse(timed('npm pack', () => ok('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', WORK], build)));
  return path.join(WORK, packed[0].filename);
}

/**
 * Two apps from one offline `npm ci` of aws-cdk-lib (extracting it is most of an install): each gets
 * a hard-linked copy of that node_modules (npm replaces files, never writes into them) without npm's
 * record of it, its own package.json and lockfile, then its own `npm install --offline` of the tarball.
 */
function installApps(tarball: string): void {
  const base = path.join(WORK, 'base');
  writeOfflineApp(base, LOCK, ['aws-cdk-lib', 'constructs']);
  const npmArgs = ['--offline', '--no-audit', '--no-fund', '--ignore-scripts'];
  timed('npm ci (aws-cdk-lib, constructs)', () => ok('npm', ['ci', ...npmArgs], base));
  const apps: Array<[string, string, string[]]> = [
    [AWS_APP, 'AWS app', ['aws-cdk-lib', 'constructs']],
    [K8S_APP, 'cdk8s app', ['aws-cdk-lib', 'constructs', 'cdk8s', 'cdk8s-plus-28']],
  ];
  for (const [app, name, dependencies] of apps) {
    fs.mkdirSync(app);
    ok('cp', ['-al', path.join(base, 'node_modules'), app], WORK);
    fs.rmSync(path.join(app, 'node_modules', '.package-lock.json'));
    writeOfflineApp(app, LOCK, dependencies);
    timed(`npm install (${name})`, () => ok('npm', ['install', ...npmArgs, tarball], app));
  }
}

/** The compiler options of a `cdk init app --language=typescript` project (aws-cdk 2.1148) that bear on typing. */
const CDK_INIT_COMPILER_OPTIONS = {
  target: 'ES2022',
  module: 'NodeNext',
  moduleResolution: 'NodeNext',
  lib: ['es2022'],
  strict: true,
  noImplicitReturns: true,
  experimentalDecorators: true,
  skipLibCheck: true,
};

/**
 * Type-checks both apps against the installed package's typings in one tsc run (most of its time is
 * reading aws-cdk-lib's typings, which both apps share), with `cdk init`'s compiler options, in the
 * cdk8s app, which has every package either app imports; each app then runs its own compiled file.
 * (An AWS-only install type-checks the same: with skipLibCheck, as `cdk init` sets it, the k8s
 * typings' references to cdk8s go unchecked.)
 */
function compileApps(): void {
  fs.mkdirSync(path.join(K8S_APP, 'src'));
  for (const source of ['aws-app.ts', 'k8s-app.ts']) fs.copyFileSync(path.join(__dirname, source), path.join(K8S_APP, 'src', source));
  // The README's getting-started apps, exactly as a user pastes them.
  const readme = gettingStarted();
  fs.writeFileSync(path.join(K8S_APP, 'src', 'readme-cdk.ts'), readme.cdk.source);
  fs.writeFileSync(path.join(K8S_APP, 'src', 'readme-cdk8s.ts'), readme.cdk8s.source);
  fs.writeFileSync(path.join(K8S_APP, 'tsconfig.json'), JSON.stringify({
    compilerOptions: {
      ...CDK_INIT_COMPILER_OPTIONS,
      types: [],
      rootDir: 'src',
      outDir: 'out',
    },
    include: ['src/*.ts'],
  }));
  timed('tsc (both apps)', () => ok(process.execPath, [path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', '.'], K8S_APP));
  fs.copyFileSync(path.join(K8S_APP, 'out', 'aws-app.js'), path.join(AWS_APP, 'main.js'));
  fs.copyFileSync(path.join(K8S_APP, 'out', 'k8s-app.js'), path.join(K8S_APP, 'main.js'));
  fs.copyFileSync(path.join(K8S_APP, 'out', 'readme-cdk.js'), path.join(AWS_APP, 'readme.js'));
  fs.copyFileSync(path.join(K8S_APP, 'out', 'readme-cdk8s.js'), path.join(K8S_APP, 'readme.js'));
}

/** Runs the compiled app, recording every module it loaded. */
function synth(app: string, env: Record<string, string>, main = 'main.js'): string[] {
  const probe = path.join(WORK, 'loaded-modules.js');
  fs.writeFileSync(probe, 'process.on("exit", () => require("fs").writeFileSync(process.env.LOADED_MODULES, JSON.stringify(Object.keys(require.cache))));');
  const out = path.join(app, `${main}.loaded.json`);
  timed(`synth ${path.basename(app)} ${main}`, () => ok(process.execPath, ['-r', probe, main], app, { ...env, LOADED_MODULES: out }));
  return JSON.parse(fs.readFileSync(out, 'utf8'));
}

const installed = (app: string, id: string) => {
  try {
    return require.resolve(id, { paths: [app] });
  } catch {
    return undefined;
  }
};

let tarball: string;
beforeAll(() => {
  tarball = buildAndPack();
  installApps(tarball);
  compileApps();
}, 900_000);

afterAll(() => {
  // How long each stage took, for the CI time budget (README: the package tests).
  console.log(`packed package: ${timings.join(', ')}`);
  fs.rmSync(WORK, { recursive: true, force: true });
});

describe('the tarball', () => {
  test('holds the library, its sources and docs, nothing generated', () => {
    const files = ok('tar', ['tzf', tarball], WORK).trim().split('\n').map(f => f.replace(/^package\//, ''));
    expect(unexpectedFiles(files)).toEqual([]);
    expect(files).toEqual(expect.arrayContaining(['lib/index.js', 'lib/index.d.ts', 'src/index.ts', '.jsii', 'node_modules/semver/package.json']));
  });

  test('declares cdk8s and cdk8s-plus-28 as optional peers, aws-cdk-lib and constructs as required ones', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(AWS_APP, 'node_modules', PACKAGE, 'package.json'), 'utf8'));
    expect(Object.keys(pkg.peerDependencies).sort()).toEqual(['aws-cdk-lib', 'cdk8s', 'cdk8s-plus-28', 'constructs']);
    expect(pkg.peerDependenciesMeta).toEqual({ 'cdk8s': { optional: true }, 'cdk8s-plus-28': { optional: true } });
  });
});

describe('loading on first use', () => {
  /** Every export of the package and its namespaces, each touched (which loads it), as `name:typeof`. */
  const EXPORTS = 'const p = require(process.argv[1]); const out = {};'
    + 'for (const ns of ["", "aws", "k8s", "guardrails"]) { const m = ns ? p[ns] : p; out[ns || "root"] = Object.keys(m).sort().map(k => `${k}:${typeof m[k]}`); }'
    + 'console.log(JSON.stringify(out));';

  test('exports what jsii\'s eager output exports, each name loading without error', () => {
    const lazy = node(K8S_APP, '-e', EXPORTS, PACKAGE);
    const eager = node(compiled, '-e', EXPORTS, path.join(compiled, 'lib', 'index.js'));
    expect(lazy).toMatchObject({ status: 0, stderr: '' });
    expect(eager).toMatchObject({ status: 0, stderr: '' });
    expect(JSON.parse(lazy.stdout)).toEqual(JSON.parse(eager.stdout));
    expect(JSON.parse(lazy.stdout).k8s).toContain('PlainCanary:function');
    expect(fs.readFileSync(path.join(K8S_APP, 'node_modules', PACKAGE, 'lib', 'k8s', 'index.js'), 'utf8')).toContain('lazyExports(');
  });
});

describe('an AWS-only app', () => {
  test('has no cdk8s installed', () => {
    expect(installed(AWS_APP, PACKAGE)).toBeDefined();
    expect(installed(AWS_APP, 'aws-cdk-lib')).toBeDefined();
    expect(installed(AWS_APP, 'cdk8s')).toBeUndefined();
    expect(installed(AWS_APP, 'cdk8s-plus-28')).toBeUndefined();
  });

  test(`loads the package: node -e "require('${PACKAGE}')"`, () => {
    expect(node(AWS_APP, '-e', `require('${PACKAGE}')`)).toMatchObject({ status: 0, stderr: '' });
  });

  test('synthesizes aws-app.ts, never loading cdk8s or the Kubernetes half', () => {
    const loaded = synth(AWS_APP, { CDK_OUTDIR: path.join(AWS_APP, 'cdk.out') });
    expect(loaded.filter(m => /node_modules\/cdk8s|\/lib\/k8s\//.test(m))).toEqual([]);
    expect(loaded.some(m => m.includes(`${PACKAGE}/lib/aws/lambda-rollout.js`))).toBe(true);
    // Only the files of the constructs it uses, and the aws-cdk-lib modules they need (shared helpers name a few
    // more modules, whose indexes load but nothing of them).
    expect(loaded.filter(m => /\/lib\/aws\/(ecs-|cloudfront-|weighted-dns-|alb-|api-gateway-)|node_modules\/aws-cdk-lib\/aws-(cloudfront|route53|stepfunctions|apigateway|ecs)\/lib\//.test(m))).toEqual([]);
    // The bundled semver loads only for releases.
    expect(loaded.filter(m => m.includes(`${PACKAGE}/node_modules/semver/`))).toEqual([]);

    const template = JSON.parse(fs.readFileSync(path.join(AWS_APP, 'cdk.out', 'Checkout.template.json'), 'utf8'));
    const types = Object.values<any>(template.Resources).map(r => r.Type);
    expect(types).toEqual(expect.arrayContaining(['AWS::Lambda::Function', 'AWS::Lambda::Alias', 'AWS::CodeDeploy::DeploymentGroup', 'AWS::CloudWatch::Alarm']));
    const group = Object.values<any>(template.Resources).find(r => r.Type === 'AWS::CodeDeploy::DeploymentGroup');
    expect(group.Properties.DeploymentConfigName).toBe('CodeDeployDefault.LambdaCanary10Percent5Minutes');

    // The plan command, from the package's bin, reads the cloud assembly without cdk8s.
    const plan = ok(path.join(AWS_APP, 'node_modules', '.bin', PACKAGE), ['plan', 'cdk.out'], AWS_APP);
    expect(plan).toContain('Checkout/Rollout');
    expect(plan).toContain('10%');
  });

  test("synthesizes the README's getting-started CDK app as pasted", () => {
    const outdir = path.join(AWS_APP, 'readme.out');
    const loaded = synth(AWS_APP, { CDK_OUTDIR: outdir }, 'readme.js');
    expect(loaded.filter(m => /node_modules\/cdk8s|\/lib\/k8s\//.test(m))).toEqual([]);
    const template = JSON.parse(fs.readFileSync(path.join(outdir, 'Shop.template.json'), 'utf8'));
    const group = Object.values<any>(template.Resources).find(r => r.Type === 'AWS::CodeDeploy::DeploymentGroup');
    expect(group.Properties.DeploymentConfigName).toBe('CodeDeployDefault.LambdaCanary10Percent5Minutes');
  });

  test('touching k8s without cdk8s names the packages to install', () => {
    const { status, stderr } = node(AWS_APP, '-e', `require('${PACKAGE}').k8s`);
    expect(status).toBe(1);
    expect(stderr).toContain('k8s is used without cdk8s and cdk8s-plus-28 installed: the k8s constructs render to cdk8s and cdk8s-plus-28, '
      + 'optional peer dependencies of cdk-deploy-strategies that apps not using k8s do not need. Install them in your app: npm install cdk8s cdk8s-plus-28.');
  });

  test('an ES module imports it by name too (Node reads the names; k8s is left undefined without cdk8s)', () => {
    const { status, stdout, stderr } = node(AWS_APP, '--input-type=module', '-e',
      `import { aws, k8s, Strategy } from '${PACKAGE}'; console.log(typeof aws.LambdaRollout, typeof k8s, typeof Strategy.canary);`);
    expect({ status, stderr }).toEqual({ status: 0, stderr: '' });
    expect(stdout.trim()).toBe('function undefined function');
  });

  test("the library's errors point at files the package ships, with or without source maps", () => {
    const script = `try { require('${PACKAGE}').Strategy.canary({ steps: [{ weight: 150 }] }); } catch (e) { console.log(e.stack); }`;
    for (const flags of [[], ['--enable-source-maps']]) {
      const { stdout } = node(AWS_APP, ...flags, '-e', script);
      expect(stdout).toContain('Strategy.canary: steps[0].weight is 150');
      const frames = [...stdout.matchAll(/\(([^()]+):\d+:\d+\)/g)].map(m => m[1]).filter(f => f.includes(`node_modules/${PACKAGE}/`));
      expect(frames.length).toBeGreaterThan(1);
      expect(frames.filter(f => !fs.existsSync(f))).toEqual([]);
      expect(frames[0]).toMatch(flags.length ? /\/src\/core\/private\/validation\.ts$/ : /\/lib\/core\/private\/validation\.js$/);
    }
  });
});

describe('a cdk8s app', () => {
  test('synthesizes k8s-app.ts, never loading aws-cdk-lib service modules or the AWS half', () => {
    const loaded = synth(K8S_APP, {});
    expect(loaded.filter(m => /node_modules\/aws-cdk-lib\/aws-|\/lib\/aws\//.test(m))).toEqual([]);
    expect(loaded.some(m => m.includes(`${PACKAGE}/lib/k8s/gateway-rollout.js`))).toBe(true);
    // Only the files GatewayRollout needs; aws-cdk-lib's core, not its root index (the app imports 'aws-cdk-lib/core').
    expect(loaded.filter(m => /\/lib\/k8s\/(argo-|flagger-|plain-)|node_modules\/aws-cdk-lib\/index\.js$/.test(m))).toEqual([]);

    const objects = Yaml.load(path.join(K8S_APP, 'dist', 'checkout.k8s.yaml'));
    objects.forEach(validateManifest);
    const route = objects.find(o => o.kind === 'HTTPRoute');
    expect(route.metadata.namespace).toBe('shop');
    expect(route.spec.rules[0].backendRefs.map((b: any) => b.weight)).toEqual([900, 100]); // 90% : 10%, in tenths of a percent

    const plan = ok(path.join(K8S_APP, 'node_modules', '.bin', PACKAGE), ['plan', 'dist'], K8S_APP);
    expect(plan).toContain('HTTPRoute');
    expect(plan).toContain('10%');
  });

  test("synthesizes the README's getting-started cdk8s app as pasted", () => {
    const outdir = path.join(K8S_APP, 'readme-dist');
    const loaded = synth(K8S_APP, { CDK8S_OUTDIR: outdir }, 'readme.js');
    expect(loaded.filter(m => /node_modules\/aws-cdk-lib\/aws-|\/lib\/aws\//.test(m))).toEqual([]);
    const objects = Yaml.load(path.join(outdir, 'shop.k8s.yaml'));
    objects.forEach(validateManifest);
    expect(objects.map(o => o.kind)).toContain('Rollout');
  });
});
