/**
 * RFC 7512 PKCS #11 URIs: `pkcs11:token=jwkit;serial=...?module-path=/usr/lib/...&pin-source=file:pin.txt`.
 *
 * The parser follows the ABNF of RFC 7512 §2.3: path attributes are separated by `;`, query
 * attributes by `&`; values hold only the characters the grammar allows, everything else is
 * percent-encoded (§2.4). Text attributes are UTF-8 after percent-decoding (they match the
 * blank-padded UTF-8 fields of CK_TOKEN_INFO and friends); `id` is raw bytes (CKA_ID).
 *
 * Rules applied (each refusal is `ERR_PKCS11_URI` naming the attribute and the fix):
 * - an attribute appears at most once in the path and at most once in the query (§2.3);
 * - `pin-source` and `pin-value` together are refused as invalid (§2.3 "SHOULD be refused");
 * - an unknown path attribute (vendor-specific or misspelt) is refused: a consumer that does not
 *   understand a path attribute must not treat the URI as matching anything (§2.3, §2.5), and a
 *   server that cannot tell which token it is meant to use must not start;
 * - an unknown query attribute is kept in `otherQuery` and otherwise ignored (§2.3 leaves query
 *   attributes to the consumer);
 * - jwkit loads the module only from `module-path`: a URI with `module-name` alone is refused,
 *   since resolving a name to a library is platform dependent (§2.3).
 */

import { TokenError } from './errors.js';

export type Pkcs11ObjectType = 'public' | 'private' | 'cert' | 'secret-key' | 'data';

export interface Pkcs11Uri {
  /** `module-path`: the PKCS#11 library file to load. */
  readonly modulePath: string;
  /** `module-name`, when given next to `module-path` (informative only). */
  readonly moduleName?: string;
  /** `token`: CK_TOKEN_INFO.label. */
  readonly token?: string;
  /** `manufacturer`: CK_TOKEN_INFO.manufacturerID. */
  readonly manufacturer?: string;
  /** `serial`: CK_TOKEN_INFO.serialNumber. */
  readonly serial?: string;
  /** `model`: CK_TOKEN_INFO.model. */
  readonly model?: string;
  /** `slot-id`: the CK_SLOT_ID (decimal). */
  readonly slotId?: number;
  /** `slot-description`: CK_SLOT_INFO.slotDescription. */
  readonly slotDescription?: string;
  /** `slot-manufacturer`: CK_SLOT_INFO.manufacturerID. */
  readonly slotManufacturer?: string;
  /** `library-manufacturer`: CK_INFO.manufacturerID. */
  readonly libraryManufacturer?: string;
  /** `library-description`: CK_INFO.libraryDescription. */
  readonly libraryDescription?: string;
  /** `library-version`: CK_INFO.libraryVersion, `major` or `major.minor`. */
  readonly libraryVersion?: { readonly major: number; readonly minor: number };
  /** `object`: CKA_LABEL. jwkit manages its own objects and ignores it when opening a token. */
  readonly object?: string;
  /** `id`: CKA_ID bytes. */
  readonly id?: Uint8Array;
  /** `type`: CKA_CLASS. */
  readonly type?: Pkcs11ObjectType;
  /** Where the user PIN comes from: `pin-value`, or the file of a `pin-source=file:...`. */
  readonly pin?: { readonly value: string } | { readonly file: string };
  /** Query attributes jwkit does not know, kept as decoded text. */
  readonly otherQuery: Readonly<Record<string, string>>;
  /** The URI as given. Holds the PIN when `pin-value` was used: log `redacted` instead. */
  readonly raw: string;
  /** The URI with a `pin-value` replaced by `***`, for logs and error messages. */
  readonly redacted: string;
}

const PATH_TEXT = [
  'token',
  'manufacturer',
  'serial',
  'model',
  'slot-description',
  'slot-manufacturer',
  'library-manufacturer',
  'library-description',
  'object',
] as const;
const PATH_ATTRS = new Set<string>([...PATH_TEXT, 'slot-id', 'library-version', 'id', 'type']);
const QUERY_ATTRS = new Set(['module-path', 'module-name', 'pin-source', 'pin-value']);
const TYPES = new Set<string>(['public', 'private', 'cert', 'secret-key', 'data']);

// RFC 7512 §2.3: unreserved = ALPHA / DIGIT / "-" / "." / "_" / "~";
// pk11-res-avail = ":" / "[" / "]" / "@" / "!" / "$" / "'" / "(" / ")" / "*" / "+" / "," / "=";
// pk11-path-res-avail = pk11-res-avail / "&"; pk11-query-res-avail = pk11-res-avail / "/" / "?" / "|".
const UNRESERVED = 'A-Za-z0-9\\-._~';
const RES_AVAIL = ":\\[\\]@!$'()*+,=";
const PATH_CHAR = new RegExp(`^(?:[${UNRESERVED}${RES_AVAIL}&]|%[0-9A-Fa-f]{2})*$`);
const QUERY_CHAR = new RegExp(`^(?:[${UNRESERVED}${RES_AVAIL}/?|]|%[0-9A-Fa-f]{2})*$`);
// pk11-v-attr-nm-char = ALPHA / DIGIT / "-" / "_"
const ATTR_NAME = /^[A-Za-z0-9_-]+$/;
const PATH_SAFE = new RegExp(`[${UNRESERVED}${RES_AVAIL}&]`);
const QUERY_SAFE = new RegExp(`[${UNRESERVED}${RES_AVAIL}/?|]`);

