/**
 * A small, strict DER reader and writer (ITU-T X.690 §8 and §10): only what keys and certificates
 * need. Every input is untrusted, so the reader checks bounds on every read, rejects what DER
 * forbids (indefinite lengths, non-minimal lengths and integers, constructed strings, high tag
 * numbers), caps depth, size and node count, and throws nothing but `ConversionError`.
 */

import { ConversionError } from '../errors/index.js';

/** Identifier octets used by keys and certificates (X.690 §8.1.2; class and constructed bit included). */
export const TAG = Object.freeze({
  BOOLEAN: 0x01,
  INTEGER: 0x02,
  BIT_STRING: 0x03,
  OCTET_STRING: 0x04,
  NULL: 0x05,
  OID: 0x06,
  UTF8_STRING: 0x0c,
  NUMERIC_STRING: 0x12,
  PRINTABLE_STRING: 0x13,
  T61_STRING: 0x14,
  IA5_STRING: 0x16,
  UTC_TIME: 0x17,
  GENERALIZED_TIME: 0x18,
  VISIBLE_STRING: 0x1a,
  UNIVERSAL_STRING: 0x1c,
  BMP_STRING: 0x1e,
  SEQUENCE: 0x30,
  SET: 0x31,
});

/** `[n]` context-specific, constructed (EXPLICIT tagging or an IMPLICIT SEQUENCE). */
export function contextTag(n: number, constructed = true): number {
  return 0x80 | (constructed ? 0x20 : 0) | n;
}

export interface DERNode {
  /** The identifier octet (class, constructed bit and tag number). */
  readonly tag: number;
  readonly constructed: boolean;
  /** Offset of the identifier octet in the outermost input, for error messages. */
  readonly offset: number;
  /** The whole encoding (identifier, length and contents): what signatures and thumbprints cover. */
  readonly bytes: Uint8Array;
  /** The contents octets. */
  readonly value: Uint8Array;
  /** The decoded elements of a constructed node; empty for a primitive one. */
  readonly children: readonly DERNode[];
}

export interface DERLimits {
  /** Largest accepted input in bytes. Default 1 MiB (a 16384-bit RSA PKCS#8 key is about 10 KiB). */
  maxLength?: number;
  /** Deepest accepted nesting of constructed elements. Default 32 (a certificate needs about 10). */
  maxDepth?: number;
  /** Most elements accepted in one input. Default 20000. */
  maxNodes?: number;
}

const DEFAULT_LIMITS: Required<DERLimits> = { maxLength: 1 << 20, maxDepth: 32, maxNodes: 20_000 };

function malformed(what: string, offset: number, message: string): ConversionError {
  return new ConversionError('ERR_DER_MALFORMED', `${what} is not valid DER: ${message} (at byte ${offset})`);
}

/** Thrown when input is valid DER but not the structure expected (a wrong tag, a missing field). */
export function structureError(what: string, message: string): ConversionError {
  return new ConversionError('ERR_DER_STRUCTURE', `${what}: ${message}`);
}

/**
 * Decodes exactly one DER element that must span the whole input (trailing bytes are an error:
 * they would let two different byte strings mean the same key).
 */
export function decodeDER(input: Uint8Array, what = 'input', limits?: DERLimits): DERNode {
  if (!(input instanceof Uint8Array)) {
    throw new ConversionError('ERR_DER_MALFORMED', `${what} must be a Uint8Array of DER bytes`);
  }
  const lim = { ...DEFAULT_LIMITS, ...limits };
  if (input.length > lim.maxLength) {
    throw new ConversionError(
      'ERR_DER_LIMIT',
      `${what} is ${input.length} bytes, more than the ${lim.maxLength}-byte limit; raise maxLength if this is expected`,
    );
  }
  const state = { nodes: 0, lim, what };
  const [node, end] = readNode(input, 0, 0, state);
  if (end !== input.length)
    throw malformed(what, end, `${input.length - end} trailing byte(s) after the element`);
  return node;
}

