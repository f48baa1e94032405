import { IGuardrailRule } from '../rule';
import { GuardrailSubject, RollbackTriggerKind } from '../subject';

/**
 * CDS-R8: every rollout, and every variant of an A/B experiment, is measured by at least one health
 * check (`HealthCheck.errorRate()`, `HealthCheck.latency()`...) that its backend renders. A rollout
 * nobody measures finishes on a bad version as readily as on a good one; an experiment nobody
 * measures per variant is routing, not an experiment. A rollout watched by measurements of the
 * user's own (alarms added with `addAlarm()`, an analysis gate or template, Flagger's built-in
 * metrics) is measured too; an experiment is measured only by checks its backend renders per
 * variant.
 *
 * Part of both packs.
 *
 * Backends that cannot measure (plain Kubernetes, a Gateway API route without a controller) report
 * no checks even when the strategy declares some, so the finding says what to change: a backend
 * with an engine, or a suppression saying what watches the release.
 *
 * @example
 * declare const app: App;
 * declare const dnsCanary: aws.WeightedDnsRollout;
 * guardrails.Guardrails.apply(app, guardrails.GuardrailPack.recommended()); // CDS-R8 included
 * guardrails.Guardrails.suppress(dnsCanary, 'CDS-R8', 'the on-call reads the dashboards before each step');
 */
export class HealthCheckCoverageRule implements IGuardrailRule {
  public readonly id = 'CDS-R8';
  public readonly explanation = 'every rollout and every A/B experiment variant is measured: by health checks its backend renders, or a rollout by alarms or an analysis of its own';
  public readonly fix = 'Declare healthChecks on the strategy (or the experiment), such as [HealthCheck.errorRate({ maxErrorPercent: 1 })], '
    + 'on a backend that renders them (ECS, CodeDeploy, Lambda, ALB and CloudFront A/B tests, API Gateway stage canaries, Argo Rollouts, Flagger, '
    + 'Gateway API experiments with a metricsSource; Route 53 with a load balancer target, CloudFront and ALB weighted rollouts driven by RolloutDriver.stepFunctions()), '
    + 'or watch a rollout with alarms or an analysis of your own';

  public check(subject: GuardrailSubject): string[] {
    if (subject.healthChecks.length > 0) return [];
    // Alarms and analyses of the user's own measure the new version as a health check would.
    const measuredByOwn = subject.rollbackTriggers.some(t => t.kind === RollbackTriggerKind.ALARM || t.kind === RollbackTriggerKind.ANALYSIS);
    if (subject.plan !== undefined && measuredByOwn) return [];
    const declared = (subject.plan ?? subject.experiment)?.healthChecks.length ?? 0;
    const why = declared === 0 ? 'no health check is declared'
      : `${declared === 1 ? 'its health check is' : `its ${declared} health checks are`} declared, but ${subject.backend} does not measure them`;
    if (subject.plan !== undefined) {
      return [`${subject.plan.strategy.describe()} on ${subject.backend}: nothing measures the new version (${why})`];
    }
    const experiment = subject.experiment;
    if (experiment !== undefined) {
      const names = [...experiment.variants.map(v => v.name), experiment.control];
      return [`experiment "${experiment.name}" on ${subject.backend}: nothing measures variants ${names.join(', ')} (${why})`];
    }
    return [];
  }
}
