// A platform team's house strategies, declared once and shared by every service team.
// Later examples render these same objects to ECS, Lambda and Kubernetes.
import { Duration } from 'aws-cdk-lib';
import { Experiment, Match, Release, StepGate, Strategy } from 'cdk-deploy-strategies';

/** Blue-green: testers reach the idle side with a header; a smoke analysis gates the switch. */
export const blueGreen = Strategy.blueGreen({
  testRoute: Match.header('x-env', 'green'),
  promotion: StepGate.analysis({ name: 'smoke-tests', duration: Duration.minutes(5) }),
  bakeTime: Duration.minutes(15),
});

/** Canary: 5% bakes while alarms watch, 25% waits for an analysis, 50% for a person. */
export const canary = Strategy.canary({
  steps: [
    { weight: 5, gate: StepGate.bake(Duration.minutes(10)) },
    { weight: 25, gate: StepGate.analysis({ name: 'error-rate', duration: Duration.minutes(15) }) },
    { weight: 50, gate: StepGate.manualApproval({ timeout: Duration.hours(4) }) },
  ],
});

/** Linear: 20% more every 5 minutes. */
export const linear = Strategy.linear({ stepPercent: 20, interval: Duration.minutes(5) });

/** A/B test: beta testers by cookie, mobile users by header, 10% of everyone else by weight. */
export const checkoutExperiment = new Experiment({
  name: 'one-click-checkout',
  variants: [
    { name: 'beta-testers', match: Match.cookie('beta', 'true') },
    { name: 'mobile', match: Match.headerRegex('user-agent', '.*Mobile.*'), weight: 50 },
    { name: 'one-click', weight: 10 },
  ],
  stickiness: Duration.days(1),
  endDate: new Date('2027-03-31T00:00:00Z'),
});

/** Multi-service: payments first, then orders and the storefront that need it. */
export const shopRelease = new Release({
  name: 'shop',
  services: [
    { name: 'payments', version: '2.4.0', strategy: canary },
    {
      name: 'orders',
      version: '5.1.0',
      strategy: blueGreen,
      dependsOn: [{ service: 'payments', versionRange: '>=2.0.0 <3.0.0' }],
    },
    {
      name: 'storefront',
      version: '12.0.3',
      strategy: Strategy.LINEAR_10PERCENT_EVERY_3MINUTES,
      dependsOn: [{ service: 'orders', versionRange: '^5.0.0' }, { service: 'payments' }],
    },
  ],
});
