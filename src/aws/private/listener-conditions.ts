import { isIPv4 } from 'net';

/** A query-string condition value: a parameter's value, under one key or any. */
export interface QueryValue {
  readonly key?: string;
  readonly value: string;
}

/**
 * One condition of an ALB listener rule as synthesized, read for comparison: its field, the header
 * name of an http-header condition, and its values (a request meets the condition when it matches
 * any of them). `known` is false for what cannot be compared at synth: values that are tokens,
 * regular-expression values, fields this check does not read.
 */
export interface ListenerCondition {
  readonly field: string;
  /** The header of an http-header condition, in lower case (the ALB compares names without regard to case). */
  readonly name?: string;
  readonly values: Array<string | QueryValue>;
  readonly known: boolean;
}

/** The configuration key of each field that has one, and whether the ALB compares its values without regard to case. */
const FIELDS: Record<string, { config: string; caseless: boolean }> = {
  'host-header': { config: 'hostHeaderConfig', caseless: true },
  'path-pattern': { config: 'pathPatternConfig', caseless: false },
  'http-header': { config: 'httpHeaderConfig', caseless: true },
  'query-string': { config: 'queryStringConfig', caseless: true },
  'source-ip': { config: 'sourceIpConfig', caseless: false },
  'http-request-method': { config: 'httpRequestMethodConfig', caseless: false },
};

/**
 * Reads the resolved `conditions` of a `CfnListenerRule` (the camel-case shape aws-cdk-lib renders,
 * `values` at the top level included, as legacy conditions have them). Undefined when the list
 * itself is not known at synth.
 */
export function readConditions(resolved: unknown): ListenerCondition[] | undefined {
  if (!Array.isArray(resolved)) return undefined;
  return resolved.map(readCondition);
}

function readCondition(raw: any): ListenerCondition {
  const unknown = (field: unknown): ListenerCondition => ({ field: typeof field === 'string' ? field : '?', values: [], known: false });
  if (typeof raw !== 'object' || raw === null || typeof raw.field !== 'string') return unknown(raw?.field);
  const field: string = raw.field;
  const spec = FIELDS[field];
  if (spec === undefined) return unknown(field);
  const config = raw[spec.config];
  const extra = config === undefined ? [] : Object.keys(config).filter(k => k !== 'values' && !(field === 'http-header' && k === 'httpHeaderName'));
  // Regular-expression values, and anything else a newer ALB may add, are left alone.
  if (extra.length > 0 || (config !== undefined && typeof config !== 'object')) return unknown(field);
  const values: unknown = config?.values ?? raw.values;
  if (!Array.isArray(values) || values.length === 0) return unknown(field);
  const fold = (s: string) => (spec.caseless ? s.toLowerCase() : s);
  let name: string | undefined;
  if (field === 'http-header') {
    if (typeof config?.httpHeaderName !== 'string') return unknown(field);
    name = config.httpHeaderName.toLowerCase();
  }
  const read: Array<string | QueryValue> = [];
  for (const value of values) {
    if (field === 'query-string') {
      if (typeof value !== 'object' || value === null || typeof value.value !== 'string'
        || (value.key !== undefined && typeof value.key !== 'string')) return unknown(field);
      read.push({ key: value.key === undefined ? undefined : fold(value.key), value: fold(value.value) });
    } else {
      if (typeof value !== 'string') return unknown(field);
      read.push(fold(value));
    }
  }
  return { field, name, values: read, known: true };
}

/** Whether a condition holds for every request: a path pattern or host of wildcards only, or every IPv4 and IPv6 source. */
export function isEveryRequest(condition: ListenerCondition): boolean {
  if (!condition.known) return false;
  const strings = condition.values as string[];
  switch (condition.field) {
    case 'path-pattern':
      // Every path starts with "/".
      return strings.some(v => /^\/?\*+$/.test(v));
    case 'host-header':
      return strings.some(v => /^\*+$/.test(v));
    case 'source-ip':
      return strings.some(v => v === '0.0.0.0/0') && strings.some(v => /^::\/0$/.test(v));
    default:
      return false;
  }
}

/**
 * Why every request that meets `later`'s conditions also meets `earlier`'s, one reason per
 * condition of `earlier`; undefined when that cannot be shown. Sound rather than complete: a
 * condition is taken in only when its values are (the ALB's `*` and `?` wildcards included), so an
 * undefined answer may hide a shadowing, but an answer is never wrong.
 */
export function coveredBy(earlier: ListenerCondition[] | undefined, later: ListenerCondition[] | undefined): string[] | undefined {
  if (earlier === undefined || later === undefined || earlier.length === 0) return undefined;
  const reasons: string[] = [];
  for (const outer of earlier) {
    if (!outer.known) return undefined;
    if (isEveryRequest(outer)) {
      reasons.push(`${describeCondition(outer)} matches every ${outer.field === 'path-pattern' ? 'path' : outer.field === 'host-header' ? 'host' : 'source'}`);
      continue;
    }
    const inner = later.find(c => c.known && c.field === outer.field && c.name === outer.name
      && c.values.every(v => outer.values.some(o => valueCovers(outer.field, o, v))));
    if (inner === undefined) return undefined;
    reasons.push(sameValues(outer, inner) ? `${describeCondition(outer)}, as its own` : `${describeCondition(outer)} takes in its ${describeCondition(inner)}`);
  }
  return reasons;
}

