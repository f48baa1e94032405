import * as fs from 'fs';
import * as path from 'path';

/**
 * The layers of src/ and the rules between them (README, "Layout"): a file imports only its own
 * layer and the layers below it, a layer's private/ folder serves that layer and those above it,
 * and no files import each other, directly or around a longer cycle. Type-only imports count.
 */
const SRC = path.join(__dirname, '..', 'src');
const LAYERS = ['core', 'guardrails', 'aws', 'k8s', 'cli'];
/** What each layer may import, by layer (its own included). aws and k8s never import each other. */
const ALLOWED: Record<string, string[]> = {
  core: ['core'],
  guardrails: ['core', 'guardrails'],
  aws: ['core', 'guardrails', 'aws'],
  k8s: ['core', 'guardrails', 'k8s'],
  cli: ['core', 'guardrails', 'aws', 'k8s', 'cli'],
};

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap(entry => {
    const full = path.join(dir, entry.name);
    return entry.isDirectory() ? sourceFiles(full) : entry.name.endsWith('.ts') ? [full] : [];
  });
}

const files = sourceFiles(SRC);
const rel = (file: string) => path.relative(SRC, file);
const layerOf = (file: string) => rel(file).split(path.sep)[0];

/** Every module a file names in an import or export, type-only included. */
function specifiers(file: string): string[] {
  const text = fs.readFileSync(file, 'utf8');
  const found: string[] = [];
  for (const m of text.matchAll(/(?:^|\n)\s*(?:import|export)\s[^;]*?\sfrom\s+'([^']+)'/g)) found.push(m[1]);
  for (const m of text.matchAll(/(?:require|import)\(\s*'([^']+)'\s*\)/g)) found.push(m[1]);
  return found;
}

function resolveLocal(from: string, spec: string): string {
  const base = path.resolve(path.dirname(from), spec);
  for (const candidate of [`${base}.ts`, path.join(base, 'index.ts')]) {
    if (fs.existsSync(candidate)) return candidate;
  }
  throw new Error(`${rel(from)} imports ${spec}, which does not exist`);
}

const graph = new Map<string, string[]>(files.map(file => [file,
  specifiers(file).filter(s => s.startsWith('.')).map(s => resolveLocal(file, s))]));

test('src/ has only the known layers and a re-export-only index', () => {
  const tops = new Set(files.map(layerOf));
  expect([...tops].sort()).toEqual([...LAYERS, 'index.ts'].sort());
  expect(fs.existsSync(path.join(SRC, 'private'))).toBe(false);
});

test('no file imports a layer above its own, and aws and k8s do not import each other', () => {
  const upward: string[] = [];
  for (const [file, targets] of graph) {
    const layer = layerOf(file);
    if (layer === 'index.ts') continue;
    for (const target of targets) {
      if (!ALLOWED[layer].includes(layerOf(target))) upward.push(`${rel(file)} -> ${rel(target)}`);
    }
  }
  expect(upward).toEqual([]);
});

test('index files never re-export a private helper', () => {
  const exported = [...graph].filter(([file]) => path.basename(file) === 'index.ts')
    .flatMap(([, targets]) => targets).filter(t => rel(t).split(path.sep).includes('private'));
  expect(exported.map(rel)).toEqual([]);
});

test('no two files import each other, directly or through a longer cycle', () => {
  // Tarjan's strongly connected components: any component of more than one file is a cycle.
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  const visit = (file: string) => {
    index.set(file, counter);
    low.set(file, counter++);
    stack.push(file);
    onStack.add(file);
    for (const next of graph.get(file) ?? []) {
      if (!index.has(next)) {
        visit(next);
        low.set(file, Math.min(low.get(file)!, low.get(next)!));
      } else if (onStack.has(next)) {
        low.set(file, Math.min(low.get(file)!, index.get(next)!));
      }
    }
    if (low.get(file) === index.get(file)) {
      const component: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        component.push(rel(member));
      } while (member !== file);
      if (component.length > 1) cycles.push(component.sort());
    }
  };
  for (const file of graph.keys()) if (!index.has(file)) visit(file);
  expect(cycles).toEqual([]);
});

test('the core imports no constructs library, and the AWS and Kubernetes halves import only their own', () => {
  const offending: string[] = [];
  for (const file of files) {
    const layer = layerOf(file);
    for (const spec of specifiers(file).filter(s => !s.startsWith('.'))) {
      const cdk8s = spec === 'cdk8s' || spec.startsWith('cdk8s-plus');
      const awsService = spec.startsWith('aws-cdk-lib/') && spec !== 'aws-cdk-lib/core';
      const bad = (layer === 'core' && (cdk8s || awsService || spec === 'constructs' && !isTypeOnly(file, spec)))
        || (layer === 'guardrails' && (cdk8s || awsService))
        || (layer === 'aws' && cdk8s)
        || (layer === 'k8s' && awsService);
      if (bad) offending.push(`${rel(file)} -> ${spec}`);
    }
  }
  expect(offending).toEqual([]);
});

test('outside the AWS half, aws-cdk-lib\'s core comes from aws-cdk-lib/core, so a cdk8s app never loads aws-cdk-lib\'s root index', () => {
  // The root index (160 KB of getters for every service module) took about 8 ms of a cdk8s app's
  // start on this machine (bench/README.md); 'aws-cdk-lib/core' is the same Duration class.
  const offending = files.filter(file => layerOf(file) !== 'aws' && specifiers(file).includes('aws-cdk-lib')).map(rel);
  expect(offending).toEqual([]);
});

function isTypeOnly(file: string, spec: string): boolean {
  const text = fs.readFileSync(file, 'utf8');
  return new RegExp(`import type [^;]*from '${spec}'`).test(text);
}
