import { describe, expect, it } from 'vitest';
import { NOT_JSON, snapshotJSON } from '../../src/json/snapshot.js';

describe('snapshotJSON', () => {
  it('copies plain data into a new object the caller cannot change afterwards', () => {
    const input = { kty: 'EC', key_ops: ['verify'], nested: { a: [1, null, true] } };
    const { value, problems } = snapshotJSON(input);
    expect(value).toEqual(input);
    expect(value).not.toBe(input);
    input.key_ops.push('sign');
    expect((value as typeof input).key_ops).toEqual(['verify']);
    expect(problems).toEqual([]);
  });

  it('reads own data properties only: no getters called, nothing inherited', () => {
    let called = false;
    const proto = { kty: 'RSA' };
    const input = Object.create(proto, {
      n: {
        get() {
          called = true;
          return 'x';
        },
        enumerable: true,
      },
      e: { value: 'AQAB', enumerable: true },
      hidden: { value: 'no', enumerable: false },
    });
    const { value } = snapshotJSON(input);
    // A non-plain prototype makes the whole object non-JSON data.
    expect(value).toBe(NOT_JSON);
    const plain = Object.defineProperties({} as Record<string, unknown>, {
      n: {
        get() {
          called = true;
          return 'x';
        },
        enumerable: true,
      },
      e: { value: 'AQAB', enumerable: true },
    });
    expect(snapshotJSON(plain).value).toEqual({ e: 'AQAB' });
    expect(called).toBe(false);
  });

  it('marks values JSON cannot carry and drops undefined members', () => {
    const { value } = snapshotJSON({
      a: undefined,
      f: () => 1,
      b: 1n,
      n: Number.NaN,
      d: new Date(0),
      s: Symbol('s'),
      list: [undefined, 1],
    });
    expect(value).toEqual({
      f: NOT_JSON,
      b: NOT_JSON,
      n: NOT_JSON,
      d: NOT_JSON,
      s: NOT_JSON,
      list: [NOT_JSON, 1],
    });
  });

  it('keeps "__proto__" as an own member without touching the prototype', () => {
    const input = JSON.parse('{"__proto__":{"polluted":1}}');
    const { value } = snapshotJSON(input);
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
    expect(Object.hasOwn(value as object, '__proto__')).toBe(true);
  });

  it('reports cycles and deep nesting as JSON_TOO_DEEP', () => {
    const cyclic: Record<string, unknown> = { kty: 'oct' };
    cyclic.self = cyclic;
    expect(snapshotJSON(cyclic).problems).toMatchObject([{ code: 'JSON_TOO_DEEP', severity: 'error' }]);
    expect(snapshotJSON([[[1]]], { maxDepth: 2 }).problems[0]?.code).toBe('JSON_TOO_DEEP');
  });

  it('reports huge arrays as JSON_TOO_LONG without walking them', () => {
    const sparse: unknown[] = [];
    sparse.length = 2 ** 32 - 1;
    expect(snapshotJSON({ keys: sparse }).problems[0]?.code).toBe('JSON_TOO_LONG');
    expect(
      snapshotJSON({ keys: Array.from({ length: 100 }, () => ({})) }, { maxLength: 50 }).problems[0]?.code,
    ).toBe('JSON_TOO_LONG');
  });

  it('reports a throwing proxy as JSON_UNREADABLE instead of throwing', () => {
    const hostile = new Proxy(
      {},
      {
        ownKeys() {
          throw new Error('boom');
        },
      },
    );
    expect(snapshotJSON(hostile).problems).toMatchObject([{ code: 'JSON_UNREADABLE', severity: 'error' }]);
  });
});