function sameValues(a: ListenerCondition, b: ListenerCondition): boolean {
  return JSON.stringify(a.values) === JSON.stringify(b.values);
}

function valueCovers(field: string, outer: string | QueryValue, inner: string | QueryValue): boolean {
  switch (field) {
    case 'source-ip':
      return cidrCovers(outer as string, inner as string);
    case 'http-request-method':
      return outer === inner;
    case 'query-string': {
      const o = outer as QueryValue;
      const i = inner as QueryValue;
      return (o.key === undefined || (i.key !== undefined && globCovers(o.key, i.key))) && globCovers(o.value, i.value);
    }
    default:
      return globCovers(outer as string, inner as string);
  }
}

/**
 * Whether every string the ALB pattern `inner` matches is matched by the pattern `outer` (`*` any
 * run of characters, `?` any one). `outer`'s `*` takes any run of `inner`'s symbols, its `?` any one
 * symbol but a `*`, and a character only itself: sound, since every string of `inner` then maps onto
 * `outer` the same way.
 */
export function globCovers(outer: string, inner: string): boolean {
  let previous = Array<boolean>(inner.length + 1).fill(false);
  previous[0] = true;
  for (const o of outer) {
    const current = Array<boolean>(inner.length + 1).fill(false);
    if (o === '*') {
      current[0] = previous[0];
      for (let j = 1; j <= inner.length; j++) current[j] = previous[j] || current[j - 1];
    } else {
      for (let j = 1; j <= inner.length; j++) {
        const c = inner[j - 1];
        const matches = o === '?' ? c !== '*' : c === o && c !== '*' && c !== '?';
        current[j] = matches && previous[j - 1];
      }
    }
    previous = current;
  }
  return previous[inner.length];
}

/** Whether the CIDR range `outer` holds every address of `inner` (same address family only). */
export function cidrCovers(outer: string, inner: string): boolean {
  const o = parseCidr(outer);
  const i = parseCidr(inner);
  if (o === undefined || i === undefined || o.bits !== i.bits || o.prefix > i.prefix) return false;
  const block = 2n ** BigInt(o.bits - o.prefix);
  return o.address / block === i.address / block;
}

function parseCidr(cidr: string): { bits: number; address: bigint; prefix: number } | undefined {
  const slash = cidr.lastIndexOf('/');
  if (slash < 0 || !/^\d{1,3}$/.test(cidr.slice(slash + 1))) return undefined;
  const prefix = Number(cidr.slice(slash + 1));
  const text = cidr.slice(0, slash);
  if (isIPv4(text)) return prefix <= 32 ? { bits: 32, address: BigInt(ipv4(text)), prefix } : undefined;
  const address = ipv6(text);
  return address === undefined || prefix > 128 ? undefined : { bits: 128, address, prefix };
}

function ipv4(text: string): number {
  return text.split('.').reduce((n, part) => n * 256 + Number(part), 0);
}

function ipv6(text: string): bigint | undefined {
  let address = text.toLowerCase();
  const tail = /(\d+\.\d+\.\d+\.\d+)$/.exec(address);
  if (tail !== null) {
    if (!isIPv4(tail[1])) return undefined;
    const n = ipv4(tail[1]);
    address = `${address.slice(0, tail.index)}${Math.floor(n / 65536).toString(16)}:${(n % 65536).toString(16)}`;
  }
  const halves = address.split('::');
  if (halves.length > 2) return undefined;
  const head = halves[0] ? halves[0].split(':') : [];
  const rest = halves.length === 2 && halves[1] ? halves[1].split(':') : [];
  const missing = 8 - head.length - rest.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return undefined;
  const groups = [...head, ...Array<string>(missing).fill('0'), ...rest];
  if (!groups.every(g => /^[0-9a-f]{1,4}$/.test(g))) return undefined;
  return groups.reduce((n, g) => n * 65536n + BigInt(parseInt(g, 16)), 0n);
}

/** A condition for messages: `path-pattern "/*"`, `http-header x-env "green"`, `source-ip 10.0.0.0/8`. */
export function describeCondition(condition: ListenerCondition): string {
  if (!condition.known) return `${condition.field} (not known at synth)`;
  const values = condition.values.map(v => {
    if (typeof v === 'string') return condition.field === 'source-ip' || condition.field === 'http-request-method' ? v : JSON.stringify(v);
    return v.key === undefined ? `${JSON.stringify(v.value)} (any parameter)` : JSON.stringify(`${v.key}=${v.value}`);
  }).join(', ');
  return condition.field === 'http-header' ? `http-header ${condition.name} ${values}` : `${condition.field} ${values}`;
}
