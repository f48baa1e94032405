import { Duration } from 'aws-cdk-lib';
import * as fc from 'fast-check';
import { Experiment, FailedRequests, HealthCheck, HealthCheckKind, Match, StepGate, Strategy } from '../../src';
import { checkPlanJson } from '../../src/cli/plan-json';
import { healthChecksArb, strategyArb } from '../support/arbitraries';
import { expectValidationError } from '../support/validation-error';

const errorRate = HealthCheck.errorRate({ maxErrorPercent: 1 });
const p99 = HealthCheck.latency({ percentile: 99, maxLatency: Duration.millis(800) });

describe('HealthCheck.errorRate', () => {
  test('defaults: server errors, windows of a minute, two failing windows, 10 requests for a verdict', () => {
    expect(errorRate).toMatchObject({
      kind: HealthCheckKind.ERROR_RATE,
      name: 'error-rate',
      maxErrorPercent: 1,
      failedRequests: FailedRequests.SERVER_ERRORS,
      failingWindows: 2,
      minimumRequests: 10,
    });
    expect(errorRate.window.toSeconds()).toBe(60);
    expect(errorRate.timeToDetect.toSeconds()).toBe(120);
    expect(errorRate.maxLatency).toBeUndefined();
    expect(errorRate.describe()).toBe('error-rate: 5xx above 1% for 2 windows of 1m (10+ requests)');
  });

  test('takes every option', () => {
    const check = HealthCheck.errorRate({
      name: 'all-errors',
      maxErrorPercent: 0.5,
      failedRequests: FailedRequests.CLIENT_AND_SERVER_ERRORS,
      window: Duration.minutes(5),
      failingWindows: 1,
      minimumRequests: 0,
    });
    expect(check.describe()).toBe('all-errors: 4xx and 5xx above 0.5% for 1 window of 5m');
    expect(check.condition()).toBe('4xx and 5xx above 0.5%');
  });

  test.each([
    [0, 'HealthCheck.errorRate: maxErrorPercent is 0: an error rate is a percentage of requests above 0 and below 100. Use the share of failing requests you tolerate, such as 1 for 1%.'],
    [100, 'HealthCheck.errorRate: maxErrorPercent is 100: an error rate is a percentage of requests above 0 and below 100. Use the share of failing requests you tolerate, such as 1 for 1%.'],
    [-1, 'HealthCheck.errorRate: maxErrorPercent is -1: an error rate is a percentage of requests above 0 and below 100. Use the share of failing requests you tolerate, such as 1 for 1%.'],
    [NaN, 'HealthCheck.errorRate: maxErrorPercent is NaN: an error rate is a percentage of requests above 0 and below 100. Use the share of failing requests you tolerate, such as 1 for 1%.'],
    ['1', 'HealthCheck.errorRate: maxErrorPercent is "1": an error rate is a percentage of requests above 0 and below 100. Use the share of failing requests you tolerate, such as 1 for 1%.'],
  ])('refuses a rate of %p', (value, message) => {
    expectValidationError(() => HealthCheck.errorRate({ maxErrorPercent: value as number }), message);
  });

  test('refuses what is not a props object, and an unknown kind of failed request', () => {
    expectValidationError(() => HealthCheck.errorRate(1 as any),
      'HealthCheck.errorRate: props is 1: it must be an object. Pass an object such as { maxErrorPercent: 1 }.');
    expectValidationError(() => HealthCheck.errorRate({ maxErrorPercent: 1, failedRequests: '5xx' as any }),
      'HealthCheck.errorRate: failedRequests is "5xx": it must be one of SERVER_ERRORS, CLIENT_AND_SERVER_ERRORS. Use FailedRequests.SERVER_ERRORS (5xx) or FailedRequests.CLIENT_AND_SERVER_ERRORS (4xx and 5xx).');
  });
});