function fail(what: string, fix: string): never {
  throw new TokenError('ERR_PKCS11_URI', `PKCS#11 URI: ${what}; ${fix} (RFC 7512)`);
}

function decodeBytes(attr: string, value: string, grammar: RegExp): Uint8Array {
  if (!grammar.test(value))
    fail(
      `${attr} holds a character the URI grammar does not allow there`,
      'percent-encode it (for example a space as %20, "/" in a path attribute as %2F, "&" in the query as %26)',
    );
  const out: number[] = [];
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c === 0x25) {
      out.push(Number.parseInt(value.slice(i + 1, i + 3), 16));
      i += 2;
    } else out.push(c);
  }
  return Uint8Array.from(out);
}

const UTF8 = new TextDecoder('utf-8', { fatal: true });

function decodeText(attr: string, value: string, grammar: RegExp): string {
  try {
    return UTF8.decode(decodeBytes(attr, value, grammar));
  } catch (e) {
    if (e instanceof TokenError) throw e;
    return fail(`${attr} is not UTF-8 after percent-decoding`, 'percent-encode the UTF-8 bytes of the text');
  }
}

/** Percent-encodes a value for the path (`forQuery` false) or the query of a PKCS#11 URI. */
export function encodePkcs11Value(value: string | Uint8Array, forQuery = false): string {
  const bytes = typeof value === 'string' ? new TextEncoder().encode(value) : value;
  const safe = forQuery ? QUERY_SAFE : PATH_SAFE;
  let out = '';
  for (const b of bytes) {
    const ch = String.fromCharCode(b);
    out += b < 0x80 && safe.test(ch) ? ch : `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

function split(part: string, sep: string, where: 'path' | 'query'): Map<string, string> {
  const out = new Map<string, string>();
  if (part === '') return out;
  for (const item of part.split(sep)) {
    const eq = item.indexOf('=');
    if (eq <= 0)
      fail(
        `the ${where} attribute "${item}" has no name=value form`,
        `write it as name=value, separated by "${sep}"`,
      );
    const name = item.slice(0, eq);
    if (!ATTR_NAME.test(name))
      fail(
        `the ${where} attribute name "${name}" is not made of letters, digits, "-" and "_"`,
        'fix the name',
      );
    if (out.has(name))
      fail(`the ${where} attribute ${name} appears more than once`, 'give each attribute once');
    out.set(name, item.slice(eq + 1));
  }
  return out;
}

/** The path of a `file:` URI (RFC 8089), or of the relative form `file:pin.txt` the issue uses. */
function pinFile(source: string): string {
  if (!/^file:/i.test(source))
    fail(
      `pin-source "${source}" is not a file: URI`,
      'write pin-source=file:/path/to/pin.txt (jwkit reads the PIN from a file; or use pin-value)',
    );
  let rest = source.slice(5);
  if (rest.startsWith('//')) {
    const slash = rest.indexOf('/', 2);
    const host = slash === -1 ? rest.slice(2) : rest.slice(2, slash);
    if (host !== '' && host.toLowerCase() !== 'localhost')
      fail(`pin-source names the host "${host}"`, 'a PIN file must be local: write file:///path/to/pin.txt');
    rest = slash === -1 ? '' : rest.slice(slash);
  }
  let path: string;
  try {
    path = decodeURIComponent(rest);
  } catch {
    return fail('pin-source holds a broken percent-encoding', 'percent-encode the file path as UTF-8');
  }
  if (path === '') fail('pin-source names no file', 'write pin-source=file:/path/to/pin.txt');
  return path;
}

/** Parses an RFC 7512 PKCS #11 URI; throws `ERR_PKCS11_URI` naming the attribute at fault. */
export function parsePkcs11Uri(uri: string): Pkcs11Uri {
  if (typeof uri !== 'string') fail('the URI is not a string', 'pass pkcs11:...');
  // URI schemes are case-insensitive (RFC 3986 §3.1).
  if (!/^pkcs11:/i.test(uri))
    fail('the URI does not start with pkcs11:', 'write pkcs11:token=<label>?module-path=<library>');
  if (uri.includes('#'))
    fail('the URI has a fragment ("#")', 'RFC 7512 URIs have no fragment: percent-encode "#" as %23');
  const body = uri.slice(7);
  const q = body.indexOf('?');
  const pathPart = q === -1 ? body : body.slice(0, q);
  const queryPart = q === -1 ? '' : body.slice(q + 1);

  const path = split(pathPart, ';', 'path');
  const query = split(queryPart, '&', 'query');
  const out: Record<string, unknown> = { raw: uri };

  for (const [name, value] of path) {
    if (!PATH_ATTRS.has(name))
      fail(
        `unknown path attribute ${name}`,
        `jwkit knows ${[...PATH_ATTRS].join(', ')}; a path attribute jwkit cannot match must not select a token (RFC 7512 §2.5)`,
      );
    if (name === 'slot-id') {
      if (!/^[0-9]+$/.test(value))
        fail(`slot-id "${value}" is not a decimal number`, 'write slot-id=<digits>');
      const n = Number(value);
      if (!Number.isSafeInteger(n)) fail(`slot-id ${value} is too large`, 'check the slot number');
      out.slotId = n;
    } else if (name === 'library-version') {
      const m = /^([0-9]+)(?:\.([0-9]+))?$/.exec(value);
      if (!m) fail(`library-version "${value}" is not major or major.minor`, 'write library-version=2.6');
      out.libraryVersion = Object.freeze({
        major: Number(m[1]),
        minor: m[2] === undefined ? 0 : Number(m[2]),
      });
    } else if (name === 'type') {
      if (!TYPES.has(value))
        fail(`type "${value}" is not one of ${[...TYPES].join(', ')}`, 'fix the object type');
      out.type = value;
    } else if (name === 'id') {
      out.id = decodeBytes('id', value, PATH_CHAR);
    } else {
      out[camel(name)] = decodeText(name, value, PATH_CHAR);
    }
  }

  const otherQuery: Record<string, string> = Object.create(null);
  for (const [name, value] of query) {
    const text = decodeText(name, value, QUERY_CHAR);
    if (!QUERY_ATTRS.has(name)) otherQuery[name] = text;
    else if (name === 'module-path') out.modulePath = text;
    else if (name === 'module-name') out.moduleName = text;
    else if (name === 'pin-value') out.pin = Object.freeze({ value: text });
    else out.pin = Object.freeze({ file: pinFile(text) });
  }
  if (query.has('pin-source') && query.has('pin-value'))
    fail(
      'pin-source and pin-value are both given',
      'give the PIN one way: pin-source=file:... or pin-value=...',
    );
  if (out.modulePath === undefined || out.modulePath === '')
    fail(
      query.has('module-name') ? 'module-name is given without module-path' : 'module-path is missing',
      'add ?module-path=<absolute path of the PKCS#11 library>, e.g. module-path=/usr/lib/softhsm/libsofthsm2.so',
    );
  out.otherQuery = Object.freeze(otherQuery);
  out.redacted = query.has('pin-value') ? redact(uri) : uri;
  return Object.freeze(out) as unknown as Pkcs11Uri;
}

function redact(uri: string): string {
  return uri.replace(/([?&]pin-value=)[^&]*/, '$1***');
}

function camel(name: string): string {
  return name.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
}

/** Writes a URI back (attributes in RFC 7512's order, values percent-encoded as needed). */
export function formatPkcs11Uri(
  uri: Omit<Pkcs11Uri, 'raw' | 'redacted' | 'otherQuery'> & {
    readonly otherQuery?: Readonly<Record<string, string>>;
  },
): string {
  const path: string[] = [];
  const text = (name: string, v: string | undefined) => {
    if (v !== undefined) path.push(`${name}=${encodePkcs11Value(v)}`);
  };
  text('library-manufacturer', uri.libraryManufacturer);
  text('library-description', uri.libraryDescription);
  if (uri.libraryVersion)
    path.push(`library-version=${uri.libraryVersion.major}.${uri.libraryVersion.minor}`);
  text('slot-manufacturer', uri.slotManufacturer);
  text('slot-description', uri.slotDescription);
  if (uri.slotId !== undefined) path.push(`slot-id=${uri.slotId}`);
  text('manufacturer', uri.manufacturer);
  text('model', uri.model);
  text('serial', uri.serial);
  text('token', uri.token);
  text('object', uri.object);
  if (uri.id !== undefined) path.push(`id=${encodePkcs11Value(uri.id)}`);
  if (uri.type !== undefined) path.push(`type=${uri.type}`);
  const query = [`module-path=${encodePkcs11Value(uri.modulePath, true)}`];
  if (uri.moduleName !== undefined) query.push(`module-name=${encodePkcs11Value(uri.moduleName, true)}`);
  if (uri.pin !== undefined)
    query.push(
      'value' in uri.pin
        ? `pin-value=${encodePkcs11Value(uri.pin.value, true)}`
        : `pin-source=${encodePkcs11Value(`file:${encodeURI(uri.pin.file)}`, true)}`,
    );
  for (const [k, v] of Object.entries(uri.otherQuery ?? {})) query.push(`${k}=${encodePkcs11Value(v, true)}`);
  return `pkcs11:${path.join(';')}?${query.join('&')}`;
}
