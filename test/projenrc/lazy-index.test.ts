import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as ts from 'typescript';
import { eagerSubmodules, LAZY_MARKER, lazyIndex, lazyReexports, reexportedFiles, requiredPackages, rewriteLibIndex } from '../../projenrc/lazy-index';
import * as lazySubmodule from '../../src/core/private/lazy-submodule';
import { expectValidationError } from '../support/validation-error';

const ROOT = path.join(__dirname, '..', '..');

/** An index under src/ as jsii's tsc emits it: the options of the tsconfig.json jsii writes. */
function compiledIndex(file: string = 'index.ts'): string {
  const config = ts.readConfigFile(path.join(ROOT, 'tsconfig.json'), ts.sys.readFile).config;
  const { options } = ts.parseJsonConfigFileContent(config, ts.sys, ROOT);
  const source = fs.readFileSync(path.join(ROOT, 'src', file), 'utf8');
  return ts.transpileModule(source, { compilerOptions: { ...options, module: ts.ModuleKind.CommonJS }, fileName: path.basename(file) }).outputText;
}

/** Runs a compiled index with the modules it requires replaced; returns its exports and what it loaded. */
function run(source: string, modules: Record<string, unknown>) {
  const loaded: string[] = [];
  const fakeRequire = (id: string) => {
    if (id === './core/private/lazy-submodule') return lazySubmodule;
    if (!(id in modules)) throw new Error(`unexpected require(${id})`);
    loaded.push(id);
    return modules[id];
  };
  const exports: Record<string, unknown> = {};
  new Function('exports', 'require', source)(exports, fakeRequire);
  return { exports, loaded };
}

const MODULES = {
  './core': { __esModule: true, Strategy: 'Strategy' },
  './aws': { __esModule: true, EcsRolloutService: 'EcsRolloutService' },
  './k8s': { __esModule: true, ArgoRollout: 'ArgoRollout' },
  './guardrails': { __esModule: true, Guardrails: 'Guardrails' },
};
const SUBMODULES = [
  { name: 'aws', peers: [] },
  { name: 'k8s', peers: ['cdk-deploy-strategies-no-such-peer'] },
  { name: 'guardrails', peers: [] },
];

describe('lazyIndex', () => {
  test('finds the three submodules tsc loads eagerly from src/index.ts', () => {
    expect(eagerSubmodules(compiledIndex())).toEqual(['aws', 'k8s', 'guardrails']);
  });

  test('as compiled, the index loads every submodule', () => {
    expect(run(compiledIndex(), MODULES).loaded).toEqual(['./core', './aws', './k8s', './guardrails']);
  });

  test('rewritten, it loads the core alone, and each submodule when first touched', () => {
    const { exports, loaded } = run(lazyIndex(compiledIndex(), SUBMODULES), MODULES);
    expect(loaded).toEqual(['./core']);
    // The names stay exports (jsii, `import { aws }` and Node's ESM named imports see them).
    expect(Object.keys(exports)).toEqual(expect.arrayContaining(['aws', 'k8s', 'guardrails', 'Strategy']));
    expect((exports.aws as any).EcsRolloutService).toBe('EcsRolloutService');
    expect((exports.guardrails as any).Guardrails).toBe('Guardrails');
    expect(loaded).toEqual(['./core', './aws', './guardrails']);
  });

  test('a submodule whose optional peer is missing raises the library error, not "Cannot find module"', () => {
    const { exports, loaded } = run(lazyIndex(compiledIndex(), SUBMODULES), MODULES);
    expectValidationError(() => exports.k8s,
      'k8s is used without cdk-deploy-strategies-no-such-peer installed: the k8s constructs render to cdk-deploy-strategies-no-such-peer, '
      + 'optional peer dependencies of cdk-deploy-strategies that apps not using k8s do not need. '
      + 'Install it in your app: npm install cdk-deploy-strategies-no-such-peer.');
    expect(loaded).toEqual(['./core']);
  });

  test('keeps every line where it was, so the inline source map still fits', () => {
    const compiled = compiledIndex();
    expect(lazyIndex(compiled, SUBMODULES).split('\n')).toHaveLength(compiled.split('\n').length);
  });

  test('leaves an index it already rewrote alone', () => {
    const once = lazyIndex(compiledIndex(), SUBMODULES);
    expect(once).toContain(LAZY_MARKER);
    expect(lazyIndex(once, SUBMODULES)).toBe(once);
  });

  test('fails the build when tsc emits something else', () => {
    expect(() => lazyIndex('exports.aws = require("./aws");\n', [{ name: 'aws', peers: [] }]))
      .toThrow('lazy-index: the compiled index has no line `exports.aws = __importStar(require("./aws"));`');
  });

  test('fails the build when a submodule would stay eager', () => {
    expect(() => lazyIndex(compiledIndex(), [{ name: 'aws', peers: [] }])).toThrow('lazy-index: submodules still loaded eagerly: k8s, guardrails');
  });
});