interface ReadState {
  nodes: number;
  readonly lim: Required<DERLimits>;
  readonly what: string;
}

function readNode(buf: Uint8Array, pos: number, depth: number, st: ReadState): [DERNode, number] {
  const start = pos;
  if (++st.nodes > st.lim.maxNodes) {
    throw new ConversionError('ERR_DER_LIMIT', `${st.what} has more than ${st.lim.maxNodes} DER elements`);
  }
  if (pos >= buf.length) throw malformed(st.what, pos, 'truncated: expected an identifier octet');
  const tag = buf[pos++]!;
  const number = tag & 0x1f;
  const universal = (tag & 0xc0) === 0;
  const constructed = (tag & 0x20) !== 0;
  // High tag numbers (X.690 §8.1.2.4) never occur in keys or certificates; universal 0 is the
  // end-of-contents marker of indefinite lengths, which DER forbids.
  if (number === 0x1f)
    throw malformed(st.what, start, 'high tag numbers are not used by keys or certificates');
  if (universal && number === 0)
    throw malformed(st.what, start, 'end-of-contents octets (BER indefinite length)');
  // DER fixes the form of universal types: SEQUENCE and SET constructed, everything else
  // primitive (X.690 §10.2: no constructed strings).
  if (universal && constructed !== (number === 0x10 || number === 0x11)) {
    throw malformed(
      st.what,
      start,
      `universal tag ${number} in the wrong (${constructed ? 'constructed' : 'primitive'}) form`,
    );
  }
  if (pos >= buf.length) throw malformed(st.what, pos, 'truncated: expected a length');
  let length = buf[pos++]!;
  if (length & 0x80) {
    const n = length & 0x7f;
    if (n === 0) throw malformed(st.what, pos - 1, 'indefinite length (BER only, DER forbids it)');
    if (n > 4) throw malformed(st.what, pos - 1, `a ${n}-byte length field`);
    if (pos + n > buf.length) throw malformed(st.what, pos, 'truncated length');
    if (buf[pos] === 0) throw malformed(st.what, pos, 'non-minimal length (leading zero byte)');
    length = 0;
    for (let i = 0; i < n; i++) length = length * 256 + buf[pos++]!;
    // X.690 §10.1: the definite form must use the fewest octets.
    if (length < 0x80)
      throw malformed(st.what, pos - n - 1, 'non-minimal length (long form for a length below 128)');
  }
  if (length > buf.length - pos) {
    throw malformed(
      st.what,
      pos,
      `length ${length} runs past the end of the input (${buf.length - pos} bytes left)`,
    );
  }
  const end = pos + length;
  const value = buf.subarray(pos, end);
  const children: DERNode[] = [];
  if (constructed) {
    if (depth + 1 > st.lim.maxDepth) {
      throw new ConversionError('ERR_DER_LIMIT', `${st.what} nests deeper than ${st.lim.maxDepth} levels`);
    }
    let p = pos;
    while (p < end) {
      const [child, next] = readNode(buf, p, depth + 1, st);
      children.push(child);
      p = next;
    }
  }
  return [{ tag, constructed, offset: start, bytes: buf.subarray(start, end), value, children }, end];
}

/** Reads the fields of a SEQUENCE in order, with optional fields and a check that none are left. */
export class Fields {
  private index = 0;
  private readonly node: DERNode;
  private readonly what: string;

  constructor(node: DERNode, what: string, tag: number = TAG.SEQUENCE) {
    expectTag(node, tag, what);
    this.node = node;
    this.what = what;
  }

  /** The next field, which must carry `tag`. */
  next(tag: number, field: string): DERNode {
    const child = this.node.children[this.index];
    if (child === undefined) throw structureError(this.what, `missing ${field}`);
    expectTag(child, tag, `${this.what} ${field}`);
    this.index++;
    return child;
  }

  /** The next field if it carries `tag`, else `undefined` (nothing consumed). */
  optional(tag: number): DERNode | undefined {
    const child = this.node.children[this.index];
    if (child === undefined || child.tag !== tag) return undefined;
    this.index++;
    return child;
  }

