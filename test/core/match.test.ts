import * as fc from 'fast-check';
import { Match, MatchKind, StrategyErrors } from '../../src';
import { expectValidationError, thrownBy } from '../support/validation-error';

const HEADER_NAME_LIMIT = 'a header name is a non-empty token (letters, digits and !#$%&\'*+-.^_`|~), without spaces or ":". Use a header name such as "x-canary".';
const COOKIE_NAME_LIMIT = 'a cookie name is a non-empty token (letters, digits and !#$%&\'*+-.^_`|~). Use the cookie name as the browser sends it, for example "beta".';
const COOKIE_VALUE_LIMIT = 'a cookie value is non-empty, without spaces, commas, semicolons or backslashes, and quoted only as a whole. Use the value as the browser sends it, for example "true".';
const NON_EMPTY_LIMIT = 'it must be a non-empty string.';
const HEADER_VALUE_LIMIT = 'a header value is non-empty visible text, without line breaks or surrounding spaces. Pass the value as the client sends it, for example "always".';
const PATTERN_FIX = 'Pass a regular expression, for example ".*Mobile.*".';
const QUERY_NAME_FIX = 'Pass the parameter name, for example "variant".';
const QUERY_VALUE_FIX = 'Pass the parameter value, for example "b".';
const REQUIRE_LIMIT = 'a match is made with Match.header(), Match.headerRegex(), Match.cookie() or Match.queryParameter(). For example Match.header("x-variant", "b").';

describe('Match.header', () => {
  test('selects requests by exact header value, keeping name and value as given', () => {
    const match = Match.header('X-Canary', 'always');
    expect(match.kind).toBe(MatchKind.HEADER_EXACT);
    expect(match.name).toBe('X-Canary');
    expect(match.value).toBe('always');
  });

  test('accepts every RFC 9110 token character in the name', () => {
    const name = '!#$%&\'*+-.^_`|~09AZaz';
    expect(Match.header(name, 'v').name).toBe(name);
  });

  test('accepts a value with spaces and punctuation', () => {
    expect(Match.header('x-user', 'a b; c=d').value).toBe('a b; c=d');
  });

  test('describes itself as header name=value', () => {
    expect(Match.header('x-canary', 'always').describe()).toBe('header x-canary=always');
  });

  test('rejects a name with a space', () => {
    expectValidationError(() => Match.header('x canary', 'always'),
      `Match.header: name is "x canary": ${HEADER_NAME_LIMIT}`);
  });

  test('rejects a name with a colon', () => {
    expectValidationError(() => Match.header('x-canary:', 'always'),
      `Match.header: name is "x-canary:": ${HEADER_NAME_LIMIT}`);
  });

  test('rejects an empty name', () => {
    expectValidationError(() => Match.header('', 'always'),
      `Match.header: name is "": ${HEADER_NAME_LIMIT}`);
  });

  test('rejects a non-string name from a JavaScript caller', () => {
    expectValidationError(() => Match.header(5 as any, 'always'),
      `Match.header: name is 5: ${HEADER_NAME_LIMIT}`);
  });

  test('rejects an undefined name from a JavaScript caller', () => {
    expectValidationError(() => Match.header(undefined as any, 'always'),
      `Match.header: name is undefined: ${HEADER_NAME_LIMIT}`);
  });

  test('rejects an empty value', () => {
    expectValidationError(() => Match.header('x-canary', ''),
      `Match.header: value is "": ${HEADER_VALUE_LIMIT}`);
  });

  test('rejects a non-string value from a JavaScript caller', () => {
    expectValidationError(() => Match.header('x-canary', true as any),
      `Match.header: value is true: ${HEADER_VALUE_LIMIT}`);
  });
});