describe('lazyReexports', () => {
  const FILES = ['./revision', './http-route-rule', './http-route', './plain-blue-green', './plain-canary', './gateway-rollout',
    './gateway-experiment', './analysis-metric', './analysis-template', './argo-traffic-routing', './metrics-source', './argo-rollout',
    './kubernetes-release', './flagger-metric', './flagger-canary', './flagger-experiment'];
  const HELPER = '../core/private/lazy-submodule';
  /** Runs a compiled submodule index whose files each export their own name, plus `Shared` (exported by two). */
  function runK8s(source: string) {
    const loaded: string[] = [];
    const modules = Object.fromEntries(FILES.map(file => [file, { [file.slice(2)]: `${file} value`, Shared: `${file} shared` }]));
    const fakeRequire = (id: string) => {
      if (id === HELPER) return lazySubmodule;
      loaded.push(id);
      return modules[id];
    };
    const exports: Record<string, unknown> = {};
    new Function('exports', 'require', source)(exports, fakeRequire);
    return { exports, loaded };
  }
  const namesOf = (file: string) => [file.slice(2), 'Shared'];

  test('finds the files src/k8s/index.ts re-exports', () => {
    expect(reexportedFiles(compiledIndex('k8s/index.ts'))).toEqual(FILES);
  });

  test('as compiled, the index loads every file', () => {
    expect(runK8s(compiledIndex('k8s/index.ts')).loaded).toEqual(FILES);
  });

  test('rewritten, it loads a file when one of its names is first used, once', () => {
    const { exports, loaded } = runK8s(lazyReexports(compiledIndex('k8s/index.ts'), namesOf, HELPER));
    expect(loaded).toEqual([]);
    // Every name is an export before any is used (jsii, destructuring and ESM named imports see them).
    expect(Object.keys(exports)).toEqual(['revision', 'Shared', ...FILES.slice(1).map(f => f.slice(2))]);
    expect(exports['plain-canary']).toBe('./plain-canary value');
    expect(exports['plain-canary']).toBe('./plain-canary value');
    expect(loaded).toEqual(['./plain-canary']);
  });

  test('a name two files export stays the first file\'s, as with export *', () => {
    const { exports, loaded } = runK8s(lazyReexports(compiledIndex('k8s/index.ts'), namesOf, HELPER));
    expect(exports.Shared).toBe('./revision shared');
    expect(loaded).toEqual(['./revision']);
  });

  test('keeps every line where it was, and leaves an index it already rewrote alone', () => {
    const compiled = compiledIndex('k8s/index.ts');
    const once = lazyReexports(compiled, namesOf, HELPER);
    expect(once.split('\n')).toHaveLength(compiled.split('\n').length);
    expect(lazyReexports(once, namesOf, HELPER)).toBe(once);
  });

  test('fails the build when a re-export would stay eager', () => {
    expect(() => lazyReexports('__exportStar(require("./a"), exports);', () => ['A'], HELPER))
      .toThrow('lazy-index: files still re-exported eagerly: ./a');
  });
});

describe('requiredPackages', () => {
  test('lists the packages a compiled file requires, not its relative imports', () => {
    const source = 'const a = require("cdk8s");\nconst b = __importStar(require("cdk8s-plus-28"));\n'
      + 'const c = require("aws-cdk-lib/aws-ecs");\nconst d = require("@scope/pkg/sub");\nconst e = require("./core");\nconst f = require("../x");';
    expect(requiredPackages(source)).toEqual(['@scope/pkg', 'aws-cdk-lib', 'cdk8s', 'cdk8s-plus-28']);
  });
});