  /** The next field whatever its tag (a CHOICE or an ANY). */
  any(field: string): DERNode {
    const child = this.node.children[this.index];
    if (child === undefined) throw structureError(this.what, `missing ${field}`);
    this.index++;
    return child;
  }

  get remaining(): number {
    return this.node.children.length - this.index;
  }

  /** Asserts every field was read: unknown trailing fields mean a structure we do not understand. */
  end(): void {
    if (this.index !== this.node.children.length) {
      throw structureError(
        this.what,
        `${this.node.children.length - this.index} unexpected trailing field(s)`,
      );
    }
  }
}

export function expectTag(node: DERNode, tag: number, what: string): void {
  if (node.tag !== tag) {
    throw structureError(
      what,
      `expected tag 0x${hex2(tag)}, found 0x${hex2(node.tag)} at byte ${node.offset}`,
    );
  }
}

function hex2(n: number): string {
  return n.toString(16).padStart(2, '0');
}

// ---------------------------------------------------------------------------------------------
// Primitive values

/**
 * An INTEGER as its unsigned big-endian magnitude, minimal (a single 0x00 for zero). Throws for
 * negative values: no key or certificate field we read may be negative.
 */
export function readUnsigned(node: DERNode, what: string): Uint8Array {
  const v = checkInteger(node, what);
  if (v[0]! & 0x80) throw structureError(what, 'is a negative INTEGER');
  return v.length > 1 && v[0] === 0 ? v.subarray(1) : v;
}

/** A small non-negative INTEGER (versions, iteration counts, lengths). */
export function readSmallInt(node: DERNode, what: string, max = 0x7fffffff): number {
  const v = readUnsigned(node, what);
  if (v.length > 4) throw structureError(what, `is larger than ${max}`);
  let n = 0;
  for (const b of v) n = n * 256 + b;
  if (n > max) throw structureError(what, `is ${n}, larger than ${max}`);
  return n;
}

/** The raw two's-complement contents of a minimally encoded INTEGER (X.690 §8.3.2). */
export function checkInteger(node: DERNode, what: string): Uint8Array {
  expectTag(node, TAG.INTEGER, what);
  const v = node.value;
  if (v.length === 0) throw malformed(what, node.offset, 'empty INTEGER');
  if (v.length > 1 && ((v[0] === 0 && !(v[1]! & 0x80)) || (v[0] === 0xff && v[1]! & 0x80))) {
    throw malformed(what, node.offset, 'non-minimal INTEGER encoding');
  }
  return v;
}

export function readOctetString(node: DERNode, what: string): Uint8Array {
  expectTag(node, TAG.OCTET_STRING, what);
  return node.value;
}

/** A BIT STRING holding whole octets (keys and signatures never have unused bits). */
export function readBitString(node: DERNode, what: string): Uint8Array {
  expectTag(node, TAG.BIT_STRING, what);
  const v = node.value;
  if (v.length === 0) throw malformed(what, node.offset, 'BIT STRING without its unused-bits octet');
  if (v[0] !== 0)
    throw structureError(what, `has ${v[0]} unused bits; a key or signature must be whole octets`);
  return v.subarray(1);
}

export function readNull(node: DERNode, what: string): void {
  expectTag(node, TAG.NULL, what);
  if (node.value.length !== 0) throw malformed(what, node.offset, 'NULL with contents');
}

export function readBoolean(node: DERNode, what: string): boolean {
  expectTag(node, TAG.BOOLEAN, what);
  const v = node.value;
  // X.690 §11.1: DER encodes TRUE as 0xFF only.
  if (v.length !== 1 || (v[0] !== 0 && v[0] !== 0xff))
    throw malformed(what, node.offset, 'BOOLEAN must be 0x00 or 0xFF');
  return v[0] === 0xff;
}

