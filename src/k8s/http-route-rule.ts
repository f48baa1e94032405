/** The parts of an HTTPRoute (`gateway.networking.k8s.io/v1`): where it attaches, what it matches, where it sends requests. */

/** The Gateway (or Gateway listener) an HTTPRoute attaches to. */
export interface GatewayReference {
  /** The Gateway's name. */
  readonly name: string;

  /**
   * The Gateway's namespace.
   *
   * @default - the route's namespace
   */
  readonly namespace?: string;

  /**
   * One listener of the Gateway, by name.
   *
   * @default - every listener of the Gateway that accepts the route
   */
  readonly sectionName?: string;
}

/** A header condition of an HTTPRoute match. */
export interface HttpHeaderMatch {
  /**
   * How the value is compared: `Exact` (the value itself) or `RegularExpression` (support and
   * dialect depend on the Gateway implementation). Anything else fails.
   */
  readonly type: string;
  /** The header name, case-insensitive. */
  readonly name: string;
  /** The value, or the regular expression it must match. */
  readonly value: string;
}

/** A query parameter condition of an HTTPRoute match. */
export interface HttpQueryParamMatch {
  /**
   * How the value is compared: `Exact` (the value itself) or `RegularExpression` (support and
   * dialect depend on the Gateway implementation). Anything else fails.
   */
  readonly type: string;
  /** The parameter name, case-sensitive. */
  readonly name: string;
  /** The value, or the regular expression it must match. */
  readonly value: string;
}

/** A path condition of an HTTPRoute match. */
export interface HttpPathMatch {
  /**
   * How the path is compared: `Exact` (the path itself), `PathPrefix` (the path or a path below
   * it, by whole segments) or `RegularExpression` (support and dialect depend on the Gateway
   * implementation). Anything else fails.
   */
  readonly type: string;
  /** The path or prefix, starting with `/`, or the regular expression; at most 1024 characters. */
  readonly value: string;
}

/** One match of an HTTPRoute rule: a request matches when every condition holds. */
export interface HttpRouteMatch {
  /**
   * The path condition.
   *
   * @default - the Gateway API default: every path (`PathPrefix /`)
   */
  readonly path?: HttpPathMatch;

  /**
   * Header conditions.
   *
   * @default - no header condition
   */
  readonly headers?: HttpHeaderMatch[];

  /**
   * Query parameter conditions.
   *
   * @default - no query parameter condition
   */
  readonly queryParams?: HttpQueryParamMatch[];
}

/** A Service an HTTPRoute rule sends requests to. */
export interface HttpBackendRef {
  /** The Service's name. */
  readonly name: string;

  /** The Service port, from 1 to 65535. */
  readonly port: number;

  /**
   * The backend's share of the rule's requests, relative to the other backends' weights (0-1,000,000).
   *
   * @default 1
   */
  readonly weight?: number;

  /**
   * The Service's namespace. Another namespace needs a ReferenceGrant there.
   *
   * @default - the route's namespace
   */
  readonly namespace?: string;
}

/** One rule of an HTTPRoute. */
export interface HttpRouteRule {
  /**
   * The requests the rule applies to: any of these matches, at most 64 per rule and 128 across
   * the route's rules.
   *
   * @default - every request: the API server adds one match, `PathPrefix /`, which counts
   * toward the 128
   */
  readonly matches?: HttpRouteMatch[];

  /** Where matching requests go, split by weight. */
  readonly backendRefs: HttpBackendRef[];
}