describe('HealthCheck.latency', () => {
  test('names itself by percentile and describes its budget', () => {
    expect(p99.name).toBe('latency-p99');
    expect(p99.maxLatency?.toMilliseconds()).toBe(800);
    expect(p99.describe()).toBe('latency-p99: p99 above 800ms for 2 windows of 1m (10+ requests)');
    const p999 = HealthCheck.latency({ percentile: 99.9, maxLatency: Duration.seconds(2) });
    expect(p999.name).toBe('latency-p99-9');
    expect(p999.condition()).toBe('p99.9 above 2s');
    expect(HealthCheck.latency({ percentile: 50, maxLatency: Duration.millis(1500) }).condition()).toBe('p50 above 1.5s');
  });

  test.each([
    [{ percentile: 0, maxLatency: Duration.seconds(1) }, 'HealthCheck.latency: percentile is 0: a percentile is above 0 and below 100. Use 99 for p99, 99.9 for p99.9 or 50 for the median.'],
    [{ percentile: 100, maxLatency: Duration.seconds(1) }, 'HealthCheck.latency: percentile is 100: a percentile is above 0 and below 100. Use 99 for p99, 99.9 for p99.9 or 50 for the median.'],
    [{ percentile: 99.995, maxLatency: Duration.seconds(1) }, 'HealthCheck.latency: percentile is 99.995: percentiles have at most two decimal places, as CloudWatch statistics do (p99.99). Round the percentile, for example to 99.99.'],
    [{ percentile: 99, maxLatency: Duration.millis(0) }, 'HealthCheck.latency: maxLatency is 0 millis: a latency budget is above zero. Pass a Duration such as Duration.millis(800).'],
    [{ percentile: 99, maxLatency: 800 }, 'HealthCheck.latency: maxLatency is 800: it must be a Duration. Pass a Duration such as Duration.millis(800).'],
    [{ percentile: 99, maxLatency: Duration.hours(2) }, 'HealthCheck.latency: maxLatency is 2 hours: a latency budget is at most an hour. Pass the latency at which users are hurt, such as Duration.seconds(2).'],
  ])('refuses %p', (props, message) => {
    expectValidationError(() => HealthCheck.latency(props as any), message);
  });
});

describe('HealthCheck.prometheus', () => {
  test('holds the query and its bounds, and counts no requests', () => {
    const check = HealthCheck.prometheus({ name: 'queue-depth', query: ' sum(queue_depth) ', maxValue: 100, minValue: 1 });
    expect(check).toMatchObject({ kind: HealthCheckKind.PROMETHEUS, query: 'sum(queue_depth)', maxValue: 100, minValue: 1, minimumRequests: 0 });
    expect(check.describe()).toBe('queue-depth: query above 100 or below 1 for 2 windows of 1m');
  });

  test.each([
    [{ name: 'q', query: '' }, 'HealthCheck.prometheus: query is "": a Prometheus check needs a PromQL query. Pass a query returning one number per window, such as "sum(rate(jobs_failed_total[1m]))".'],
    [{ name: 'q', query: 'up' }, 'HealthCheck.prometheus: maxValue is undefined: a check needs a bound to fail on. Set maxValue (windows above it fail), minValue (windows below it fail), or both.'],
    [{ name: 'q', query: 'up', maxValue: 1, minValue: 2 }, 'HealthCheck.prometheus: minValue is 2: it is above maxValue (1), so every window would fail. Set minValue at or below maxValue.'],
    [{ name: 'q', query: 'up', maxValue: Infinity }, 'HealthCheck.prometheus: maxValue is Infinity: a bound is a finite number. Pass a number, or leave maxValue out.'],
    [{ name: 'Queue', query: 'up', maxValue: 1 }, 'HealthCheck.prometheus: name is "Queue": a name must be a DNS label: 1-63 lowercase letters, digits or "-", starting and ending with a letter or digit. Use a name such as "queue-depth".'],
    [{ name: 'q', query: 'up', maxValue: 1, minimumRequests: 5 }, 'HealthCheck.prometheus: minimumRequests is 5: the library cannot count the requests behind a query it did not write. Filter quiet windows out in the query (an empty result gives no verdict), and leave minimumRequests out.'],
  ])('refuses %p', (props, message) => {
    expectValidationError(() => HealthCheck.prometheus(props as any), message);
  });
});

describe('windows', () => {
  test.each([
    [{ window: Duration.millis(500) }, 'HealthCheck.errorRate: window is 500 millis: durations are whole seconds. Round the duration to whole seconds.'],
    [{ window: Duration.seconds(0) }, 'HealthCheck.errorRate: window is 0 seconds: it must be at least 1 second. A window is the stretch of traffic judged at once; use at least Duration.seconds(10), typically Duration.minutes(1).'],
    [{ failingWindows: 0 }, 'HealthCheck.errorRate: failingWindows is 0: it is a whole number from 1 to 1,000,000. Use 1 to roll back on the first failing window, or more to ride out a single bad one.'],
    [{ failingWindows: 1.5 }, 'HealthCheck.errorRate: failingWindows is 1.5: it is a whole number from 1 to 1,000,000. Use 1 to roll back on the first failing window, or more to ride out a single bad one.'],
    [{ minimumRequests: -1 }, 'HealthCheck.errorRate: minimumRequests is -1: it is a whole number from 0 to 1,000,000. Use the fewest requests a window needs to be judged, such as 10, or 0 to judge every window with traffic.'],
    [{ name: 'Error Rate' }, 'HealthCheck.errorRate: name is "Error Rate": a name must be a DNS label: 1-63 lowercase letters, digits or "-", starting and ending with a letter or digit. Use a name such as "error-rate".'],
  ])('refuses %p', (options, message) => {
    expectValidationError(() => HealthCheck.errorRate({ maxErrorPercent: 1, ...options as any }), message);
  });
});

