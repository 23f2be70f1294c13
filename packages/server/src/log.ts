/**
 * The log of `jwkit serve`: one line per event, as JSON (`--log-format json`: one object per line
 * with `time`, `level`, `msg` and the event's fields, for log shippers) or as text for a terminal
 * (`2026-12-02T18:00:00.000Z info  listening url=http://127.0.0.1:8080`).
 *
 * Everything that reaches a line is escaped (issue 13.11): a kid, a path or a header value sent
 * by a client can hold CR, LF, ESC or other control characters; written as is they forge log
 * lines or drive the terminal. JSON output escapes them by construction (JSON.stringify, RFC 8259
 * §7); text output writes every C0/C1 control, DEL, U+2028/2029 and backslash as an escape, and
 * quotes a value that holds a space, a quote or `=`. Long values are cut (MAX_VALUE).
 */

export type LogFormat = 'json' | 'text';
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogFields = Readonly<Record<string, unknown>>;

export const LOG_LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error'];
const RANK: Readonly<Record<LogLevel, number>> = { debug: 0, info: 1, warn: 2, error: 3 };
/** Longest text of one field value; a client's 60,000-character kid must not become a 60 kB line. */
export const MAX_VALUE = 512;

export interface LoggerOptions {
  format?: LogFormat;
  level?: LogLevel;
  /** Where finished lines go (without the newline). Default: stderr. */
  write?: (line: string) => void;
  /** Default: the system clock. */
  now?: () => number;
}

export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  /** Changes format and level in place (SIGHUP reload). */
  configure(options: { format?: LogFormat; level?: LogLevel }): void;
  readonly format: LogFormat;
  readonly level: LogLevel;
}

// C0 controls, DEL, C1 controls, the two Unicode line terminators, and lone surrogates.
const UNSAFE =
  /[\u0000-\u001f\u007f-\u009f\u2028\u2029\\]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** Text with every control character, line terminator and backslash written as an escape. */
export function escapeText(text: string): string {
  const cut = text.length > MAX_VALUE ? `${text.slice(0, MAX_VALUE)}…(${text.length} chars)` : text;
  return cut.replace(UNSAFE, (c) => {
    if (c === '\\') return '\\\\';
    if (c === '\n') return '\\n';
    if (c === '\r') return '\\r';
    if (c === '\t') return '\\t';
    const code = c.charCodeAt(0);
    return code < 0x100
      ? `\\x${code.toString(16).padStart(2, '0')}`
      : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}

function textValue(value: unknown): string {
  let s: string;
  if (typeof value === 'string') s = value;
  else if (value instanceof Error) s = value.message;
  else if (value === undefined) s = '';
  else if (typeof value === 'object' && value !== null) s = JSON.stringify(value) ?? String(value);
  else s = String(value);
  const safe = escapeText(s);
  return safe === '' || /[\s"=]/.test(safe) ? `"${safe.replaceAll('"', '\\"')}"` : safe;
}

function jsonValue(value: unknown): unknown {
  if (value instanceof Error) return value.message;
  if (typeof value === 'string')
    return value.length > MAX_VALUE ? `${value.slice(0, MAX_VALUE)}…(${value.length} chars)` : value;
  return value;
}

/** Field names are code, but keep them to a safe alphabet anyway. */
function fieldName(name: string): string {
  return /^[A-Za-z_][\w.-]{0,63}$/.test(name)
    ? name
    : `field_${escapeText(name).replace(/[^\w]/g, '_').slice(0, 32)}`;
}

/** One line of the log, without the newline. */
export function formatLine(
  format: LogFormat,
  time: number,
  level: LogLevel,
  msg: string,
  fields: LogFields = {},
): string {
  if (format === 'json') {
    const out: Record<string, unknown> = { time: new Date(time).toISOString(), level, msg: jsonValue(msg) };
    for (const [k, v] of Object.entries(fields)) {
      if (v === undefined) continue;
      const name = fieldName(k);
      out[name in out ? `field_${name}` : name] = jsonValue(v);
    }
    // JSON.stringify escapes every control character (RFC 8259 §7); U+2028/2029 too, to be safe in any reader.
    return JSON.stringify(out).replace(/[\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16)}`);
  }
  let line = `${new Date(time).toISOString()} ${level.padEnd(5)} ${escapeText(msg)}`;
  for (const [k, v] of Object.entries(fields)) {
    if (v === undefined) continue;
    line += ` ${fieldName(k)}=${textValue(v)}`;
  }
  return line;
}

export function createLogger(options: LoggerOptions = {}): Logger {
  let format: LogFormat = options.format ?? 'text';
  let level: LogLevel = options.level ?? 'info';
  const write = options.write ?? ((line: string) => process.stderr.write(`${line}\n`));
  const now = options.now ?? Date.now;
  const emit = (l: LogLevel) => (msg: string, fields?: LogFields) => {
    if (RANK[l] < RANK[level]) return;
    try {
      write(formatLine(format, now(), l, msg, fields));
    } catch {
      // A broken log sink (closed pipe) must not take the server down.
    }
  };
  return {
    debug: emit('debug'),
    info: emit('info'),
    warn: emit('warn'),
    error: emit('error'),
    configure(o) {
      if (o.format !== undefined) format = o.format;
      if (o.level !== undefined) level = o.level;
    },
    get format() {
      return format;
    },
    get level() {
      return level;
    },
  };
}

/**
 * Calls `fn` at most once per `intervalMs` with the number of calls it stood for: one log line
 * per burst (shed connections, refused logins) instead of one per event.
 */
export function rateLimited(
  intervalMs: number,
  fn: (count: number) => void,
  now: () => number = Date.now,
): () => void {
  let last = Number.NEGATIVE_INFINITY;
  let pending = 0;
  return () => {
    pending++;
    const t = now();
    if (t - last >= intervalMs) {
      last = t;
      const n = pending;
      pending = 0;
      fn(n);
    }
  };
}
