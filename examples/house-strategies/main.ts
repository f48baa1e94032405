// Prints the traffic plan of every house strategy, the experiment's allocation and the release's waves.
import { checkoutExperiment, blueGreen, canary, linear, shopRelease } from './strategies';

/** The report, as text; the experiment is shown as of `at` so the output is reproducible. */
export function report(at: Date): string {
  return [
    blueGreen.plan().toTable(),
    canary.plan({ replicas: 20 }).toTable(),
    linear.plan().toTable(),
    checkoutExperiment.toTable(at),
    shopRelease.toTable(),
  ].join('\n\n');
}

if (require.main === module) {
  // AT=<ISO date> shows the experiment as of that moment (the main job and the tests set it).
  console.log(report(process.env.AT ? new Date(process.env.AT) : new Date()));
}
