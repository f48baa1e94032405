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
 * start (it loads every resource schema), and then a fraction of a second per template. test/examples.test.ts runs it
 * over every template of the CDK examples, read from their shared output (examples/.out, see examples/synthesize.ts).
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