describe('on strategies', () => {
  const house = Strategy.canary({ steps: [{ weight: 10, gate: StepGate.bake(Duration.minutes(10)) }], healthChecks: [errorRate, p99] });

  test('every strategy takes health checks, and keeps them in order', () => {
    expect(house.healthChecks).toEqual([errorRate, p99]);
    expect(Strategy.allAtOnce({ healthChecks: [p99] }).healthChecks).toEqual([p99]);
    expect(Strategy.blueGreen({ healthChecks: [p99] }).healthChecks).toEqual([p99]);
    expect(Strategy.linear({ stepPercent: 25, interval: Duration.minutes(1), healthChecks: [p99] }).healthChecks).toEqual([p99]);
    expect(Strategy.CANARY_10PERCENT_5MINUTES.healthChecks).toEqual([]);
  });

  test('withHealthChecks replaces them and leaves the strategy itself alone', () => {
    const strict = house.withHealthChecks([...house.healthChecks, HealthCheck.errorRate({ name: 'any-error', maxErrorPercent: 5, failedRequests: FailedRequests.CLIENT_AND_SERVER_ERRORS })]);
    expect(strict.healthChecks.map(c => c.name)).toEqual(['error-rate', 'latency-p99', 'any-error']);
    expect(strict.steps).toEqual(house.steps);
    expect(strict.describe()).toBe(house.describe());
    expect(house.healthChecks).toHaveLength(2);
    expect(house.withHealthChecks([]).healthChecks).toEqual([]);
  });

  test('refuses two checks of one name and what is not a check', () => {
    const twins = [errorRate, HealthCheck.errorRate({ maxErrorPercent: 5 })];
    expectValidationError(() => Strategy.canary({ steps: [{ weight: 10, gate: StepGate.bake(Duration.minutes(1)) }], healthChecks: twins }),
      'Strategy.canary: healthChecks[1].name is "error-rate": healthChecks[0] has the same name, and a name picks one alarm or analysis metric. Give the checks different names with the name option, such as "latency-p99-strict".');
    expectValidationError(() => Strategy.blueGreen({ healthChecks: [{ kind: 'ERROR_RATE' } as any] }),
      'Strategy.blueGreen: healthChecks[0] is an object: a health check is made with HealthCheck.errorRate(), HealthCheck.latency(), HealthCheck.prometheus() or aws.CloudWatchHealthCheck. For example HealthCheck.errorRate({ maxErrorPercent: 1 }).');
    expectValidationError(() => Strategy.allAtOnce({ healthChecks: errorRate as any }),
      'Strategy.allAtOnce: healthChecks is a HealthCheck: it must be an array of health checks. Pass checks such as [HealthCheck.errorRate({ maxErrorPercent: 1 })], or [] for none.');
  });
});

