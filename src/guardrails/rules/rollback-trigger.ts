import { struct } from '../../core/private/validation';
import { StrategyKind } from '../../core/strategy-kind';
import { IGuardrailRule } from '../rule';
import { GuardrailSubject, RollbackTriggerKind } from '../subject';

/** Options of the `RollbackTriggerRule`. */
export interface RollbackTriggerRuleProps {
  /**
   * Whether a health signal alone (the ECS circuit breaker, CodeDeploy's rollback of a failed
   * deployment, a Route 53 health check) is enough. It catches a version that does not start, not
   * one that serves errors; with `false` the rollout needs an alarm or an analysis.
   *
   * @default true
   */
  readonly acceptHealthChecks?: boolean;
}

/**
 * CDS-R1: a canary, linear or blue-green rollout has something that rolls it back automatically:
 * alarms, an analysis, or (unless refused) a health signal such as the ECS circuit breaker.
 *
 * Static-weight backends driven by a pipeline (Route 53, CloudFront and ALB weighted rollouts
 * without `RolloutDriver.stepFunctions()`, a Gateway API route without a controller, plain
 * Kubernetes) have none: their steps advance one deploy at a time, and a bad version stays until
 * someone deploys the previous step again.
 *
 * @example
 * new guardrails.RollbackTriggerRule({ acceptHealthChecks: false });
 */
export class RollbackTriggerRule implements IGuardrailRule {
  public readonly id = 'CDS-R1';
  public readonly explanation: string;
  public readonly fix: string;
  private readonly acceptHealthChecks: boolean;

  constructor(props: RollbackTriggerRuleProps = {}) {
    struct('RollbackTriggerRule: props', props, 'Pass { acceptHealthChecks }.');
    this.acceptHealthChecks = props.acceptHealthChecks ?? true;
    this.explanation = this.acceptHealthChecks
      ? 'a canary, linear or blue-green rollout has an automatic rollback trigger (alarms, an analysis or a health check)'
      : 'a canary, linear or blue-green rollout is rolled back automatically by alarms or an analysis';
    this.fix = 'Declare health checks (healthChecks on the strategy or the rollout, or addHealthCheck()) or add rollback alarms (addAlarm()) on AWS, '
      + 'or analysis gates (StepGate.analysis with an ArgoRollout or a FlaggerCanary) on Kubernetes, '
      + 'or use a backend that has them; drive Route 53, CloudFront and ALB weighted rollouts with RolloutDriver.stepFunctions(), which acts on their alarms; '
      + 'GatewayRollout, PlainCanary and PlainBlueGreen need a suppression saying what watches each step';
  }

  public check(subject: GuardrailSubject): string[] {
    const plan = subject.plan;
    if (plan === undefined || plan.strategy.kind === StrategyKind.ALL_AT_ONCE) return [];
    const triggers = subject.rollbackTriggers;
    const counted = this.acceptHealthChecks ? triggers : triggers.filter(t => t.kind !== RollbackTriggerKind.HEALTH_CHECK);
    if (counted.length > 0) return [];
    const have = triggers.length === 0 ? 'nothing rolls it back' : `only ${triggers.map(t => t.description).join(', ')}, a health signal`;
    return [`${plan.strategy.describe()} on ${subject.backend}: ${have}`];
  }
}
