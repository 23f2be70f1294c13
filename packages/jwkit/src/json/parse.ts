/**
 * A strict JSON parser (RFC 8259) for untrusted key material.
 *
 * `JSON.parse` silently keeps the last of two members with the same name, so `{"kid":"a","kid":"b"}`
 * means different things to different parsers; a key or key set that two components read
 * differently is an attack surface (RFC 7515 §5.2 makes JOSE implementations reject or pin such
 * headers). This parser keeps JSON.parse's "last one wins" value but reports every duplicate with
 * its path. It is iterative (an explicit stack, never recursion), so no input can overflow the
 * call stack, and it caps nesting depth and text length so no input can make it hang or allocate
 * without bound. Every failure is a `JWKError` carrying one problem.
 */

import { JWKError, joinPath, type Problem, problem } from '../errors/index.js';

export interface ParseJSONOptions {
  /** Deepest nesting of objects and arrays accepted. Default 64 (a JWK Set needs 4). */
  maxDepth?: number;
  /** Longest text accepted, in UTF-16 code units. Default 1 MiB (1,048,576). */
  maxLength?: number;
}

export interface ParsedJSON {
  value: unknown;
  /** Non-fatal findings: `JSON_DUPLICATE_MEMBER` (error) and `JSON_BOM` (warning). */
  problems: Problem[];
}

export const JSON_DEFAULT_MAX_DEPTH = 64;
export const JSON_DEFAULT_MAX_LENGTH = 1 << 20;

const RFC = 'RFC 8259';

interface ObjectFrame {
  readonly array: false;
  readonly value: Record<string, unknown>;
  readonly path: string;
  readonly names: Set<string>;
  name: string;
}
interface ArrayFrame {
  readonly array: true;
  readonly value: unknown[];
  readonly path: string;
}
type Frame = ObjectFrame | ArrayFrame;

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const ESCAPES: Readonly<Record<string, string>> = Object.assign(Object.create(null), {
  '"': '"',
  '\\': '\\',
  '/': '/',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
});

/**
 * Parses JSON text. Throws `JWKError` with one of `JSON_SYNTAX`, `JSON_TOO_DEEP`, `JSON_TOO_LONG`;
 * returns duplicate member names and a leading byte order mark as problems.
 */
export function parseJSON(text: string, options: ParseJSONOptions = {}): ParsedJSON {
  const maxDepth = options.maxDepth ?? JSON_DEFAULT_MAX_DEPTH;
  const maxLength = options.maxLength ?? JSON_DEFAULT_MAX_LENGTH;
  if (typeof text !== 'string') fail('JSON_SYNTAX', 'JSON input must be a string; pass the document text');
  if (text.length > maxLength) {
    fail(
      'JSON_TOO_LONG',
      `JSON text is ${text.length} characters, more than the limit of ${maxLength}; raise maxLength if this document is legitimate`,
    );
  }
  return new Parser(text, maxDepth).run();
}

function fail(code: string, message: string): never {
  throw new JWKError([problem('error', code, '', message, RFC)]);
}

class Parser {
  private pos = 0;
  private readonly problems: Problem[] = [];

  constructor(
    private readonly text: string,
    private readonly maxDepth: number,
  ) {}