/** An OBJECT IDENTIFIER in dotted form (X.690 §8.19), with minimal subidentifiers. */
export function readOID(node: DERNode, what: string): string {
  expectTag(node, TAG.OID, what);
  const v = node.value;
  if (v.length === 0) throw malformed(what, node.offset, 'empty OBJECT IDENTIFIER');
  if (v.length > 128) throw malformed(what, node.offset, 'OBJECT IDENTIFIER longer than 128 bytes');
  const arcs: bigint[] = [];
  let acc = 0n;
  let fresh = true;
  for (const b of v) {
    if (fresh && b === 0x80)
      throw malformed(what, node.offset, 'non-minimal OBJECT IDENTIFIER subidentifier');
    acc = (acc << 7n) | BigInt(b & 0x7f);
    fresh = (b & 0x80) === 0;
    if (fresh) {
      arcs.push(acc);
      acc = 0n;
    }
  }
  if (!fresh) throw malformed(what, node.offset, 'truncated OBJECT IDENTIFIER');
  const first = arcs[0]!;
  const head = first < 40n ? [0n, first] : first < 80n ? [1n, first - 40n] : [2n, first - 80n];
  return [...head, ...arcs.slice(1)].join('.');
}

/** UTCTime or GeneralizedTime in the forms RFC 5280 §4.1.2.5 allows (seconds, `Z`, no fraction). */
export function readTime(node: DERNode, what: string): Date {
  const s = latin1(node.value);
  let m: RegExpExecArray | null;
  let year: number;
  if (node.tag === TAG.UTC_TIME) {
    m = /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(s);
    if (!m) throw malformed(what, node.offset, `UTCTime "${printable(s)}" is not YYMMDDHHMMSSZ`);
    const yy = Number(m[1]);
    // RFC 5280 §4.1.2.5.1: YY >= 50 means 19YY, otherwise 20YY.
    year = yy >= 50 ? 1900 + yy : 2000 + yy;
  } else if (node.tag === TAG.GENERALIZED_TIME) {
    m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(s);
    if (!m) throw malformed(what, node.offset, `GeneralizedTime "${printable(s)}" is not YYYYMMDDHHMMSSZ`);
    year = Number(m[1]);
  } else {
    throw structureError(what, `expected UTCTime or GeneralizedTime, found tag 0x${hex2(node.tag)}`);
  }
  const [mo, d, h, mi, se] = [2, 3, 4, 5, 6].map((i) => Number(m![i]));
  const t = Date.UTC(year, mo! - 1, d, h, mi, se);
  const date = new Date(t);
  // Date.UTC rolls over (Feb 30 -> Mar 2); a round trip exposes impossible dates.
  if (
    date.getUTCFullYear() !== year ||
    date.getUTCMonth() !== mo! - 1 ||
    date.getUTCDate() !== d ||
    date.getUTCHours() !== h ||
    date.getUTCMinutes() !== mi ||
    date.getUTCSeconds() !== se
  ) {
    throw malformed(what, node.offset, `"${printable(s)}" is not a valid date and time`);
  }
  return date;
}

/**
 * The text of a directory string (X.520 DirectoryString and friends), or `undefined` for a
 * type that is not a string. Teletex is read as Latin-1, which is what issuers put in it.
 */
export function readString(node: DERNode, what: string): string | undefined {
  const v = node.value;
  switch (node.tag) {
    case TAG.UTF8_STRING:
      try {
        return new TextDecoder('utf-8', { fatal: true }).decode(v);
      } catch {
        throw malformed(what, node.offset, 'UTF8String is not valid UTF-8');
      }
    case TAG.PRINTABLE_STRING:
    case TAG.IA5_STRING:
    case TAG.NUMERIC_STRING:
    case TAG.VISIBLE_STRING:
    case TAG.T61_STRING:
      return latin1(v);
    case TAG.BMP_STRING: {
      if (v.length % 2 !== 0) throw malformed(what, node.offset, 'BMPString of odd length');
      let out = '';
      for (let i = 0; i < v.length; i += 2) out += String.fromCharCode((v[i]! << 8) | v[i + 1]!);
      return out;
    }
    case TAG.UNIVERSAL_STRING: {
      if (v.length % 4 !== 0)
        throw malformed(what, node.offset, 'UniversalString length not a multiple of 4');
      let out = '';
      for (let i = 0; i < v.length; i += 4) {
        const cp = ((v[i]! << 24) | (v[i + 1]! << 16) | (v[i + 2]! << 8) | v[i + 3]!) >>> 0;
        if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) {
          throw malformed(what, node.offset, 'UniversalString holds an invalid code point');
        }
        out += String.fromCodePoint(cp);
      }
      return out;
    }
    default:
      return undefined;
  }
}