describe('Match.headerRegex', () => {
  test('selects requests by header pattern', () => {
    const match = Match.headerRegex('User-Agent', '.*Mobile.*');
    expect(match.kind).toBe(MatchKind.HEADER_REGEX);
    expect(match.name).toBe('User-Agent');
    expect(match.value).toBe('.*Mobile.*');
  });

  test('describes itself as header name~/pattern/', () => {
    expect(Match.headerRegex('user-agent', '.*Mobile.*').describe()).toBe('header user-agent~/.*Mobile.*/');
  });

  test('rejects a pattern that is not a valid regular expression, quoting the engine error', () => {
    // The engine's own wording is part of the message; take it from the engine so the test holds across Node versions.
    const engineMessage = (thrownBy(() => new RegExp('(abc')) as Error).message;
    expectValidationError(() => Match.headerRegex('user-agent', '(abc'),
      `Match.headerRegex: pattern is "(abc": it is not a valid regular expression (${engineMessage}). `
      + 'Escape special characters such as "." or "(" with a backslash.');
  });

  test('rejects an empty pattern', () => {
    expectValidationError(() => Match.headerRegex('user-agent', ''),
      `Match.headerRegex: pattern is "": ${NON_EMPTY_LIMIT} ${PATTERN_FIX}`);
  });

  test('rejects a non-string pattern from a JavaScript caller', () => {
    expectValidationError(() => Match.headerRegex('user-agent', /Mobile/ as any),
      `Match.headerRegex: pattern is a RegExp: ${NON_EMPTY_LIMIT} ${PATTERN_FIX}`);
  });

  test('rejects a name with a space', () => {
    expectValidationError(() => Match.headerRegex('user agent', '.*'),
      `Match.headerRegex: name is "user agent": ${HEADER_NAME_LIMIT}`);
  });

  test('rejects a name with a colon', () => {
    expectValidationError(() => Match.headerRegex(':authority', '.*'),
      `Match.headerRegex: name is ":authority": ${HEADER_NAME_LIMIT}`);
  });

  test('rejects an empty name', () => {
    expectValidationError(() => Match.headerRegex('', '.*'),
      `Match.headerRegex: name is "": ${HEADER_NAME_LIMIT}`);
  });

  test('rejects a non-string name from a JavaScript caller', () => {
    expectValidationError(() => Match.headerRegex(null as any, '.*'),
      `Match.headerRegex: name is null: ${HEADER_NAME_LIMIT}`);
  });
});

describe('Match.cookie', () => {
  test('selects requests by cookie value', () => {
    const match = Match.cookie('beta', 'true');
    expect(match.kind).toBe(MatchKind.COOKIE);
    expect(match.name).toBe('beta');
    expect(match.value).toBe('true');
  });

  test('accepts a value using the edges of the RFC 6265 cookie-octet ranges', () => {
    const value = '!#+-:<[]~';
    expect(Match.cookie('beta', value).value).toBe(value);
  });

  test('describes itself as cookie name=value', () => {
    expect(Match.cookie('beta', 'true').describe()).toBe('cookie beta=true');
  });

  test('rejects a name with a space', () => {
    expectValidationError(() => Match.cookie('my beta', 'true'),
      `Match.cookie: name is "my beta": ${COOKIE_NAME_LIMIT}`);
  });

  test('rejects a name with "="', () => {
    expectValidationError(() => Match.cookie('beta=1', 'true'),
      `Match.cookie: name is "beta=1": ${COOKIE_NAME_LIMIT}`);
  });

  test('rejects an empty name', () => {
    expectValidationError(() => Match.cookie('', 'true'),
      `Match.cookie: name is "": ${COOKIE_NAME_LIMIT}`);
  });

  test('rejects a non-string name from a JavaScript caller', () => {
    expectValidationError(() => Match.cookie({ name: 'beta' } as any, 'true'),
      `Match.cookie: name is an object: ${COOKIE_NAME_LIMIT}`);
  });

  test('rejects a value with a semicolon', () => {
    expectValidationError(() => Match.cookie('beta', 'true;path=/'),
      `Match.cookie: value is "true;path=/": ${COOKIE_VALUE_LIMIT}`);
  });

  test('rejects a value with a space', () => {
    expectValidationError(() => Match.cookie('beta', 'yes please'),
      `Match.cookie: value is "yes please": ${COOKIE_VALUE_LIMIT}`);
  });

  test.each([
    ['a double quote inside', 'a"b', '"a\\"b"'],
    ['a comma', 'a,b', '"a,b"'],
    ['a backslash', 'a\\b', '"a\\\\b"'],
  ])('rejects a value with %s', (_label, value, printed) => {
    expectValidationError(() => Match.cookie('beta', value),
      `Match.cookie: value is ${printed}: ${COOKIE_VALUE_LIMIT}`);
  });

  test('rejects an empty value', () => {
    expectValidationError(() => Match.cookie('beta', ''),
      `Match.cookie: value is "": ${COOKIE_VALUE_LIMIT}`);
  });

  test('rejects a non-string value from a JavaScript caller', () => {
    expectValidationError(() => Match.cookie('beta', 1 as any),
      `Match.cookie: value is 1: ${COOKIE_VALUE_LIMIT}`);
  });
});

