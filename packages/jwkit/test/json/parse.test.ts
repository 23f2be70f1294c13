import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { runs } from '../../../../test/helpers/keys.js';
import { JWKError } from '../../src/errors/index.js';
import { parseJSON } from '../../src/json/parse.js';

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(JWKError);
    return (e as JWKError).problems[0]?.code;
  }
  return undefined;
}

describe('parseJSON', () => {
  it('reads what JSON.parse reads, with the same value', () => {
    fc.assert(
      fc.property(fc.json(), (text) => {
        const { value, problems } = parseJSON(text);
        expect(value).toEqual(JSON.parse(text));
        expect(problems).toEqual([]);
      }),
      { numRuns: runs(300) },
    );
  });

  it('accepts exactly the texts JSON.parse accepts', () => {
    const jsonish = fc.stringMatching(/^[\s{}[\]",:0-9eE.+\-tfrunlsa\\/ubx]{0,40}$/);
    fc.assert(
      fc.property(
        fc.oneof(
          jsonish,
          fc.string(),
          fc.json().map((j) => j.slice(0, -1)),
        ),
        (text) => {
          let native = true;
          try {
            JSON.parse(text);
          } catch {
            native = false;
          }
          let ours = true;
          try {
            parseJSON(text);
          } catch (e) {
            expect(e).toBeInstanceOf(JWKError);
            ours = false;
          }
          expect(ours).toBe(native);
        },
      ),
      { numRuns: runs(1000) },
    );
  });

  it('reports each duplicate member with its path and keeps the last value, as JSON.parse does', () => {
    const { value, problems } = parseJSON(
      '{"keys":[{"kid":"a","n":"x"},{"kid":"a","kid":"b","kid":"c"}],"keys2":1}',
    );
    expect(value).toEqual({ keys: [{ kid: 'a', n: 'x' }, { kid: 'c' }], keys2: 1 });
    expect(problems.map((p) => [p.code, p.path, p.severity])).toEqual([
      ['JSON_DUPLICATE_MEMBER', 'keys[1].kid', 'error'],
      ['JSON_DUPLICATE_MEMBER', 'keys[1].kid', 'error'],
    ]);
    expect(parseJSON('{"x5t#S256":1,"x5t#S256":2}').problems[0]?.path).toBe('["x5t#S256"]');
  });

  it('treats "__proto__" as an ordinary member, never as the prototype', () => {
    const { value, problems } = parseJSON('{"__proto__":{"polluted":true},"a":1}');
    const obj = value as Record<string, unknown>;
    expect(Object.getPrototypeOf(obj)).toBe(Object.prototype);
    expect(Object.hasOwn(obj, '__proto__')).toBe(true);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect((obj as { polluted?: unknown }).polluted).toBeUndefined();
    expect(problems).toEqual([]);
  });

  it('reports syntax errors with line and column', () => {
    try {
      parseJSON('{\n  "kty": "EC",\n  "crv": P-256\n}');
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(JWKError);
      const p = (e as JWKError).problems[0]!;
      expect(p.code).toBe('JSON_SYNTAX');
      expect(p.message).toContain('line 3 column 10');
    }
    for (const bad of [
      '',
      ' ',
      '{"a":1,}',
      "{'a':1}",
      '[01]',
      'NaN',
      '"\u0001"',
      '"\\x"',
      '{"a" 1}',
      '1 2',
      '"abc',
    ]) {
      expect(codeOf(() => parseJSON(bad))).toBe('JSON_SYNTAX');
    }
  });

  it('ignores a leading byte order mark with a JSON_BOM warning', () => {
    const { value, problems } = parseJSON('\uFEFF{"keys":[]}');
    expect(value).toEqual({ keys: [] });
    expect(problems).toMatchObject([{ code: 'JSON_BOM', severity: 'warning', path: '' }]);
  });

  it('caps nesting depth without using the call stack', () => {
    expect(parseJSON('[[[1]]]', { maxDepth: 3 }).value).toEqual([[[1]]]);
    expect(codeOf(() => parseJSON('[[[[1]]]]', { maxDepth: 3 }))).toBe('JSON_TOO_DEEP');
    expect(codeOf(() => parseJSON('{"a":{"b":{"c":{}}}}', { maxDepth: 3 }))).toBe('JSON_TOO_DEEP');
    // Far deeper than any call stack, with the cap raised: still no RangeError.
    const deep = `${'['.repeat(200_000)}${']'.repeat(200_000)}`;
    expect(codeOf(() => parseJSON(deep))).toBe('JSON_TOO_DEEP');
    expect(parseJSON(deep, { maxDepth: 1_000_000 }).value).toBeInstanceOf(Array);
  });

  it('caps the text length before reading it', () => {
    expect(codeOf(() => parseJSON(`"${'a'.repeat(100)}"`, { maxLength: 50 }))).toBe('JSON_TOO_LONG');
    const big = JSON.stringify({ keys: Array.from({ length: 20_000 }, (_, i) => ({ kid: String(i) })) });
    expect(codeOf(() => parseJSON(big, { maxLength: 1000 }))).toBe('JSON_TOO_LONG');
    expect((parseJSON(big).value as { keys: unknown[] }).keys).toHaveLength(20_000);
  });

  it('rejects non-string input with a JWKError', () => {
    expect(codeOf(() => parseJSON(42 as unknown as string))).toBe('JSON_SYNTAX');
  });

  it('never throws anything but JWKError, on any input', () => {
    const mutated = fc
      .tuple(fc.json(), fc.nat(), fc.string({ maxLength: 3 }), fc.nat({ max: 3 }))
      .map(([text, at, insert, cut]) => {
        const i = at % (text.length + 1);
        return text.slice(0, i) + insert + text.slice(i + cut);
      });
    fc.assert(
      fc.property(
        fc.oneof(mutated, fc.string({ unit: 'binary' })),
        fc.integer({ min: 0, max: 70 }),
        (text, maxDepth) => {
          try {
            parseJSON(text, { maxDepth, maxLength: 10_000 });
          } catch (e) {
            expect(e).toBeInstanceOf(JWKError);
          }
        },
      ),
      { numRuns: runs(2000) },
    );
  });
});
