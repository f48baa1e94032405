import { Strategy } from '../../src';
import { checkPlanJson } from '../../src/cli/plan-json';
import { gatedCanary } from '../support/cli-fixtures';

const where = 'cdk.out: the plan metadata of /S/Rollout';

test('accepts what TrafficPlan.toJson() records, and returns it unchanged', () => {
  const plans = [gatedCanary.plan(), Strategy.LINEAR_10PERCENT_EVERY_1MINUTE.plan({ replicas: 10 }), Strategy.ALL_AT_ONCE.plan()]
    .map(p => p.toJson());
  for (const plan of plans) {
    expect(checkPlanJson(plan, where)).toBe(plan);
  }
});

describe('names the place and the field of a malformed record', () => {
  const good = () => JSON.parse(JSON.stringify(gatedCanary.plan().toJson()));
  test.each([
    ['not an object', () => 'a plan', 'is "a plan", not an object'],
    ['a list', () => [1], 'is [1], not an object'],
    ['no steps', () => ({ ...good(), steps: undefined }), 'has no steps (expected a non-empty list)'],
    ['empty steps', () => ({ ...good(), steps: [] }), 'has steps [] (expected a non-empty list)'],
    ['a missing total', () => ({ ...good(), rollbackSeconds: undefined }), 'has no rollbackSeconds (expected a number)'],
    ['a string total', () => ({ ...good(), blastRadiusPercent: '10' }), 'has blastRadiusPercent "10" (expected a number)'],
    ['a missing description', () => ({ ...good(), description: undefined }), 'has no description (expected a string)'],
    ['a step that is not an object', () => ({ ...good(), steps: [null] }), 'has steps[0] null (expected an object)'],
    ['a step weight that is not a number', () => {
      const plan = good();
      plan.steps[1].candidateWeight = null;
      return plan;
    }, 'has steps[1].candidateWeight null (expected a number)'],
    ['a gate without a description', () => {
      const plan = good();
      plan.steps[0].gate = { kind: 'BAKE' };
      return plan;
    }, 'has steps[0].gate {"kind":"BAKE"} (expected an object with kind and description)'],
  ])('%s', (_, make, problem) => {
    expect(() => checkPlanJson(make(), where)).toThrow(`${where}: the recorded plan ${problem}`);
  });

  test('long values are cut short', () => {
    expect(() => checkPlanJson({ ...good(), strategy: ['x'.repeat(100)] }, where))
      .toThrow(`${where}: the recorded plan has strategy ["${'x'.repeat(55)}... (expected a string)`);
  });
});
