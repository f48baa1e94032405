import * as fs from 'fs';
import * as path from 'path';

/**
 * The post-compile step that makes the package's submodules load on first use (`npx projen
 * compile` runs it after jsii): it rewrites the compiled `lib/index.js`, whose
 * `exports.aws = __importStar(require("./aws"))` lines load every backend up front, into calls of
 * `lazySubmodule` (src/core/private/lazy-submodule.ts), which define getters instead, as
 * aws-cdk-lib's own index does; then each submodule's (and the core's) compiled index, whose
 * `export * from './file'` lines load every file, into calls of `lazyExports`, which load a file when
 * one of its names is first used. jsii reads `src/**\/index.ts` and the `.d.ts` files, so the API and
 * its submodules are unchanged (API.md is the same before and after).
 *
 * Each submodule's getter checks the optional peer dependencies (package.json
 * `peerDependenciesMeta`) its compiled files require, found by reading them; a file loaded with
 * the index itself (everything outside the lazy submodules and the CLI) that requires an optional
 * peer fails the build, since an app without that peer could not load the package at all.
 */

/** Marks a rewritten index, so running the step twice is harmless. */
export const LAZY_MARKER = '/* submodules load on first use: projenrc/lazy-index.ts */';

const HELPER = './core/private/lazy-submodule';

export interface LazySubmodule {
  /** The export name, which is also its folder under lib/. */
  readonly name: string;
  /** Optional peer dependencies its files require. */
  readonly peers: string[];
}

/** The names of the submodules `source` (a compiled index) loads eagerly, in order. */
export function eagerSubmodules(source: string): string[] {
  return [...source.matchAll(/^exports\.(\w+) = __importStar\(require\("\.\/(\w+)"\)\);$/gm)]
    .filter(m => m[1] === m[2]).map(m => m[1]);
}

/**
 * Rewrites a compiled index so `submodules` load on first use. Each statement stays on its own
 * line, so the inline source map still points at the right lines of src/index.ts.
 */
export function lazyIndex(source: string, submodules: LazySubmodule[]): string {
  if (source.includes(LAZY_MARKER)) return source;
  let out = source;
  for (const { name, peers } of submodules) {
    const eager = `exports.${name} = __importStar(require("./${name}"));`;
    if (!out.includes(`\n${eager}\n`)) {
      throw new Error(`lazy-index: the compiled index has no line \`${eager}\`; has tsc's output changed? Update projenrc/lazy-index.ts.`);
    }
    const lazy = `require(${JSON.stringify(HELPER)}).lazySubmodule(exports, ${JSON.stringify(name)}, `
      + `() => __importStar(require(${JSON.stringify(`./${name}`)})), ${JSON.stringify(peers)}); ${LAZY_MARKER}`;
    out = out.replace(`\n${eager}\n`, `\n${lazy}\n`);
  }
  const left = eagerSubmodules(out);
  if (left.length > 0) throw new Error(`lazy-index: submodules still loaded eagerly: ${left.join(', ')}`);
  return out;
}

/** The files `source` (a compiled submodule index) re-exports with `export *`, in order. */
export function reexportedFiles(source: string): string[] {
  return [...source.matchAll(/^__exportStar\(require\("(\.\/[\w./-]+)"\), exports\);$/gm)].map(m => m[1]);
}

/**
 * Rewrites a compiled submodule index so each file it re-exports (`export * from './file'`) loads
 * when one of its names is first used. `namesOf` gives the names a file exports; `helper` is the
 * helper's path relative to the index. Lines stay where they were (the inline source map).
 */
export function lazyReexports(source: string, namesOf: (file: string) => string[], helper: string): string {
  let out = source;
  for (const file of reexportedFiles(source)) {
    const eager = `__exportStar(require(${JSON.stringify(file)}), exports);`;
    const names = namesOf(file);
    // The never-run assignments name the exports for Node's CommonJS lexer, as tsc's own `exports.X = void 0`
    // does, so that ES modules can still import them by name.
    const identifiers = names.filter(n => /^[A-Za-z_$][\w$]*$/.test(n));
    const named = identifiers.length === 0 ? '' : ` 0 && (${identifiers.map(n => `exports.${n}`).join(' = ')} = void 0);`;
    const lazy = `require(${JSON.stringify(helper)}).lazyExports(exports, () => require(${JSON.stringify(file)}), `
      + `${JSON.stringify(names)});${named} ${LAZY_MARKER}`;
    out = out.replace(`\n${eager}\n`, `\n${lazy}\n`);
  }
  const left = reexportedFiles(out);
  if (left.length > 0) throw new Error(`lazy-index: files still re-exported eagerly: ${left.join(', ')}`);
  return out;
}