  run(): ParsedJSON {
    const { text } = this;
    // RFC 8259 §8.1: a parser MAY ignore a byte order mark rather than treat it as an error.
    if (text.charCodeAt(0) === 0xfeff) {
      this.pos = 1;
      this.problems.push(
        problem(
          'warning',
          'JSON_BOM',
          '',
          'the text starts with a byte order mark (U+FEFF), which JSON text must not carry; it was ignored, remove it at the source',
          `${RFC} §8.1`,
        ),
      );
    }
    const stack: Frame[] = [];
    let value: unknown;
    // Each turn parses one value; closing brackets and separators are consumed by `attach`.
    for (;;) {
      this.skipWhitespace();
      const c = text.charCodeAt(this.pos);
      const path = stack.length === 0 ? '' : this.childPath(stack[stack.length - 1]!);
      if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
        if (stack.length >= this.maxDepth) {
          fail(
            'JSON_TOO_DEEP',
            `JSON nesting is deeper than the limit of ${this.maxDepth} at ${this.where(this.pos)}; key documents are shallow, so this input is not one`,
          );
        }
        this.pos++;
        this.skipWhitespace();
        if (c === 0x7b) {
          const frame: ObjectFrame = { array: false, value: {}, path, names: new Set(), name: '' };
          if (text.charCodeAt(this.pos) === 0x7d /* } */) {
            this.pos++;
            value = frame.value;
          } else {
            stack.push(frame);
            this.readName(frame);
            continue;
          }
        } else {
          const frame: ArrayFrame = { array: true, value: [], path };
          if (text.charCodeAt(this.pos) === 0x5d /* ] */) {
            this.pos++;
            value = frame.value;
          } else {
            stack.push(frame);
            continue;
          }
        }
      } else if (c === 0x22 /* " */) {
        value = this.readString();
      } else if (c === 0x74 /* t */) {
        value = this.readLiteral('true', true);
      } else if (c === 0x66 /* f */) {
        value = this.readLiteral('false', false);
      } else if (c === 0x6e /* n */) {
        value = this.readLiteral('null', null);
      } else if (c === 0x2d /* - */ || (c >= 0x30 && c <= 0x39)) {
        value = this.readNumber();
      } else {
        this.unexpected('a value');
      }
      // Attach the finished value to its container, closing every container that ends here.
      for (;;) {
        const top = stack[stack.length - 1];
        if (top === undefined) {
          this.skipWhitespace();
          if (this.pos < text.length) this.unexpected('the end of the text');
          return { value, problems: this.problems };
        }
        this.skipWhitespace();
        const next = text.charCodeAt(this.pos);
        if (top.array) {
          top.value.push(value);
          if (next === 0x2c /* , */) {
            this.pos++;
            break;
          }
          if (next !== 0x5d /* ] */) this.unexpected('"," or "]"');
        } else {
          this.setMember(top, value);
          if (next === 0x2c) {
            this.pos++;
            this.skipWhitespace();
            this.readName(top);
            break;
          }
          if (next !== 0x7d /* } */) this.unexpected('"," or "}"');
        }
        this.pos++;
        stack.pop();
        value = top.value;
      }
    }
  }

  private childPath(frame: Frame): string {
    return frame.array ? joinPath(frame.path, frame.value.length) : joinPath(frame.path, frame.name);
  }

  /** Reads `"name" :` of an object member. */
  private readName(frame: ObjectFrame): void {
    if (this.text.charCodeAt(this.pos) !== 0x22) this.unexpected('a member name in double quotes');
    frame.name = this.readString();
    this.skipWhitespace();
    if (this.text.charCodeAt(this.pos) !== 0x3a /* : */) this.unexpected('":"');
    this.pos++;
  }

  private setMember(frame: ObjectFrame, value: unknown): void {
    const { name } = frame;
    if (frame.names.has(name)) {
      this.problems.push(
        problem(
          'error',
          'JSON_DUPLICATE_MEMBER',
          joinPath(frame.path, name),
          `member "${name}" appears more than once in the same object; parsers disagree on which value counts (JSON.parse keeps the last), so remove the duplicate`,
          `${RFC} §4`,
        ),
      );
    }
    frame.names.add(name);
    if (name === '__proto__') {
      // An own data property, never the prototype setter.
      Object.defineProperty(frame.value, name, {
        value,
        writable: true,
        enumerable: true,
        configurable: true,
      });
    } else {
      frame.value[name] = value;
    }
  }

  private readString(): string {
    const { text } = this;
    let pos = this.pos + 1;
    let out = '';
    let start = pos;
    for (;;) {
      if (pos >= text.length) {
        this.pos = pos;
        this.unexpected('a closing double quote');
      }
      const c = text.charCodeAt(pos);
      if (c === 0x22) break;
      if (c < 0x20) {
        this.pos = pos;
        this.unexpected('an escaped control character (RFC 8259 §7)');
      }
      if (c !== 0x5c /* \ */) {
        pos++;
        continue;
      }
      out += text.slice(start, pos);
      const e = text[pos + 1] ?? '';
      if (e === 'u') {
        const hex = text.slice(pos + 2, pos + 6);
        if (!/^[0-9a-fA-F]{4}$/.test(hex)) {
          this.pos = pos;
          this.unexpected('four hex digits after \\u');
        }
        out += String.fromCharCode(Number.parseInt(hex, 16));
        pos += 6;
      } else {
        const decoded = ESCAPES[e];
        if (decoded === undefined) {
          this.pos = pos;
          this.unexpected('a valid escape (\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX)');
        }
        out += decoded;
        pos += 2;
      }
      start = pos;
    }
    out += text.slice(start, pos);
    this.pos = pos + 1;
    return out;
  }

  private readNumber(): number {
    NUMBER.lastIndex = this.pos;
    const m = NUMBER.exec(this.text);
    if (m === null) this.unexpected('a number');
    this.pos += m[0].length;
    return Number(m[0]);
  }

  private readLiteral<T>(word: string, value: T): T {
    if (!this.text.startsWith(word, this.pos)) this.unexpected(`"${word}"`);
    this.pos += word.length;
    return value;
  }

  private skipWhitespace(): void {
    const { text } = this;
    let pos = this.pos;
    for (;;) {
      const c = text.charCodeAt(pos);
      if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) break;
      pos++;
    }
    this.pos = pos;
  }

  private unexpected(expected: string): never {
    const found =
      this.pos >= this.text.length
        ? 'the end of the text'
        : JSON.stringify(this.text.slice(this.pos, this.pos + 1));
    fail('JSON_SYNTAX', `invalid JSON at ${this.where(this.pos)}: found ${found}, expected ${expected}`);
  }

  /** "line L column C" of a position, for messages a person can act on. */
  private where(pos: number): string {
    let line = 1;
    let lineStart = 0;
    for (let i = 0; i < pos && i < this.text.length; i++) {
      if (this.text.charCodeAt(i) === 0x0a) {
        line++;
        lineStart = i + 1;
      }
    }
    return `line ${line} column ${pos - lineStart + 1}`;
  }
}
