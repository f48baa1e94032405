import { awscdk, javascript, TaskShell } from 'projen';

// The oldest aws-cdk-lib users may pair us with: the first release with ECS native canary/linear deployments.
const minimumCdkVersion = '2.236.0';
// What we develop and test against: new enough to carry the built-in CloudFormation validation.
const developmentCdkVersion = '2.276.0';

const project = new awscdk.AwsCdkConstructLibrary({
  name: 'cdk-deploy-strategies',
  description:
    'Typed release strategies (multi-service, blue-green, canary, A/B test) rendered to AWS CDK and cdk8s.',
  author: 'cdk-deploy-strategies authors',
  authorAddress: 'maintainers@cdk-deploy-strategies.dev',
  repositoryUrl: 'https://github.com/cdk-deploy-strategies/cdk-deploy-strategies.git',
  keywords: ['cdk', 'cdk8s', 'blue-green', 'canary', 'a/b testing', 'codedeploy', 'argo-rollouts', 'gateway-api'],
  defaultReleaseBranch: 'main',
  packageManager: javascript.NodePackageManager.NPM,
  projenrcTs: true,
  jsiiVersion: '~6.0.0',
  typescriptVersion: '~5.9.0',
  minNodeVersion: '20.0.0',

  cdkVersion: minimumCdkVersion,
  constructsVersion: '10.5.1',
  // The dev dependency is set explicitly below, to a newer release than the peer minimum.
  peerDependencyOptions: { pinnedDevDependency: false },
  peerDeps: ['cdk8s@^2.68.11', 'cdk8s-plus-28@^2.5.0'],
  devDeps: [
    `aws-cdk-lib@${developmentCdkVersion}`,
    'constructs@10.5.1',
    'cdk8s@2.70.106',
    'cdk8s-plus-28@2.5.6',
    '@types/semver@^7',
    // The examples are synthesized by the real CLI and checked by cdk-nag, as users run them.
    'aws-cdk@2.1148.1',
    'cdk-nag@^3',
    // The Kubernetes examples are synthesized by the real cdk8s CLI.
    'cdk8s-cli@^2.207.60',
    // Upstream schemas every synthesized Kubernetes object is validated against. The companions'
    // 2.x releases need kubernetes-models 5, so the 4.x line pairs with their 0.x releases.
    'kubernetes-models@^4.5.1',
    '@kubernetes-models/argo-rollouts@^0.3.2',
    '@kubernetes-models/gateway-api@^0.5.1',
    // No npm package models Flagger: its Canary and MetricTemplate schemas are vendored under
    // test/support/schemas/ and checked with the validator the other models use.
    '@kubernetes-models/validate@^3.1.2',
    'fast-check@^4',
    // The Step Functions driver's definitions are validated and executed locally in tests (no AWS account).
    'asl-validator@^4',
    'aws-local-stepfunctions@^3',
    // The peer the benchmarks measure against, on the same job (bench/).
    '@cdklabs/cdk-ecs-codedeploy@^0.0.267',
    'jest-environment-node@^30',
    'ts-node@^10',
    'tsconfig-paths@^4',
  ],
  // `npx cdk-deploy-strategies plan cdk.out`: prints, charts and compares the recorded traffic plans.
  bin: { 'cdk-deploy-strategies': 'lib/cli/main.js' },
  // semver and yaml (the plan command's YAML parser) are not jsii modules, so they ship inside our
  // package and never appear in the API.
  bundledDeps: ['semver@^7', 'yaml@^2'],
  // The Python package (jsii-pacmak); CI builds the wheel and runs Python apps against it (test/python.test.ts).
  publishToPypi: {
    distName: 'cdk-deploy-strategies',
    module: 'cdk_deploy_strategies',
  },

  // CI is `.ci/run` on a clean clone; no hosted workflows, release pipeline or dependency bots.
  github: false,
  release: false,
  depsUpgrade: false,
  sampleCode: false,

  // test/tsconfig.json: tests import examples, which import the package by name. It covers examples/
  // too, so the test task type-checks src/, test/ and examples/ in one program (aws-cdk-lib's types
  // are loaded once).
  tsconfigDev: {
    compilerOptions: {
      baseUrl: '..',
      paths: { 'cdk-deploy-strategies': ['src/index.ts'] },
    },
    include: ['**/*.ts', '../examples/**/*.ts'],
    exclude: ['node_modules', '../examples/**/cdk.out/**', '../examples/**/dist/**', '../examples/.build/**', '../examples/.out/**'],
  },
  eslintOptions: {
    dirs: ['src'],
    devdirs: ['test', 'examples', 'bench'],
    // The test task reports lint errors; it does not rewrite files behind CI's back.
    commandOptions: { fix: false },
  },
  jestOptions: {
    // Snapshots change only when a developer runs `npx projen test:update`, never in CI.
    updateSnapshot: javascript.UpdateSnapshot.NEVER,
    passWithNoTests: false,
    jestConfig: {
      testMatch: ['<rootDir>/test/**/*.test.ts'],
      moduleNameMapper: {
        '^cdk-deploy-strategies$': '<rootDir>/src/index.ts',
      },
      collectCoverage: false,
      setupFiles: ['<rootDir>/test/support/fast-check-setup.ts'],
      // Starts CloudFormation Validate once per jest worker instead of once per test file.
      testEnvironment: '<rootDir>/test/support/cfn-validation-environment.ts',
      // One worker per CPU: jest's default (one fewer) leaves one of two cores idle, as the parent
      // process only collects results.
      maxWorkers: '100%',
      // Jest does not crawl the Python environments (test/support/python-env.ts) or the built packages.
      modulePathIgnorePatterns: ['<rootDir>/.venv/', '<rootDir>/dist/'],
    },
  },
  // cdk8s examples write their manifests to dist/ beside them.
  // bench/.build holds the benchmark's compiled JavaScript (see bench/README.md).
  // examples/.build and examples/.out hold the examples transpiled and synthesized once per state of
  // the sources, for the main job and the test suite (examples/synthesize.ts).
  // .jsii.tabl.json is jsii-rosetta's cache of compiled snippets (`npx projen docs:rosetta`).
  gitignore: ['cdk.out', 'cdk.context.json', 'examples/k8s/*/dist', 'bench/.build', 'examples/.build', 'examples/.out', 'examples/.out.lock', '.jsii.tabl.json'],
});

