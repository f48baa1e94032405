// The measured process. Every run is a fresh `node` process started by the runner on compiled
// JavaScript: the app's modules are imported before the clock starts, then the child times the
// construction of the tree and the synthesis, and prints one JSON line. The runner reads what was
// synthesized after the child has exited, so that reading is in no measurement.
import { performance } from 'perf_hooks';

/** What one child reports. */
export interface ChildResult {
  readonly services: number;
  /** Building the construct tree, ms. */
  readonly buildMs: number;
  /** `app.synth()`, ms. */
  readonly synthMs: number;
  /**
   * CPU time (user + system, all threads) of building and synthesizing, ms. Less sensitive than the
   * elapsed time to other processes competing for the cores.
   */
  readonly cpuMs: number;
  /** Peak resident set size of the process, KiB (`process.resourceUsage().maxRSS`), read right after synthesis. */
  readonly maxRssKb: number;
  /** Modules loaded while building and synthesizing (aws-cdk-lib loads many on first use). */
  readonly modulesLoaded: number;
  /** The measured window on the monotonic clock, µs, to cut a CPU profile to it. */
  readonly windowUs: [number, number];
}

/** A framework's app: created with an output directory, synthesized into it. */
export interface Framework<A> {
  createApp(outdir: string): A;
  synth(app: A): void;
}

/** Runs `build` once with the size and output directory the runner passed, and reports. */
export function measure<A>(framework: Framework<A>, build: (app: A, services: number) => void): void {
  const [servicesArg, outdir] = process.argv.slice(2);
  const services = Number(servicesArg);
  if (!Number.isInteger(services) || services < 1 || outdir === undefined) {
    throw new Error(`usage: node ${process.argv[1]} <services> <outdir>`);
  }
  const modules = Object.keys(require.cache).length;
  const startUs = Number(process.hrtime.bigint() / 1000n);
  const cpu = process.cpuUsage();
  const start = performance.now();
  const app = framework.createApp(outdir);
  build(app, services);
  const built = performance.now();
  framework.synth(app);
  const synthesized = performance.now();
  const cpuUsed = process.cpuUsage(cpu);
  const endUs = Number(process.hrtime.bigint() / 1000n);
  const result: ChildResult = {
    services,
    buildMs: built - start,
    synthMs: synthesized - built,
    cpuMs: (cpuUsed.user + cpuUsed.system) / 1000,
    maxRssKb: process.resourceUsage().maxRSS,
    modulesLoaded: Object.keys(require.cache).length - modules,
    windowUs: [startUs, endUs],
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}