/** The package names a compiled file requires (`require("x")`, `require("x/y")` → `x`). */
export function requiredPackages(source: string): string[] {
  const names = [...source.matchAll(/\brequire\("([^".][^"]*)"\)/g)].map(m => {
    const parts = m[1].split('/');
    return m[1].startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
  });
  return [...new Set(names)].sort();
}

function jsFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap(entry => {
    const full = path.join(dir, entry.name);
    return entry.isDirectory() ? jsFiles(full) : entry.name.endsWith('.js') ? [full] : [];
  });
}

/**
 * Rewrites `<lib>/index.js` (`lib` is `<root>/lib` unless given: the benchmarks compile src/ into
 * bench/.build/src); throws when a file loaded with the index requires an optional peer.
 */
export function rewriteLibIndex(root: string, lib: string = path.join(root, 'lib')): LazySubmodule[] {
  const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
  const optional = Object.entries(pkg.peerDependenciesMeta ?? {})
    .filter(([, meta]) => (meta as { optional?: boolean }).optional).map(([name]) => name);
  if (!fs.existsSync(path.join(lib, `${HELPER}.js`))) {
    throw new Error(`lazy-index: ${path.join(lib, `${HELPER}.js`)} is missing; nothing imports it, so the compilation must include it`);
  }
  const indexFile = path.join(lib, 'index.js');
  const source = fs.readFileSync(indexFile, 'utf8');
  const names = source.includes(LAZY_MARKER)
    ? [...source.matchAll(/lazySubmodule\(exports, "(\w+)"/g)].map(m => m[1])
    : eagerSubmodules(source);
  const needs = (dir: string) => [...new Set(jsFiles(dir)
    .flatMap(file => requiredPackages(fs.readFileSync(file, 'utf8')).filter(p => optional.includes(p))))].sort();

  // The CLI is the package's bin, never loaded by the index; it loads cdk8s itself when it reads manifests.
  const eagerDirs = fs.readdirSync(lib, { withFileTypes: true })
    .filter(e => e.isDirectory() && !names.includes(e.name) && e.name !== 'cli').map(e => e.name);
  const offending = eagerDirs.filter(dir => needs(path.join(lib, dir)).length > 0)
    .map(dir => `${path.basename(lib)}/${dir} requires ${needs(path.join(lib, dir)).join(', ')}`);
  if (offending.length > 0) {
    throw new Error(`lazy-index: files loaded with the index require optional peers, so apps without them could not load the package: ${offending.join('; ')}`);
  }
  const submodules = names.map(name => ({ name, peers: needs(path.join(lib, name)) }));
  fs.writeFileSync(indexFile, lazyIndex(source, submodules));
  // Inside each submodule (and the core), every file loads when a name it exports is first used.
  // A file's names are what it exports when loaded (here, where every peer is installed).
  for (const dir of [...names, ...eagerDirs]) {
    // Deepest first, so an index that re-exports another (guardrails/rules) reads its rewritten names.
    const indexes = jsFiles(path.join(lib, dir)).filter(f => path.basename(f) === 'index.js')
      .sort((a, b) => b.split(path.sep).length - a.split(path.sep).length);
    for (const file of indexes) {
      const text = fs.readFileSync(file, 'utf8');
      const helper = path.relative(path.dirname(file), path.join(lib, HELPER)).split(path.sep).join('/');
      // Loading the compiled file is the exact answer (tsc also hoists `exports.X = void 0`, but not for `export *`).
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const namesOf = (rel: string) => Object.keys(require(path.resolve(path.dirname(file), rel)));
      fs.writeFileSync(file, lazyReexports(text, namesOf, helper.startsWith('.') ? helper : `./${helper}`));
    }
  }
  return submodules;
}

if (require.main === module) {
  const root = path.join(__dirname, '..');
  const lib = path.resolve(root, process.argv[2] ?? 'lib');
  const submodules = rewriteLibIndex(root, lib);
  console.log(`${path.relative(root, lib)}/index.js: ${submodules.map(s => s.peers.length ? `${s.name} (needs ${s.peers.join(', ')})` : s.name).join(', ')} load on first use`);
}
