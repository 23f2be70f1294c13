import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ConversionError } from '../../src/errors/index.js';
import {
  bitString,
  type DERNode,
  decodeDER,
  encodeDER,
  Fields,
  oid,
  readBoolean,
  readOID,
  readSmallInt,
  readString,
  readTime,
  readUnsigned,
  sequence,
  TAG,
  unsignedInteger,
} from '../../src/pkix/asn1.js';

const RUNS = Number(process.env.FUZZ_RUNS ?? 300);
const bytes = (...b: number[]) => Uint8Array.from(b);

function code(fn: () => unknown): string | undefined {
  try {
    fn();
    return undefined;
  } catch (e) {
    expect(e).toBeInstanceOf(ConversionError);
    return (e as ConversionError).code;
  }
}

describe('decodeDER rejects what DER forbids', () => {
  it.each([
    ['an indefinite length', bytes(0x30, 0x80, 0x00, 0x00)],
    ['a long-form length below 128', bytes(0x04, 0x81, 0x05, 1, 2, 3, 4, 5)],
    ['a length with a leading zero byte', bytes(0x04, 0x82, 0x00, 0x80, ...new Uint8Array(128))],
    ['a 5-byte length field', bytes(0x04, 0x85, 0, 0, 0, 0, 1, 0)],
    ['a length past the end', bytes(0x04, 0x05, 1, 2)],
    ['trailing bytes', bytes(0x05, 0x00, 0x00)],
    ['a high tag number', bytes(0x1f, 0x81, 0x00, 0x00)],
    ['a constructed OCTET STRING', bytes(0x24, 0x03, 0x04, 0x01, 0x00)],
    ['a primitive SEQUENCE', bytes(0x10, 0x00)],
    ['end-of-contents octets', bytes(0x00, 0x00)],
    ['an empty input', bytes()],
    ['a truncated child', bytes(0x30, 0x03, 0x02, 0x05, 0x01)],
  ])('%s', (_, der) => {
    expect(code(() => decodeDER(der))).toBe('ERR_DER_MALFORMED');
  });

  it('caps depth, length and element count', () => {
    let nested: Uint8Array = bytes(0x05, 0x00);
    for (let i = 0; i < 40; i++) nested = sequence(nested);
    expect(code(() => decodeDER(nested))).toBe('ERR_DER_LIMIT');
    expect(code(() => decodeDER(nested, 'x', { maxDepth: 64 }))).toBeUndefined();
    expect(code(() => decodeDER(new Uint8Array(2_000_000)))).toBe('ERR_DER_LIMIT');
    const many = sequence(...Array.from({ length: 100 }, () => bytes(0x05, 0x00)));
    expect(code(() => decodeDER(many, 'x', { maxNodes: 50 }))).toBe('ERR_DER_LIMIT');
  });

  it('refuses non-Uint8Array input with a ConversionError', () => {
    expect(code(() => decodeDER('30' as never))).toBe('ERR_DER_MALFORMED');
  });
});

