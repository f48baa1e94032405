import { IGuardrailRule } from '../rule';
import { GuardrailSubject } from '../subject';

const EVERYWHERE = /^(0\.0\.0\.0|::)\/0$/;

/**
 * CDS-R4: a test route (blue-green's, or a canary's or linear strategy's) is not open to the
 * internet.
 *
 * On AWS the route's sources are read from the construct: `testRouteSources` of an
 * `EcsRolloutService`, the source-ip condition of an `EcsNativeRollout` test rule, the ingress of
 * an `EcsCodeDeployRollout` test listener. Sources that include `0.0.0.0/0` or `::/0` break the
 * rule. A header or query value alone is no protection: anyone can send it.
 *
 * On Kubernetes (and CloudFront) the route has no source restriction the library could set or
 * read: a Gateway API HTTPRoute matches requests, not clients, so whoever reaches the Gateway and
 * sends the header reaches the new version. The rule reports such a route, and its suppression is
 * where a team writes down what keeps it private (an internal Gateway, a policy of the Gateway
 * implementation, authentication at the edge).
 *
 * @example
 * new guardrails.PrivateTestRouteRule();
 */
export class PrivateTestRouteRule implements IGuardrailRule {
  public readonly id = 'CDS-R4';
  public readonly explanation = 'a test route is not open to the internet';
  public readonly fix = 'On AWS limit testRouteSources to your private or office ranges; on Kubernetes attach the route to an internal Gateway '
    + '(or restrict it with your Gateway\'s policy) and suppress the rule saying so, or remove the test route and test through the preview Service';

  public check(subject: GuardrailSubject): string[] {
    const route = subject.testRoute;
    if (route === undefined) return [];
    if (route.sources === undefined) {
      return [`test route ${route.description} on ${subject.backend} admits every client that reaches it, with no source restriction`];
    }
    const open = route.sources.filter(s => EVERYWHERE.test(s.trim()));
    return open.length === 0 ? [] : [`test route ${route.description} is open to ${open.join(' and ')}`];
  }
}