// CI reads a plain "N passed, N failed" closing line.
project.jest?.addReporter(new javascript.JestReporter('<rootDir>/test/support/summary-reporter.js'));

// Examples are written as users write them, importing the package by name; this maps it to src/.
new javascript.TypescriptConfig(project, {
  fileName: 'examples/tsconfig.json',
  extends: javascript.TypescriptConfigExtends.fromPaths(['../tsconfig.json']),
  compilerOptions: {
    rootDir: '..',
    noEmit: true,
    baseUrl: '.',
    paths: { 'cdk-deploy-strategies': ['../src/index.ts'] },
  },
  include: ['**/*.ts'],
  exclude: ['**/cdk.out/**', '**/dist/**', '.build/**', '.out/**'],
});
// Fixtures that give documentation snippets their context (test/snippets.test.ts, jsii-rosetta), and
// jsii-rosetta's cache of the snippets it compiled (`npx projen docs:rosetta`).
project.addPackageIgnore('/rosetta/');
project.addPackageIgnore('/.jsii.tabl.json');

// The benchmarks run as precompiled JavaScript, so neither side pays TypeScript compilation in a
// measured process: tsc compiles bench/ together with the src/ it imports into bench/.build/
// (rootDir is the repository, so the relative imports of ../../src hold in the output too).
new javascript.TypescriptConfig(project, {
  fileName: 'bench/tsconfig.json',
  extends: javascript.TypescriptConfigExtends.fromPaths(['../tsconfig.json']),
  compilerOptions: {
    rootDir: '..',
    outDir: '.build',
    declaration: false,
  },
  include: ['**/*.ts'],
  exclude: ['.build/**'],
});
// Benchmarks are not part of the package, nor the tests' download cache (.cache/: Flagger's CRDs).
project.addPackageIgnore('/bench/');
project.addPackageIgnore('/.cache/');

// Lint resolves the package name in examples and tests the way their tsconfigs do.
project.tryFindObjectFile('.eslintrc.json')?.addOverride('settings.import/resolver.typescript.project',
  ['./tsconfig.json', './test/tsconfig.json', './examples/tsconfig.json', './bench/tsconfig.json']);

// We develop against a newer aws-cdk-lib than the peer minimum on purpose (see the top of this file).
project.compileTask.reset('jsii --silence-warnings=metadata/missing-dev-dependency');

// projen's built-in shell reports a step killed by a signal (an out-of-memory test run, say) as a
// success; the system shell turns it into a failure, so CI cannot pass on a crashed run.
project.tasks.shell = TaskShell.system();

// The test task type-checks what ts-jest only transpiles (src/, test/ and examples/, one program:
// test/tsconfig.json includes examples/), then runs jest and eslint.
project.testTask.prependExec('tsc --noEmit -p test/tsconfig.json');

// The Python side of the test suite (test/support/python-env.ts), installed by the project's own files into the
// work tree: cfn-lint into .venv/tools (requirements-dev.txt, hash-pinned), and the wheel built from this checkout
// into a fresh .venv/app with the Python aws-cdk-lib, constructs, cdk8s and cdk8s-plus-28 of
// test/python/requirements.txt (hash-pinned). Each is rebuilt only when what it is built from changes.
project.gitignore.exclude('/.venv/');
for (const ignored of ['/.venv/', '/requirements-dev.in', '/requirements-dev.txt', '/.cfnlintrc.yaml']) {
  project.addPackageIgnore(ignored);
}
const pythonPrepare = 'ts-node --project test/tsconfig.json --transpile-only test/support/python-env.ts';
project.addTask('python:prepare', {
  description: 'Installs cfn-lint (.venv/tools) and builds the Python wheel into its test environment (.venv/app), if out of date',
  exec: pythonPrepare,
});
// The test task starts it in the background, first, so that the wheel is built on the core jest leaves idle; the
// tests that need it (test/python.test.ts, the examples' cfn-lint run) wait for it, or build it themselves when
// jest runs alone. Its output goes to .venv/prepare.log; a failure shows again in the test that needs it.
project.testTask.prependExec(`mkdir -p .venv && (${pythonPrepare} > .venv/prepare.log 2>&1 &)`);

