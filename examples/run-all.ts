// The main job: runs every example and prints what it plans to do to traffic.
import { execFileSync } from 'child_process';
import * as path from 'path';

/** Core-only examples: a `main.ts` printing traffic plans, run as a user would with ts-node. */
const PLAN_EXAMPLES = ['house-strategies'];

for (const example of PLAN_EXAMPLES) {
  console.log(`=== examples/${example} ===`);
  execFileSync('npx', ['ts-node', '--project', path.join(__dirname, 'tsconfig.json'), '-r', 'tsconfig-paths/register', 'main.ts'], {
    cwd: path.join(__dirname, example),
    stdio: 'inherit',
  });
  console.log();
}