describe('in the plan', () => {
  test('each step that holds while the new version has traffic is watched by every check', () => {
    const plan = Strategy.canary({
      steps: [
        { weight: 10, gate: StepGate.bake(Duration.minutes(10)) },
        { weight: 50, gate: StepGate.manualApproval() },
      ],
      healthChecks: [errorRate, p99],
    }).plan();
    expect(plan.healthChecks).toEqual([errorRate, p99]);
    expect(plan.steps.map(s => s.watchedBy)).toEqual([['error-rate', 'latency-p99'], ['error-rate', 'latency-p99'], undefined]);
    expect(plan.toTable()).toBe([
      'canary 10% (bake 10m) → 50% (manual approval) → 100%, capacity PROPORTIONAL',
      'step  at   stable  new   capacity  held by          watched by',
      '1     0s   90%     10%   110%      bake 10m         error-rate, latency-p99',
      '2     10m  50%     50%   150%      manual approval  error-rate, latency-p99',
      '3     10m  0%      100%  200%      done             -',
      'time to full traffic: 10m + 1 manual approval',
      'total duration:       10m + 1 manual approval',
      'peak capacity:        200% of steady state',
      'worst-case rollback:  instant (traffic switch)',
      'first-step blast radius: 10% of traffic',
      'rolled back by:      error-rate: 5xx above 1% for 2 windows of 1m (10+ requests)',
      '                     latency-p99: p99 above 800ms for 2 windows of 1m (10+ requests)',
    ].join('\n'));
  });

  test('blue-green: the test phase is watched only when a test route sends it traffic; the bake after the switch always', () => {
    const quiet = Strategy.blueGreen({ promotion: StepGate.manualApproval(), healthChecks: [errorRate] }).plan();
    expect(quiet.steps.map(s => s.watchedBy)).toEqual([undefined, ['error-rate']]);
    const tested = Strategy.blueGreen({
      testRoute: Match.header('x-env', 'green'),
      promotion: StepGate.manualApproval(),
      healthChecks: [errorRate],
    }).plan();
    expect(tested.steps.map(s => s.watchedBy)).toEqual([['error-rate'], ['error-rate']]);
  });

  test('a rollout may replace the strategy\'s checks in its plan', () => {
    const house = Strategy.CANARY_10PERCENT_5MINUTES;
    const plan = house.plan({ healthChecks: [p99] });
    expect(plan.healthChecks).toEqual([p99]);
    expect(plan.steps[0].watchedBy).toEqual(['latency-p99']);
    expect(house.plan().healthChecks).toEqual([]);
    expectValidationError(() => house.plan({ healthChecks: [p99, p99] }),
      'TrafficPlan: healthChecks[1].name is "latency-p99": healthChecks[0] has the same name, and a name picks one alarm or analysis metric. Give the checks different names with the name option, such as "latency-p99-strict".');
  });

  test('the JSON records the checks and the watchers, and leaves both out when there are none', () => {
    const json = Strategy.canary({ steps: [{ weight: 10, gate: StepGate.bake(Duration.minutes(5)) }], healthChecks: [errorRate] }).plan().toJson();
    expect(json.healthChecks).toEqual([{
      name: 'error-rate',
      kind: 'ERROR_RATE',
      description: 'error-rate: 5xx above 1% for 2 windows of 1m (10+ requests)',
      windowSeconds: 60,
      failingWindows: 2,
      minimumRequests: 10,
    }]);
    expect(json.steps[0].watchedBy).toEqual(['error-rate']);
    expect(checkPlanJson(JSON.parse(JSON.stringify(json)), 'here')).toBeDefined();
    const plain = JSON.parse(JSON.stringify(Strategy.CANARY_10PERCENT_5MINUTES.plan().toJson()));
    expect(plain.healthChecks).toBeUndefined();
    expect(plain.steps[0].watchedBy).toBeUndefined();
    expect(Strategy.CANARY_10PERCENT_5MINUTES.plan().toTable()).not.toContain('watched by');
  });

  test('random strategies and checks: watched steps hold, have traffic or a test route, and name every check', () => {
    fc.assert(fc.property(strategyArb, healthChecksArb, (strategy, checks) => {
      const plan = strategy.withHealthChecks(checks).plan();
      for (const step of plan.steps) {
        const judged = checks.length > 0 && step.gate !== undefined && (step.candidateWeight > 0 || strategy.testRoute !== undefined);
        expect(step.watchedBy).toEqual(judged ? checks.map(c => c.name) : undefined);
      }
      const table = plan.toTable();
      expect(table.includes('watched by')).toBe(checks.length > 0);
      for (const check of checks) expect(table).toContain(check.describe());
    }));
  });
});

describe('on experiments', () => {
  test('every variant is measured by the experiment\'s checks, listed in its table', () => {
    const experiment = new Experiment({ name: 'checkout', variants: [{ name: 'b', weight: 10 }], healthChecks: [errorRate, p99] });
    expect(experiment.healthChecks).toEqual([errorRate, p99]);
    expect(experiment.toTable(new Date('2026-01-01T00:00:00Z')).split('\n').slice(-2)).toEqual([
      'each variant measured by: error-rate: 5xx above 1% for 2 windows of 1m (10+ requests)',
      '                          latency-p99: p99 above 800ms for 2 windows of 1m (10+ requests)',
    ]);
    expect(new Experiment({ name: 'checkout', variants: [{ name: 'b', weight: 10 }] }).healthChecks).toEqual([]);
  });

  test('refuses checks that are not health checks', () => {
    expectValidationError(() => new Experiment({ name: 'checkout', variants: [{ name: 'b', weight: 10 }], healthChecks: ['error-rate' as any] }),
      'Experiment "checkout": healthChecks[0] is "error-rate": a health check is made with HealthCheck.errorRate(), HealthCheck.latency(), HealthCheck.prometheus() or aws.CloudWatchHealthCheck. For example HealthCheck.errorRate({ maxErrorPercent: 1 }).');
  });
});
