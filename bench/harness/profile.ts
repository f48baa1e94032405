// Reads a V8 CPU profile (`node --cpu-prof`) and prints where the time went: the functions with the
// most self time, and the library's own functions with the most total time, as file:line of the
// TypeScript source (through the inline source maps tsc writes into bench/.build).
import { existsSync, readFileSync } from 'fs';
import { relative, resolve } from 'path';
import { fileURLToPath } from 'url';

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  readonly children?: number[];
}

interface CpuProfile {
  readonly startTime: number;
  readonly nodes: ProfileNode[];
  readonly samples: number[];
  readonly timeDeltas: number[];
}

const REPO = resolve(__dirname, '..', '..', '..', '..');
const BUILT_SRC = resolve(REPO, 'bench', '.build', 'src');

/** A profile file and the measured window (build + synth) on the monotonic clock it uses, µs. */
export interface ProfileRun {
  readonly file: string;
  readonly window?: [number, number];
}

/**
 * Averages over several profiles of the same app. Samples outside the window (node startup,
 * importing the app's modules, reading the output back) are left out.
 */
export function summarizeProfiles(runs: ProfileRun[], top: number = 15): string {
  const selfByKey = new Map<string, number>();
  const totalByKey = new Map<string, number>();
  const byArea = new Map<string, number>();
  const add = (map: Map<string, number>, key: string, value: number) => map.set(key, (map.get(key) ?? 0) + value / runs.length);
  let all = 0;
  for (const run of runs) {
    const profile = JSON.parse(readFileSync(run.file, 'utf8')) as CpuProfile;
    const byId = new Map(profile.nodes.map(n => [n.id, n]));
    const self = new Map<number, number>();
    let at = profile.startTime;
    profile.samples.forEach((id, i) => {
      const delta = profile.timeDeltas[i] ?? 0;
      at += delta;
      if (run.window && (at < run.window[0] || at > run.window[1])) return;
      self.set(id, (self.get(id) ?? 0) + delta / 1000);
    });
    // Total time of a function counts once per stack, however often it recurses.
    const walk = (id: number, onStack: Set<string>): number => {
      const node = byId.get(id)!;
      const key = location(node);
      const own = self.get(id) ?? 0;
      add(selfByKey, key, own);
      add(byArea, area(node.callFrame.url), own);
      const entered = !onStack.has(key);
      if (entered) onStack.add(key);
      let total = own;
      for (const child of node.children ?? []) total += walk(child, onStack);
      if (entered) {
        onStack.delete(key);
        add(totalByKey, key, total);
      }
      return total;
    };
    all += walk(profile.nodes[0].id, new Set()) / runs.length;
  }

  const lines: string[] = [`  ${all.toFixed(0)} ms sampled${runs.some(r => r.window) ? ' in build + synth' : ''} (mean of ${runs.length} profile(s)); self time by area: `
    + [...byArea].sort((a, b) => b[1] - a[1]).filter(([, t]) => t >= 0.5).map(([name, t]) => `${name} ${t.toFixed(0)} ms`).join(', ')];
  lines.push('  most self time:');
  for (const [key, t] of [...selfByKey].sort((a, b) => b[1] - a[1]).slice(0, top)) lines.push(`    ${t.toFixed(0).padStart(6)} ms  ${key}`);
  const library = [...totalByKey].filter(([key]) => key.includes(' src/')).sort((a, b) => b[1] - a[1]).slice(0, top);
  if (library.length > 0) {
    lines.push('  library functions, most total time (self and callees):');
    for (const [key, t] of library) lines.push(`    ${t.toFixed(0).padStart(6)} ms  ${key}`);
  }
  return lines.join('\n');
}

function area(url: string): string {
  if (url === '') return '(V8: gc, idle, native)';
  if (url.includes('/aws-cdk-lib/')) return 'aws-cdk-lib';
  if (url.includes('/cdk8s-plus-28/')) return 'cdk8s-plus-28';
  if (url.includes('/cdk8s/')) return 'cdk8s';
  if (url.includes('/constructs/')) return 'constructs';
  if (url.includes('/@cdklabs/')) return '@cdklabs/cdk-ecs-codedeploy';
  if (url.includes('/bench/.build/src/')) return 'library (src)';
  if (url.includes('/bench/.build/bench/')) return 'bench app';
  if (url.startsWith('node:')) return 'node';
  return 'other';
}

/** `function file:line`, the file relative to the repository, mapped back to TypeScript for compiled files. */
function location(node: ProfileNode): string {
  const { functionName, url, lineNumber, columnNumber } = node.callFrame;
  const name = functionName || '(anonymous)';
  if (url === '') return name;
  const path = url.startsWith('file://') ? fileURLToPath(url) : url;
  const mapped = path.startsWith(BUILT_SRC) || path.includes('/bench/.build/bench/') ? originalPosition(path, lineNumber, columnNumber) : undefined;
  if (mapped) return `${name} ${mapped}`;
  const shown = path.startsWith(REPO) ? relative(REPO, path) : path.replace(/^.*\/node_modules\//, '');
  return `${name} ${shown}:${lineNumber + 1}`;
}

const sourceMaps = new Map<string, Array<Array<[number, number, number]>> | null>();

/** The TypeScript file:line of a position in a compiled file, from its inline source map. */
function originalPosition(file: string, line: number, column: number): string | undefined {
  if (!sourceMaps.has(file)) sourceMaps.set(file, readSourceMap(file));
  const segments = sourceMaps.get(file)?.[line];
  if (!segments || segments.length === 0) return undefined;
  let best = segments[0];
  for (const segment of segments) if (segment[0] <= column) best = segment;
  const source = file.replace(`${resolve(REPO, 'bench', '.build')}/`, '').replace(/\.js$/, '.ts');
  return `${source}:${best[2] + 1}`;
}

/** Decodes the mappings of a single-source inline source map: per generated line, [column, source, original line]. */
function readSourceMap(file: string): Array<Array<[number, number, number]>> | null {
  if (!existsSync(file)) return null;
  const match = /\/\/# sourceMappingURL=data:application\/json;base64,(\S+)\s*$/.exec(readFileSync(file, 'utf8'));
  if (!match) return null;
  const map = JSON.parse(Buffer.from(match[1], 'base64').toString('utf8')) as { mappings: string };
  const lines: Array<Array<[number, number, number]>> = [];
  let source = 0;
  let originalLine = 0;
  let originalColumn = 0;
  for (const text of map.mappings.split(';')) {
    const segments: Array<[number, number, number]> = [];
    let column = 0;
    for (const segment of text.split(',').filter(s => s !== '')) {
      const values = decodeVlq(segment);
      column += values[0];
      if (values.length >= 4) {
        source += values[1];
        originalLine += values[2];
        originalColumn += values[3];
        segments.push([column, source, originalLine]);
      }
    }
    lines.push(segments);
  }
  void originalColumn;
  return lines;
}

const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

function decodeVlq(segment: string): number[] {
  const values: number[] = [];
  let value = 0;
  let shift = 0;
  for (const char of segment) {
    const digit = BASE64.indexOf(char);
    value += (digit % 32) * 2 ** shift;
    if (digit >= 32) {
      shift += 5;
    } else {
      values.push(value % 2 === 1 ? -Math.floor(value / 2) : value / 2);
      value = 0;
      shift = 0;
    }
  }
  return values;
}