// The main job: run every example and print its traffic plan. The examples themselves run from
// JavaScript transpiled once (examples/synthesize.ts); only this runner goes through ts-node,
// transpiling without type-checking (`npx projen test` type-checks).
project.addTask('examples', {
  description: 'Runs every example with its real CLI and prints its traffic plan',
  exec: 'ts-node --transpile-only --project examples/tsconfig.json examples/run-all.ts',
});

// jsii-rosetta's own check of the documentation's snippets (README.md and every @example), with the
// fixtures in rosetta/: slower than test/snippets.test.ts (it compiles with jsii first and each snippet
// on its own), so it is not part of the test task; run it after changing fixtures or examples.
project.addTask('docs:rosetta', {
  description: 'Compiles every README block and @example with jsii-rosetta in strict mode (fixtures in rosetta/)',
  steps: [
    { spawn: 'compile' },
    { exec: 'jsii-rosetta extract --strict' },
  ],
});

// The long property-based run: the suite's random-props properties, with many more cases each.
// FC_RUNS and FC_SEED may be set by the caller; the seed is random unless given.
project.addTask('test:properties', {
  description: 'Long property-based run: random props for every public construct (FC_RUNS cases each, default 300)',
  // Each file's random apps grow a worker's heap; recycle workers rather than let one run out of memory.
  exec: 'FC_RUNS=${FC_RUNS:-300} jest --testNamePattern "random props" --workerIdleMemoryLimit=1GB',
});

// The README's comparison charts, produced by the plan command itself.
project.addTask('charts', {
  description: 'Regenerates the README charts comparing the four strategies (docs/charts)',
  exec: 'ts-node --project tsconfig.json src/cli/main.ts compare --strategies --svg docs/charts',
});

// Synthesis time and memory, the library against hand-written code and a peer (bench/README.md).
// Not part of the test suite. `npx projen bench --quick` (or BENCH_QUICK=1): sizes 1 and 10, one run.
project.addTask('bench', {
  description: 'Benchmarks synthesis against hand-written aws-cdk-lib / cdk8s-plus code and @cdklabs/cdk-ecs-codedeploy (bench/README.md)',
  steps: [
    { exec: 'tsc -p bench/tsconfig.json' },
    { exec: 'node bench/.build/bench/harness/run.js', receiveArgs: true },
  ],
});

// ---- The package users install (issue 18) ------------------------------------------------------
// cdk8s and cdk8s-plus-28 are optional peers: an AWS app installs neither and never loads them. The
// aws, k8s and guardrails submodules load on first use: after jsii, projenrc/lazy-index.ts rewrites
// lib/index.js into getters (as aws-cdk-lib's index does) and fails the build if anything loaded
// with the index requires an optional peer; `k8s` touched without cdk8s names what to install.
project.package.addField('peerDependenciesMeta', {
  'cdk8s': { optional: true },
  'cdk8s-plus-28': { optional: true },
});
// Part of the compile task, so every lib/ jsii writes (`npx projen compile`, build, package) is the lazy one.
project.compileTask.exec('ts-node --transpile-only --project projenrc/tsconfig.json projenrc/lazy-index.ts');
// The benchmarks compile src/ with tsc into bench/.build/src: the same rewrite, so they measure what users load.
// Only the rewritten index requires the helper, so tsc compiles it for the benchmarks only when told to.
project.tryFindObjectFile('bench/tsconfig.json')?.addToArray('include', '../src/core/private/lazy-submodule.ts');
project.tasks.tryFind('bench')?.insertStep(1, { exec: 'ts-node --transpile-only --project projenrc/tsconfig.json projenrc/lazy-index.ts bench/.build/src' });
// Nothing the examples, tests or benchmarks generate goes into the tarball (test/package/contents.test.ts):
// the examples run from the repository (their tsconfig maps the package to src/), not from an install.
project.addPackageIgnore('/examples/');
project.addPackageIgnore('/.ci/');
project.addPackageIgnore('cdk.out');
project.addPackageIgnore('cdk.context.json');
// The TypeScript sources ship: jsii's inline source maps name them, so stack traces under ts-node (as
// `cdk init` apps run) or `node --enable-source-maps` point at files the package holds.
project.npmignore?.removePatterns('/src/');
// ---- end of the package block --------------------------------------------------------------------

project.synth();