function latin1(v: Uint8Array): string {
  let s = '';
  for (const b of v) s += String.fromCharCode(b);
  return s;
}

function printable(s: string): string {
  return s.length > 40 ? `${s.slice(0, 40)}...` : s.replace(/[^\x20-\x7e]/g, '?');
}

// ---------------------------------------------------------------------------------------------
// Writer

/** One DER element from its identifier octet and contents (definite, minimal length). */
export function encodeDER(tag: number, ...contents: Uint8Array[]): Uint8Array {
  let length = 0;
  for (const c of contents) length += c.length;
  const head: number[] = [tag];
  if (length < 0x80) head.push(length);
  else {
    const lenBytes: number[] = [];
    for (let l = length; l > 0; l = Math.floor(l / 256)) lenBytes.unshift(l & 0xff);
    head.push(0x80 | lenBytes.length, ...lenBytes);
  }
  const out = new Uint8Array(head.length + length);
  out.set(head, 0);
  let p = head.length;
  for (const c of contents) {
    out.set(c, p);
    p += c.length;
  }
  return out;
}

export function sequence(...items: Uint8Array[]): Uint8Array {
  return encodeDER(TAG.SEQUENCE, ...items);
}

/** An INTEGER from an unsigned big-endian magnitude (leading zeros stripped, sign byte added). */
export function unsignedInteger(magnitude: Uint8Array): Uint8Array {
  let i = 0;
  while (i < magnitude.length - 1 && magnitude[i] === 0) i++;
  const m = magnitude.subarray(i);
  if (m.length === 0) return encodeDER(TAG.INTEGER, new Uint8Array([0]));
  return m[0]! & 0x80 ? encodeDER(TAG.INTEGER, new Uint8Array([0]), m) : encodeDER(TAG.INTEGER, m);
}

export function smallInteger(n: number): Uint8Array {
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
  return unsignedInteger(new Uint8Array(bytes));
}

export function octetString(bytes: Uint8Array): Uint8Array {
  return encodeDER(TAG.OCTET_STRING, bytes);
}

/** A BIT STRING of whole octets (no unused bits). */
export function bitString(bytes: Uint8Array): Uint8Array {
  return encodeDER(TAG.BIT_STRING, new Uint8Array([0]), bytes);
}

export function derNull(): Uint8Array {
  return new Uint8Array([TAG.NULL, 0]);
}

/** An OBJECT IDENTIFIER from its dotted form. */
export function oid(dotted: string): Uint8Array {
  const arcs = dotted.split('.').map((a) => BigInt(a));
  if (arcs.length < 2 || arcs[0]! > 2n)
    throw new ConversionError('ERR_DER_STRUCTURE', `"${dotted}" is not an OID`);
  const out: number[] = [];
  for (const arc of [arcs[0]! * 40n + arcs[1]!, ...arcs.slice(2)]) {
    const groups: number[] = [Number(arc & 0x7fn)];
    for (let v = arc >> 7n; v > 0n; v >>= 7n) groups.unshift(Number(v & 0x7fn) | 0x80);
    out.push(...groups);
  }
  return encodeDER(TAG.OID, new Uint8Array(out));
}

/** `[n] EXPLICIT` (or an IMPLICIT constructed type): a context-specific constructed wrapper. */
export function explicit(n: number, ...contents: Uint8Array[]): Uint8Array {
  return encodeDER(contextTag(n), ...contents);
}
