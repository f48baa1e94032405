import { execFile } from 'child_process';
import * as path from 'path';
import { ROOT, toolsBin } from './python-env';

/** One cfn-lint finding, reduced to what a failing test should show. */
export interface CfnLintFinding {
  readonly rule: string;
  readonly level: string;
  readonly template: string;
  readonly line: number;
  readonly path: string;
  readonly message: string;
}

/**
 * Runs cfn-lint (the pinned one of `.venv/tools`, see python-env.ts) over CloudFormation templates, with the
 * project's `.cfnlintrc.yaml`, and resolves to its findings. One process lints them all: cfn-lint takes seconds to
 * start (it loads every resource schema), and then a fraction of a second per template.
 */
export function cfnLint(templates: string[]): Promise<CfnLintFinding[]> {
  const bin = path.join(toolsBin(), 'cfn-lint');
  return new Promise((resolve, reject) => {
    // cfn-lint exits non-zero when it finds anything (a bit per level); its JSON output says what.
    execFile(bin, ['--format', 'json', '--', ...templates], { cwd: ROOT, encoding: 'utf-8', maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      let matches: any[];
      try {
        matches = JSON.parse(stdout);
      } catch {
        reject(new Error(`cfn-lint printed no findings (${error?.message ?? 'exit 0'}):\n${stdout}\n${stderr}`));
        return;
      }
      resolve(matches.map(m => ({
        rule: m.Rule?.Id,
        level: m.Level,
        template: path.relative(ROOT, m.Filename),
        line: m.Location?.Start?.LineNumber,
        path: (m.Location?.Path ?? []).join('/'),
        message: m.Message,
      })));
    });
  });
}

/**
 * Lints templates as they are synthesized, in one cfn-lint run that starts as soon as the expected number of
 * batches is in, so that it overlaps whatever the test file does next. `findings()` starts it with what it has
 * if it has not started yet (a filtered run, a failed synth).
 */
export class CfnLintRun {
  private readonly templates: string[] = [];
  private batches = 0;
  private run?: Promise<CfnLintFinding[]>;

  constructor(private readonly expectedBatches: number) {}

  /** Adds the templates of one app; the last expected batch starts the run. */
  public add(templates: string[]): void {
    if (this.run) throw new Error('cfn-lint has started already: add every template before it starts');
    this.templates.push(...templates);
    if (++this.batches === this.expectedBatches) void this.start();
  }

  /** What cfn-lint found in every template added. */
  public findings(): Promise<CfnLintFinding[]> {
    return this.start();
  }

  /** How many templates were added. */
  public get count(): number {
    return this.templates.length;
  }

  private start(): Promise<CfnLintFinding[]> {
    if (!this.run) {
      this.run = this.templates.length === 0 ? Promise.resolve([]) : cfnLint([...this.templates]);
      // Keeps a failure from surfacing as an unhandled rejection before findings() is awaited.
      this.run.catch(() => undefined);
    }
    return this.run;
  }
}
