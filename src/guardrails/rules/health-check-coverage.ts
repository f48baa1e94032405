import { IGuardrailRule } from '../rule';
import { GuardrailSubject } from '../subject';

/**
 * CDS-R8: every rollout, and every variant of an A/B experiment, is measured by at least one health
 * check (`HealthCheck.errorRate()`, `HealthCheck.latency()`...) that its backend renders. A rollout
 * nobody measures finishes on a bad version as readily as on a good one; an experiment nobody
 * measures per variant is routing, not an experiment.
 *
 * Backends that cannot measure (plain Kubernetes, a Gateway API route without a controller) report
 * no checks even when the strategy declares some, so the finding says what to change: a backend
 * with an engine, or a suppression saying what watches the release.
 *
 * @example
 * declare const app: App;
 * guardrails.Guardrails.apply(app, guardrails.GuardrailPack.recommended().withRule(new guardrails.HealthCheckCoverageRule()));
 */
export class HealthCheckCoverageRule implements IGuardrailRule {
  public readonly id = 'CDS-R8';
  public readonly explanation = 'every rollout and every A/B experiment variant is measured by a health check its backend renders';
  public readonly fix = 'Declare healthChecks on the strategy (or the experiment), such as [HealthCheck.errorRate({ maxErrorPercent: 1 })], '
    + 'on a backend that renders them (ECS, CodeDeploy, Lambda, ALB A/B tests, API Gateway stage canaries, Argo Rollouts, Flagger; Route 53 with a load balancer target, CloudFront and ALB weighted rollouts driven by RolloutDriver.stepFunctions())';

  public check(subject: GuardrailSubject): string[] {
    if (subject.healthChecks.length > 0) return [];
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
