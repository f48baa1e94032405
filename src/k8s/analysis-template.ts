import { ApiObject, Lazy } from 'cdk8s';
import { Construct } from 'constructs';
import { AnalysisMetric } from './analysis-metric';
import { ARGO_API_VERSION, ArgoAnalysisTemplateSpec } from './private/argo-types';
import { formatSeconds } from '../core/private/format';
import { arrayOf, dnsLabel, fail, struct } from '../core/private/validation';

/** Props for an `AnalysisTemplate`. */
export interface AnalysisTemplateProps {
  /**
   * The template's name, a DNS label: the name a `StepGate.analysis({ name })` gives, and the
   * object's `metadata.name`, so it stays the same across deployments.
   */
  readonly name: string;

  /** What the analysis measures; it passes when every metric does. */
  readonly metrics: AnalysisMetric[];
}

/**
 * An Argo Rollouts `AnalysisTemplate` (`argoproj.io/v1alpha1`): the measurements an analysis gate
 * runs. Its name is the one the gate gives, `StepGate.analysis({ name })`; pass the template to the
 * `ArgoRollout` whose strategy has the gate, in the same namespace.
 *
 * Each metric measures at the end of every interval, so an analysis takes `count` × `interval`.
 * A metric without a count takes as many measurements as fit in the duration of the gate that
 * names the template; one template therefore serves gates of one duration.
 *
 * @example
 * new k8s.AnalysisTemplate(chart, 'ErrorRate', {
 *   name: 'error-rate',
 *   metrics: [k8s.AnalysisMetric.prometheus({
 *     name: 'success-rate',
 *     address: 'http://prometheus.monitoring:9090',
 *     query: 'sum(rate(http_requests_total{code!~"5.."}[1m])) / sum(rate(http_requests_total[1m]))',
 *     successCondition: 'result[0] >= 0.99',
 *   })],
 * });
 * // used by: Strategy.canary({ steps: [{ weight: 10, gate: StepGate.analysis({ name: 'error-rate', duration: Duration.minutes(5) }) }] })
 */
export class AnalysisTemplate extends ApiObject {
  /** The object's API version. */
  public static readonly API_VERSION = ARGO_API_VERSION;
  /** The object's kind. */
  public static readonly KIND = 'AnalysisTemplate';

  /** The template's name, as analysis gates name it. */
  public readonly templateName: string;
  /** What the analysis measures. */
  public readonly metrics: AnalysisMetric[];

  /** The gate duration the template serves, in seconds, once a rollout names it in a gate. */
  private boundSeconds?: number;
  private boundBy?: string;

  constructor(scope: Construct, id: string, props: AnalysisTemplateProps) {
    const where = `AnalysisTemplate ${scope?.node?.path ? `${scope.node.path}/` : ''}${id}`;
    struct(`${where}: props`, props, 'Pass { name, metrics }.');
    const name = dnsLabel(`${where}: name`, props.name, 'error-rate');
    const self: { template?: AnalysisTemplate } = {};
    super(scope, id, {
      apiVersion: AnalysisTemplate.API_VERSION,
      kind: AnalysisTemplate.KIND,
      metadata: { name },
      // Lazy: a metric's count may come from the gate that names the template, known only later.
      spec: Lazy.any({ produce: () => self.template!.renderSpec() }),
    });
    self.template = this;
    const metrics = arrayOf<AnalysisMetric>(`${where}: metrics`, props.metrics, 'Pass metrics such as [AnalysisMetric.prometheus({ ... })].')
      .map((m, i) => AnalysisMetric._require(`${where}: metrics[${i}]`, m));
    if (metrics.length === 0) {
      fail(`${where}: metrics`, metrics, 'an analysis needs at least one metric', 'Add a metric such as AnalysisMetric.prometheus({ ... }).');
    }
    const seen = new Set<string>();
    metrics.forEach((m, i) => {
      if (seen.has(m.name)) {
        fail(`${where}: metrics[${i}].name`, m.name, 'metric names are unique within a template', 'Give each metric its own name.');
      }
      seen.add(m.name);
    });
    this.templateName = name;
    this.metrics = Object.freeze(metrics) as AnalysisMetric[];
  }

  /**
   * @internal Called by a rollout for each analysis gate naming this template: checks that every
   * metric takes exactly `seconds` (count × interval) and fixes the count of metrics without one.
   *
   * @param prop the gate, as the rollout names it in errors
   * @param gate the gate's description, shown as the received value
   */
  public _bindGate(prop: string, gate: string, seconds: number): void {
    if (this.boundSeconds !== undefined && this.boundSeconds !== seconds) {
      fail(prop, gate, `AnalysisTemplate "${this.templateName}" already serves a gate of ${formatSeconds(this.boundSeconds)} (${this.boundBy}), and one template runs for one duration`,
        `Give both gates the same duration, or create a second AnalysisTemplate for the ${formatSeconds(seconds)} gate.`);
    }
    for (const metric of this.metrics) {
      const interval = metric._intervalSeconds;
      if (metric.count !== undefined) {
        if (metric.count * interval !== seconds) {
          const run = formatSeconds(metric.count * interval);
          fail(prop, gate,
            `metric "${metric.name}" of AnalysisTemplate "${this.templateName}" takes ${metric.count} measurement${metric.count === 1 ? '' : 's'} every ${formatSeconds(interval)} (${run}), and the gate holds the step for ${formatSeconds(seconds)}`,
            seconds % interval === 0
              ? `Set count to ${seconds / interval} on metric "${metric.name}", or give the gate a duration of ${run}.`
              : `Change the metric's count or interval, or give the gate a duration of ${run}.`);
        }
      } else if (seconds % interval !== 0) {
        fail(prop, gate,
          `metric "${metric.name}" of AnalysisTemplate "${this.templateName}" measures every ${formatSeconds(interval)}, and ${formatSeconds(seconds)} is not a whole number of intervals`,
          `Use an interval that divides ${formatSeconds(seconds)}, such as ${formatSeconds(largestDivisorUpTo(seconds, interval))}, or set count on the metric.`);
      } else {
        metric._checkFailureLimit(prop, seconds / interval, gate);
      }
    }
    this.boundSeconds = seconds;
    this.boundBy = prop;
  }

  /**
   * @internal The longest time any metric runs, for analyses that no gate times
   * (post-promotion); fails when a metric has no count and no gate names the template.
   */
  public _runSeconds(prop: string): number {
    return Math.max(...this.metrics.map(metric => {
      if (metric.count !== undefined) return metric.count * metric._intervalSeconds;
      if (this.boundSeconds !== undefined) return this.boundSeconds;
      return fail(prop, this.templateName,
        `metric "${metric.name}" of AnalysisTemplate "${this.templateName}" has no count, and no analysis gate names the template to give it a duration`,
        `Set count on metric "${metric.name}", such as count: 5.`);
    }));
  }

  private renderSpec(): ArgoAnalysisTemplateSpec {
    return {
      metrics: this.metrics.map(metric => metric._render(
        this.boundSeconds === undefined ? undefined : this.boundSeconds / metric._intervalSeconds)),
    };
  }
}

/** The largest divisor of `total` not above `limit`: an interval that fits the gate. */
function largestDivisorUpTo(total: number, limit: number): number {
  for (let d = Math.min(limit, total); d > 1; d--) {
    if (total % d === 0) return d;
  }
  return 1;
}
