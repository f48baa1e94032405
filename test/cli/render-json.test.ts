import type { Found } from '../../src/cli/read-plans';
import { renderJson } from '../../src/cli/render-json';
import { gatedCanary, rolloutOf } from '../support/cli-fixtures';

test('prints what was found, with each plan exactly as recorded', () => {
  const found: Found = {
    rollouts: [rolloutOf('Shop/Checkout/Rollout', gatedCanary)],
    experiments: [{ source: 'cdk8s', origin: 'dist/app.k8s.yaml', name: 'HTTPRoute/ab', backend: 'Gateway API', active: true, table: 't' }],
  };
  const out = renderJson(found);
  expect(out.endsWith('}\n')).toBe(true);
  expect(JSON.parse(out)).toEqual(found);
  expect(JSON.parse(out).rollouts[0].plan).toEqual(gatedCanary.plan().toJson());
});