describe('rewriteLibIndex', () => {
  const roots: string[] = [];
  afterAll(() => roots.forEach(root => fs.rmSync(root, { recursive: true, force: true })));
  function fakeLib(files: Record<string, string>): string {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'lazy-index-'));
    roots.push(root);
    fs.writeFileSync(path.join(root, 'package.json'), JSON.stringify({
      peerDependencies: { 'aws-cdk-lib': '^2', 'cdk8s': '^2' },
      peerDependenciesMeta: { cdk8s: { optional: true } },
    }));
    for (const [file, text] of Object.entries({ 'index.js': compiledIndex(), ...files })) {
      fs.mkdirSync(path.dirname(path.join(root, 'lib', file)), { recursive: true });
      fs.writeFileSync(path.join(root, 'lib', file), text);
    }
    return root;
  }
  const layers = {
    'core/strategy.js': 'require("aws-cdk-lib");',
    'core/private/lazy-submodule.js': 'exports.lazySubmodule = () => {};\n'
      + 'exports.lazyExports = (t, load, names) => names.forEach(n => Object.defineProperty(t, n, { enumerable: true, get: () => load()[n] }));',
    'aws/index.js': 'require("aws-cdk-lib/aws-ecs");',
    'k8s/index.js': 'require("cdk8s"); require("../core/strategy");',
    'guardrails/index.js': 'require("constructs");',
    'cli/read-plans.js': 'function yaml() { return require("cdk8s"); }',
  };

  test('gives each submodule the optional peers its files require', () => {
    const root = fakeLib(layers);
    expect(rewriteLibIndex(root)).toEqual([{ name: 'aws', peers: [] }, { name: 'k8s', peers: ['cdk8s'] }, { name: 'guardrails', peers: [] }]);
    const index = fs.readFileSync(path.join(root, 'lib', 'index.js'), 'utf8');
    expect(index).toContain('lazySubmodule(exports, "k8s", () => __importStar(require("./k8s")), ["cdk8s"]);');
    // A second run (a post-compile step run twice) finds the same and changes nothing.
    expect(rewriteLibIndex(root)).toEqual([{ name: 'aws', peers: [] }, { name: 'k8s', peers: ['cdk8s'] }, { name: 'guardrails', peers: [] }]);
    expect(fs.readFileSync(path.join(root, 'lib', 'index.js'), 'utf8')).toBe(index);
  });

  test('makes the re-exports of every submodule index lazy, with the names each file exports', () => {
    const root = fakeLib({
      ...layers,
      'guardrails/index.js': '"use strict";\nObject.defineProperty(exports, "__esModule", { value: true });\n'
        + '__exportStar(require("./pack"), exports);\n__exportStar(require("./rules"), exports);\n',
      'guardrails/pack.js': 'exports.Pack = 1; exports.PackOptions = void 0;',
      'guardrails/rules/index.js': '"use strict";\n__exportStar(require("./blast-radius"), exports);\n',
      'guardrails/rules/blast-radius.js': 'exports.BlastRadiusRule = 2;',
    });
    rewriteLibIndex(root);
    const lib = path.join(root, 'lib', 'guardrails');
    // The names also as never-run assignments, which Node's CommonJS lexer reads for ES modules' named imports.
    expect(fs.readFileSync(path.join(lib, 'index.js'), 'utf8')).toContain(
      'require("../core/private/lazy-submodule").lazyExports(exports, () => require("./pack"), ["Pack","PackOptions"]); '
      + '0 && (exports.Pack = exports.PackOptions = void 0);');
    expect(fs.readFileSync(path.join(lib, 'rules', 'index.js'), 'utf8')).toContain(
      'require("../../core/private/lazy-submodule").lazyExports(exports, () => require("./blast-radius"), ["BlastRadiusRule"]);');
    expect(fs.readFileSync(path.join(lib, 'index.js'), 'utf8')).toContain('lazyExports(exports, () => require("./rules"), ["BlastRadiusRule"]);');
  });

  test('fails the build when the helper the rewritten index requires was not compiled', () => {
    const { ['core/private/lazy-submodule.js']: _, ...withoutHelper } = layers;
    const root = fakeLib(withoutHelper);
    expect(() => rewriteLibIndex(root)).toThrow(`lazy-index: ${path.join(root, 'lib', 'core', 'private', 'lazy-submodule.js')} is missing`);
  });

  test('rewrites another compilation of src/ when given its folder (the benchmarks compile into bench/.build/src)', () => {
    const root = fakeLib(layers);
    fs.renameSync(path.join(root, 'lib'), path.join(root, 'src-build'));
    expect(rewriteLibIndex(root, path.join(root, 'src-build')).map(s => s.name)).toEqual(['aws', 'k8s', 'guardrails']);
    expect(fs.readFileSync(path.join(root, 'src-build', 'index.js'), 'utf8')).toContain(LAZY_MARKER);
  });

  test('fails the build when the core, loaded with the index, requires an optional peer', () => {
    const root = fakeLib({ ...layers, 'core/private/yaml.js': 'const cdk8s_1 = require("cdk8s");' });
    expect(() => rewriteLibIndex(root)).toThrow('lazy-index: files loaded with the index require optional peers, '
      + 'so apps without them could not load the package: lib/core requires cdk8s');
  });
});
