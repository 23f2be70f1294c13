import { describe, expect, it } from 'vitest';
import { BoundedMap } from '../../src/set/bounded-map.js';

describe('BoundedMap (the one bounded cache)', () => {
  it('drops the oldest entry when a new key arrives at the bound', () => {
    const m = new BoundedMap<string, number>(2);
    m.set('a', 1).set('b', 2).set('c', 3);
    expect([...m.keys()]).toEqual(['b', 'c']);
  });

  it('replacing a present key evicts nothing', () => {
    const m = new BoundedMap<string, number>(2);
    m.set('a', 1).set('b', 2).set('a', 3);
    expect([...m.entries()]).toEqual([
      ['a', 3],
      ['b', 2],
    ]);
  });
});
