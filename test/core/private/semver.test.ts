import { semver } from '../../../src/core/private/semver';

test('is the bundled semver', () => {
  expect(semver()).toBe(jest.requireActual('semver'));
  expect(semver().satisfies('2.1.0-rc.1', '>=2.0.0', { includePrerelease: true })).toBe(true);
});

test('loads only when a release compares versions, not with the core', () => {
  let loads = 0;
  jest.isolateModules(() => {
    jest.doMock('semver', () => {
      loads++;
      return jest.requireActual('semver');
    });
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const core: typeof import('../../../src/core') = require('../../../src/core');
      core.Strategy.canary({ steps: [{ weight: 10, gate: core.StepGate.manualApproval() }] }).plan();
      expect(loads).toBe(0);
      new core.Release({ name: 'shop', services: [{ name: 'web', version: '1.0.0', strategy: core.Strategy.ALL_AT_ONCE }] });
      expect(loads).toBe(1);
    } finally {
      jest.dontMock('semver');
    }
  });
});
