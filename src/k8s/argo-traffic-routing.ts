import { GatewayReference } from './http-route-rule';
import { gatewayReference, routeHostnames } from './private/gateway-match';
import { fail, struct } from '../core/private/validation';

/** Props for `ArgoTrafficRouting.gatewayApi()`. */
export interface ArgoGatewayApiRoutingProps {
  /** The Gateway the generated HTTPRoute attaches to. */
  readonly gateway: GatewayReference;

  /**
   * Host names the route serves (at most 16).
   *
   * @default - every host name the Gateway listener accepts
   */
  readonly hostnames?: string[];
}

/**
 * How an `ArgoRollout` sends traffic to the new version.
 *
 * - `replicaCount()`: no traffic router. A canary's share of traffic is its share of the pods
 *   behind one Service, so weights are rounded to whole replicas; a blue-green rollout switches
 *   the selectors of its active and preview Services.
 * - `gatewayApi()`: an HTTPRoute on a Gateway. A canary's weights are exact: the Argo Rollouts
 *   Gateway API plugin (`argoproj-labs/gatewayAPI`) rewrites the backend weights of the HTTPRoute
 *   the `ArgoRollout` creates, in the chart's namespace (which a canary then needs). The plugin is
 *   not part of the controller: register it under that name in the `trafficRouterPlugins` key of
 *   the `argo-rollouts-config` ConfigMap, in the controller's namespace, with the location of its
 *   binary, and give the controller's service account access to HTTPRoutes. A blue-green
 *   rollout's HTTPRoute sends the strategy's test route to the preview Service and everything else
 *   to the active one.
 *
 * @example
 * k8s.ArgoTrafficRouting.replicaCount();
 * k8s.ArgoTrafficRouting.gatewayApi({ gateway: { name: 'public-gateway', namespace: 'gateways' }, hostnames: ['shop.example.com'] });
 */
export class ArgoTrafficRouting {
  /** No traffic router: traffic follows the number of pods of each version. */
  public static replicaCount(): ArgoTrafficRouting {
    return new ArgoTrafficRouting(undefined, undefined);
  }

  /** An HTTPRoute on a Gateway, with canary weights set by the Argo Rollouts Gateway API plugin. */
  public static gatewayApi(props: ArgoGatewayApiRoutingProps): ArgoTrafficRouting {
    const where = 'ArgoTrafficRouting.gatewayApi';
    struct(`${where}: props`, props, 'Pass { gateway: { name: "public-gateway" } }.');
    const gateway = gatewayReference(`${where}: gateway`, props.gateway);
    const hostnames = routeHostnames(`${where}: hostnames`, props.hostnames);
    return new ArgoTrafficRouting(gateway, hostnames);
  }

  /** @internal */
  public static _require(prop: string, value: unknown): ArgoTrafficRouting {
    if (!(value instanceof ArgoTrafficRouting)) {
      fail(prop, value, 'traffic routing is made with ArgoTrafficRouting.replicaCount() or ArgoTrafficRouting.gatewayApi()',
        'For example ArgoTrafficRouting.gatewayApi({ gateway: { name: "public-gateway" } }).');
    }
    return value;
  }

  /** The Gateway the HTTPRoute attaches to; undefined for `replicaCount()`. */
  public readonly gateway?: GatewayReference;
  /** Host names the HTTPRoute serves; undefined for every host name, or for `replicaCount()`. */
  public readonly hostnames?: string[];

  private constructor(gateway: GatewayReference | undefined, hostnames: string[] | undefined) {
    this.gateway = gateway && Object.freeze(gateway);
    this.hostnames = hostnames && Object.freeze([...hostnames]) as string[];
  }

  /** Whether traffic goes through a Gateway API HTTPRoute. */
  public get usesGatewayApi(): boolean {
    return this.gateway !== undefined;
  }

  /** How the routing is made, for messages: `ArgoTrafficRouting.replicaCount()`, `ArgoTrafficRouting.gatewayApi(public-gateway)`. */
  public describe(): string {
    if (!this.gateway) return 'ArgoTrafficRouting.replicaCount()';
    const ns = this.gateway.namespace ? `${this.gateway.namespace}/` : '';
    return `ArgoTrafficRouting.gatewayApi(${ns}${this.gateway.name})`;
  }
}
