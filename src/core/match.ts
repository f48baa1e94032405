import { fail } from './private/validation';

/** What part of a request a `Match` looks at, and how. */
export enum MatchKind {
  /** A request header equal to a value. */
  HEADER_EXACT = 'HEADER_EXACT',
  /** A request header matching a regular expression. */
  HEADER_REGEX = 'HEADER_REGEX',
  /** A cookie equal to a value. */
  COOKIE = 'COOKIE',
  /** A query string parameter equal to a value. */
  QUERY_PARAMETER = 'QUERY_PARAMETER',
}

// RFC 9110 token characters: what a header or cookie name may contain.
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
// RFC 6265 cookie-value: cookie-octets (no spaces, quotes, commas, semicolons or backslashes), optionally in double quotes.
const COOKIE_VALUE = /^("?)[\x21\x23-\x2B\x2D-\x3A\x3C-\x5B\x5D-\x7E]+\1$/;
// Header values are visible characters and inner spaces; CR or LF would split the header.
const HEADER_VALUE = /^[\x21-\x7E\x80-\uFFFF]([\x20-\x7E\x80-\uFFFF]*[\x21-\x7E\x80-\uFFFF])?$/;
// Characters that delimit query parameters, and control characters that no URL carries decoded.
const QUERY_DELIMITERS = /[&#\x00-\x1f\x7f]/;
// Constructs JavaScript accepts but RE2 (Envoy, Gateway API implementations) does not: lookaround and backreferences.
const NOT_RE2 = /\(\?<?[=!]|\\[1-9]/;

/**
 * Who is routed: requests selected by a header, a cookie or a query parameter.
 *
 * Used by test routes (blue-green, canary, linear) and by A/B test variants. Backends that have no condition for a
 * kind of match (a cookie on an ALB, any match on a plain Kubernetes Service) render it another way
 * or fail at synth, never silently.
 *
 * @example
 * import { Match } from 'cdk-deploy-strategies';
 *
 * Match.header('x-canary', 'always');
 * Match.headerRegex('user-agent', '.*Mobile.*');
 * Match.cookie('beta', 'true');
 * Match.queryParameter('variant', 'b');
 */
export class Match {
  /** Requests whose header `name` equals `value`. Header names are case-insensitive. */
  public static header(name: string, value: string): Match {
    const checkedName = headerName('Match.header: name', name);
    if (typeof value !== 'string' || !HEADER_VALUE.test(value)) {
      fail('Match.header: value', value, 'a header value is non-empty visible text, without line breaks or surrounding spaces',
        'Pass the value as the client sends it, for example "always".');
    }
    return new Match(MatchKind.HEADER_EXACT, checkedName, value);
  }

  /**
   * Requests whose header `name` matches the regular expression `pattern`.
   *
   * Backends that match by regular expression (Gateway API implementations, Envoy) use RE2 and
   * match the whole header value, so write a pattern for the whole value (`.*Mobile.*`, not
   * `Mobile`) and without lookaround or backreferences. The ALB has no regular expressions and
   * refuses this match at synth.
   */
  public static headerRegex(name: string, pattern: string): Match {
    const checkedName = headerName('Match.headerRegex: name', name);
    const checked = nonEmpty('Match.headerRegex: pattern', pattern, 'Pass a regular expression, for example ".*Mobile.*".');
    try {
      new RegExp(checked);
    } catch (e) {
      fail('Match.headerRegex: pattern', pattern, `it is not a valid regular expression (${(e as Error).message})`,
        'Escape special characters such as "." or "(" with a backslash.');
    }
    if (NOT_RE2.test(checked)) {
      fail('Match.headerRegex: pattern', pattern, 'backends match headers with RE2, which has no lookahead, lookbehind or backreferences',
        'Rewrite the pattern without (?=, (?!, (?<=, (?<! or \\1.');
    }
    return new Match(MatchKind.HEADER_REGEX, checkedName, checked);
  }

  /** Requests that carry the cookie `name` with the value `value`. */
  public static cookie(name: string, value: string): Match {
    if (typeof name !== 'string' || !TOKEN.test(name)) {
      fail('Match.cookie: name', name, 'a cookie name is a non-empty token (letters, digits and !#$%&\'*+-.^_`|~)',
        'Use the cookie name as the browser sends it, for example "beta".');
    }
    if (typeof value !== 'string' || !COOKIE_VALUE.test(value)) {
      fail('Match.cookie: value', value, 'a cookie value is non-empty, without spaces, commas, semicolons or backslashes, and quoted only as a whole',
        'Use the value as the browser sends it, for example "true".');
    }
    return new Match(MatchKind.COOKIE, name, value);
  }

  /** Requests whose query string has `name=value`. */
  public static queryParameter(name: string, value: string): Match {
    const checkedName = nonEmpty('Match.queryParameter: name', name, 'Pass the parameter name, for example "variant".');
    if (QUERY_DELIMITERS.test(checkedName) || checkedName.includes('=')) {
      fail('Match.queryParameter: name', name, 'a parameter name cannot contain "=", "&", "#" or control characters', 'Pass the decoded name alone, for example "variant".');
    }
    const checkedValue = nonEmpty('Match.queryParameter: value', value, 'Pass the parameter value, for example "b".');
    if (QUERY_DELIMITERS.test(checkedValue)) {
      fail('Match.queryParameter: value', value, 'a parameter value cannot contain "&", "#" or control characters', 'Pass the decoded value alone, for example "b".');
    }
    return new Match(MatchKind.QUERY_PARAMETER, checkedName, checkedValue);
  }

  /** @internal */
  public static _require(prop: string, value: unknown): Match {
    if (!(value instanceof Match)) {
      fail(prop, value, 'a match is made with Match.header(), Match.headerRegex(), Match.cookie() or Match.queryParameter()',
        'For example Match.header("x-variant", "b").');
    }
    return value;
  }

  /** What part of the request this match looks at. */
  public readonly kind: MatchKind;
  /** The header, cookie or query parameter name. */
  public readonly name: string;
  /** The value to compare with, or the regular expression for `HEADER_REGEX`. */
  public readonly value: string;

  private constructor(kind: MatchKind, name: string, value: string) {
    this.kind = kind;
    this.name = name;
    this.value = value;
  }

  /** Whether two matches select the same requests by the same rule. */
  public sameAs(other: Match): boolean {
    Match._require('Match.sameAs: other', other);
    const sameName = this.kind === MatchKind.QUERY_PARAMETER || this.kind === MatchKind.COOKIE
      ? this.name === other.name
      : this.name.toLowerCase() === other.name.toLowerCase();
    return this.kind === other.kind && sameName && this.value === other.value;
  }

  /** A short description: `header x-canary=always`, `header user-agent~/.*Mobile.*\/`, `cookie beta=true`, `query variant=b`. */
  public describe(): string {
    switch (this.kind) {
      case MatchKind.HEADER_EXACT:
        return `header ${this.name}=${this.value}`;
      case MatchKind.HEADER_REGEX:
        return `header ${this.name}~/${this.value}/`;
      case MatchKind.COOKIE:
        return `cookie ${this.name}=${this.value}`;
      case MatchKind.QUERY_PARAMETER:
        return `query ${this.name}=${this.value}`;
    }
  }
}

function headerName(prop: string, name: unknown): string {
  if (typeof name !== 'string' || !TOKEN.test(name)) {
    fail(prop, name, 'a header name is a non-empty token (letters, digits and !#$%&\'*+-.^_`|~), without spaces or ":"',
      'Use a header name such as "x-canary".');
  }
  return name;
}

function nonEmpty(prop: string, value: unknown, fix: string): string {
  if (typeof value !== 'string' || value.length === 0) {
    fail(prop, value, 'it must be a non-empty string', fix);
  }
  return value;
}