describe('Match.queryParameter', () => {
  test('selects requests by query parameter', () => {
    const match = Match.queryParameter('variant', 'b');
    expect(match.kind).toBe(MatchKind.QUERY_PARAMETER);
    expect(match.name).toBe('variant');
    expect(match.value).toBe('b');
  });

  test('describes itself as query name=value', () => {
    expect(Match.queryParameter('variant', 'b').describe()).toBe('query variant=b');
  });

  test('rejects an empty name', () => {
    expectValidationError(() => Match.queryParameter('', 'b'),
      `Match.queryParameter: name is "": ${NON_EMPTY_LIMIT} ${QUERY_NAME_FIX}`);
  });

  test('rejects an empty value', () => {
    expectValidationError(() => Match.queryParameter('variant', ''),
      `Match.queryParameter: value is "": ${NON_EMPTY_LIMIT} ${QUERY_VALUE_FIX}`);
  });

  test('rejects a non-string name from a JavaScript caller', () => {
    expectValidationError(() => Match.queryParameter(['variant'] as any, 'b'),
      `Match.queryParameter: name is an array of 1: ${NON_EMPTY_LIMIT} ${QUERY_NAME_FIX}`);
  });

  test('rejects a non-string value from a JavaScript caller', () => {
    expectValidationError(() => Match.queryParameter('variant', undefined as any),
      `Match.queryParameter: value is undefined: ${NON_EMPTY_LIMIT} ${QUERY_VALUE_FIX}`);
  });
});

describe('Match.sameAs', () => {
  test('is true for the same kind, name and value', () => {
    expect(Match.header('x-canary', 'always').sameAs(Match.header('x-canary', 'always'))).toBe(true);
  });

  test('compares header names case-insensitively', () => {
    expect(Match.header('X-Canary', 'always').sameAs(Match.header('x-canary', 'always'))).toBe(true);
    expect(Match.headerRegex('User-Agent', '.*Mobile.*').sameAs(Match.headerRegex('user-agent', '.*Mobile.*'))).toBe(true);
  });

  test('compares header values case-sensitively', () => {
    expect(Match.header('x-canary', 'Always').sameAs(Match.header('x-canary', 'always'))).toBe(false);
    expect(Match.headerRegex('user-agent', '.*Mobile.*').sameAs(Match.headerRegex('user-agent', '.*mobile.*'))).toBe(false);
  });

  test('compares query parameter names case-sensitively', () => {
    expect(Match.queryParameter('Variant', 'b').sameAs(Match.queryParameter('variant', 'b'))).toBe(false);
    expect(Match.queryParameter('variant', 'b').sameAs(Match.queryParameter('variant', 'b'))).toBe(true);
  });

  test('compares cookie names case-sensitively', () => {
    expect(Match.cookie('Beta', 'true').sameAs(Match.cookie('beta', 'true'))).toBe(false);
    expect(Match.cookie('beta', 'true').sameAs(Match.cookie('beta', 'true'))).toBe(true);
  });

  test('is false for different names or values of the same kind', () => {
    expect(Match.header('x-canary', 'always').sameAs(Match.header('x-variant', 'always'))).toBe(false);
    expect(Match.cookie('beta', 'true').sameAs(Match.cookie('beta', 'false'))).toBe(false);
    expect(Match.queryParameter('variant', 'b').sameAs(Match.queryParameter('variant', 'c'))).toBe(false);
  });

  test('is false for different kinds with the same name and value', () => {
    const all = [
      Match.header('beta', 'true'),
      Match.headerRegex('beta', 'true'),
      Match.cookie('beta', 'true'),
      Match.queryParameter('beta', 'true'),
    ];
    for (const a of all) {
      for (const b of all) {
        expect(a.sameAs(b)).toBe(a === b);
      }
    }
  });

  test('is false between a header and a header regex even when the name differs only in case', () => {
    expect(Match.header('X-Beta', 'true').sameAs(Match.headerRegex('x-beta', 'true'))).toBe(false);
  });
});