describe('primitive values', () => {
  const node = (der: Uint8Array): DERNode => decodeDER(der);

  it('INTEGERs must be minimal; readUnsigned strips the sign byte and refuses negatives', () => {
    expect(readUnsigned(node(bytes(0x02, 0x02, 0x00, 0x80)), 'i')).toEqual(bytes(0x80));
    expect(readUnsigned(node(bytes(0x02, 0x01, 0x00)), 'i')).toEqual(bytes(0));
    expect(code(() => readUnsigned(node(bytes(0x02, 0x02, 0x00, 0x7f)), 'i'))).toBe('ERR_DER_MALFORMED');
    expect(code(() => readUnsigned(node(bytes(0x02, 0x02, 0xff, 0x80)), 'i'))).toBe('ERR_DER_MALFORMED');
    expect(code(() => readUnsigned(node(bytes(0x02, 0x00)), 'i'))).toBe('ERR_DER_MALFORMED');
    expect(code(() => readUnsigned(node(bytes(0x02, 0x01, 0x80)), 'i'))).toBe('ERR_DER_STRUCTURE');
    expect(readSmallInt(node(unsignedInteger(bytes(0x09, 0x27, 0xc0))), 'n')).toBe(600000);
    expect(code(() => readSmallInt(node(unsignedInteger(bytes(1, 0, 0, 0, 0))), 'n'))).toBe(
      'ERR_DER_STRUCTURE',
    );
  });

  it('unsignedInteger writes the minimal encoding with a sign byte when needed', () => {
    expect(unsignedInteger(bytes(0, 0, 0x7f))).toEqual(bytes(0x02, 0x01, 0x7f));
    expect(unsignedInteger(bytes(0x80))).toEqual(bytes(0x02, 0x02, 0x00, 0x80));
    expect(unsignedInteger(bytes())).toEqual(bytes(0x02, 0x01, 0x00));
  });

  it('OIDs round-trip, including large arcs, and must be minimal', () => {
    for (const dotted of [
      '1.2.840.113549.1.1.1',
      '2.25.329800735698586629295641978511506172918',
      '0.9.2342.19200300.100.1.25',
      '2.999.3',
    ]) {
      expect(readOID(node(oid(dotted)), 'o')).toBe(dotted);
    }
    expect(code(() => readOID(node(bytes(0x06, 0x02, 0x80, 0x01)), 'o'))).toBe('ERR_DER_MALFORMED');
    expect(code(() => readOID(node(bytes(0x06, 0x01, 0x81)), 'o'))).toBe('ERR_DER_MALFORMED');
    expect(code(() => readOID(node(bytes(0x06, 0x00)), 'o'))).toBe('ERR_DER_MALFORMED');
  });

  it('BOOLEAN is 0x00 or 0xFF only', () => {
    expect(readBoolean(node(bytes(0x01, 0x01, 0xff)), 'b')).toBe(true);
    expect(readBoolean(node(bytes(0x01, 0x01, 0x00)), 'b')).toBe(false);
    expect(code(() => readBoolean(node(bytes(0x01, 0x01, 0x01)), 'b'))).toBe('ERR_DER_MALFORMED');
  });

  it('times follow RFC 5280 §4.1.2.5', () => {
    const t = (tag: number, s: string) => readTime(node(encodeDER(tag, new TextEncoder().encode(s))), 't');
    expect(t(TAG.UTC_TIME, '500101000000Z').toISOString()).toBe('1950-01-01T00:00:00.000Z');
    expect(t(TAG.UTC_TIME, '491231235959Z').toISOString()).toBe('2049-12-31T23:59:59.000Z');
    expect(t(TAG.GENERALIZED_TIME, '20500101000000Z').toISOString()).toBe('2050-01-01T00:00:00.000Z');
    expect(code(() => t(TAG.UTC_TIME, '230230000000Z'))).toBe('ERR_DER_MALFORMED');
    expect(code(() => t(TAG.GENERALIZED_TIME, '20230101000000.5Z'))).toBe('ERR_DER_MALFORMED');
    expect(code(() => t(TAG.UTC_TIME, '2301010000Z'))).toBe('ERR_DER_MALFORMED');
    expect(code(() => t(TAG.UTF8_STRING, '230101000000Z'))).toBe('ERR_DER_STRUCTURE');
  });

  it('directory strings decode per type', () => {
    const s = (tag: number, b: number[]) => readString(node(encodeDER(tag, Uint8Array.from(b))), 's');
    expect(s(TAG.UTF8_STRING, [0xc3, 0xa9])).toBe('é');
    expect(s(TAG.BMP_STRING, [0x00, 0xe9, 0x20, 0xac])).toBe('é€');
    expect(s(TAG.UNIVERSAL_STRING, [0, 1, 0xf6, 0x00])).toBe('😀');
    expect(s(TAG.T61_STRING, [0xe9])).toBe('é');
    expect(s(TAG.INTEGER, [1])).toBeUndefined();
    expect(code(() => s(TAG.UTF8_STRING, [0xc3]))).toBe('ERR_DER_MALFORMED');
    expect(code(() => s(TAG.BMP_STRING, [0]))).toBe('ERR_DER_MALFORMED');
    expect(code(() => s(TAG.UNIVERSAL_STRING, [0, 0x11, 0, 0]))).toBe('ERR_DER_MALFORMED');
  });
});

describe('Fields', () => {
  it('reads in order, skips absent optionals and refuses leftovers', () => {
    const der = sequence(unsignedInteger(bytes(1)), bitString(bytes(9)));
    const f = new Fields(decodeDER(der), 'thing');
    expect(f.optional(TAG.OCTET_STRING)).toBeUndefined();
    expect(readSmallInt(f.next(TAG.INTEGER, 'version'), 'v')).toBe(1);
    expect(() => f.end()).toThrow(/unexpected trailing field/);
    expect(() => f.next(TAG.INTEGER, 'key')).toThrow(/expected tag 0x02, found 0x03/);
    f.next(TAG.BIT_STRING, 'key');
    expect(() => f.end()).not.toThrow();
    expect(() => f.next(TAG.NULL, 'extra')).toThrow(/missing extra/);
  });
});

describe('properties', () => {
  /** A random DER tree built with the writer. */
  const tree: fc.Arbitrary<Uint8Array> = fc.letrec<{ node: Uint8Array }>((tie) => ({
    node: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      fc.uint8Array({ maxLength: 300 }).map((b) => encodeDER(TAG.OCTET_STRING, b)),
      fc.uint8Array({ maxLength: 40 }).map((b) => unsignedInteger(b)),
      fc.array(fc.nat(2 ** 40), { minLength: 1, maxLength: 6 }).map((arcs) => oid(`1.3.${arcs.join('.')}`)),
      fc.array(tie('node'), { maxLength: 5 }).map((children) => sequence(...children)),
    ),
  })).node;

  it('decode(encode(tree)) gives back every element byte for byte', () => {
    fc.assert(
      fc.property(tree, (der) => {
        const walk = (n: DERNode): Uint8Array =>
          n.constructed ? encodeDER(n.tag, ...n.children.map(walk)) : encodeDER(n.tag, n.value);
        expect(walk(decodeDER(der))).toEqual(der);
      }),
      { numRuns: RUNS },
    );
  });

  it('random bytes never throw anything but ConversionError', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (b) => {
        code(() => decodeDER(b));
      }),
      { numRuns: RUNS * 10 },
    );
  });
});