describe('Match._require', () => {
  test('returns the match it is given', () => {
    const match = Match.cookie('beta', 'true');
    expect(Match._require('Experiment: variants[0].match', match)).toBe(match);
  });

  test('rejects a string', () => {
    expectValidationError(() => Match._require('Experiment: variants[0].match', 'x-variant: b'),
      `Experiment: variants[0].match is "x-variant: b": ${REQUIRE_LIMIT}`);
  });

  test('rejects a plain object shaped like a match', () => {
    expectValidationError(() => Match._require('Experiment: variants[0].match', { kind: MatchKind.HEADER_EXACT, name: 'x-variant', value: 'b' }),
      `Experiment: variants[0].match is an object: ${REQUIRE_LIMIT}`);
  });

  test('rejects undefined', () => {
    expectValidationError(() => Match._require('Experiment: variants[0].match', undefined),
      `Experiment: variants[0].match is undefined: ${REQUIRE_LIMIT}`);
  });
});

describe('stricter request matching', () => {
  test.each([
    ['a line break', 'a\r\nb', '"a\\r\\nb"'],
    ['only spaces', '   ', '"   "'],
  ])('a header value with %s is refused', (_label, value, printed) => {
    expectValidationError(() => Match.header('x-canary', value),
      `Match.header: value is ${printed}: a header value is non-empty visible text, without line breaks or surrounding spaces. Pass the value as the client sends it, for example "always".`);
  });

  test('a cookie value quoted as a whole is accepted (RFC 6265)', () => {
    expect(Match.cookie('beta', '"true"').value).toBe('"true"');
  });

  test('query names and values cannot carry delimiters', () => {
    expectValidationError(() => Match.queryParameter('a=b', 'c'),
      'Match.queryParameter: name is "a=b": a parameter name cannot contain "=", "&", "#" or control characters. Pass the decoded name alone, for example "variant".');
    expectValidationError(() => Match.queryParameter('a', 'c&d'),
      'Match.queryParameter: value is "c&d": a parameter value cannot contain "&", "#" or control characters. Pass the decoded value alone, for example "b".');
  });

  test('sameAs refuses something that is not a Match', () => {
    expectValidationError(() => Match.header('x', 'y').sameAs(undefined as any),
      'Match.sameAs: other is undefined: a match is made with Match.header(), Match.headerRegex(), Match.cookie() or Match.queryParameter(). For example Match.header("x-variant", "b").');
  });
});

describe('random input', () => {
  test('every factory either builds a match that describes itself, or fails with the library\'s error', () => {
    const text = fc.oneof(fc.string(), fc.anything());
    const factories = [Match.header, Match.headerRegex, Match.cookie, Match.queryParameter];
    fc.assert(fc.property(fc.constantFrom(...factories), text, text, (factory, name, value) => {
      let match: Match;
      try {
        match = factory(name as any, value as any);
      } catch (e) {
        expect(StrategyErrors.isValidationError(e)).toBe(true);
        return;
      }
      expect(match.describe()).toContain(match.name);
      expect(match.sameAs(match)).toBe(true);
    }), { numRuns: 1000 });
  });
});

describe('patterns RE2 cannot run', () => {
  test.each(['(?=a)b', '(?!a)b', '(?<=a)b', '(?<!a)b', '(a)\\1'])('refuses %p', pattern => {
    expectValidationError(() => Match.headerRegex('user-agent', pattern),
      `Match.headerRegex: pattern is ${JSON.stringify(pattern)}: backends match headers with RE2, which has no lookahead, lookbehind or backreferences. Rewrite the pattern without (?=, (?!, (?<=, (?<! or \\1.`);
  });

  test('query values cannot carry control characters', () => {
    expectValidationError(() => Match.queryParameter('variant', 'b\nc'),
      'Match.queryParameter: value is "b\\nc": a parameter value cannot contain "&", "#" or control characters. Pass the decoded value alone, for example "b".');
  });
});
