// The conformance suite's own tiny harness: no test-runner globals and no runtime-specific API,
// so the same file runs unchanged on Node, Bun, Deno, workerd and in a browser page.

export class AssertionError extends Error {
  constructor(message) {
    super(message);
    this.name = 'AssertionError';
  }
}

/** Short, stable rendering of a value for a failure message. */
export function show(value) {
  if (value instanceof Uint8Array) return `bytes(${value.length})`;
  let text;
  try {
    text = typeof value === 'string' ? JSON.stringify(value) : JSON.stringify(value, sorted);
  } catch {
    text = String(value);
  }
  if (text === undefined) text = String(value);
  return text.length > 160 ? `${text.slice(0, 157)}...` : text;
}

function sorted(_key, value) {
  if (value === null || typeof value !== 'object' || Array.isArray(value) || value instanceof Uint8Array)
    return value;
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .map((k) => [k, value[k]]),
  );
}

export function ok(value, what) {
  if (!value) throw new AssertionError(`${what}: expected a true value, got ${show(value)}`);
}

export function equal(actual, expected, what) {
  if (actual !== expected)
    throw new AssertionError(`${what}: expected ${show(expected)}, got ${show(actual)}`);
}

/** Structural equality of JSON-like values and byte arrays; object member order is ignored. */
export function deepEqual(actual, expected, what) {
  const a = canonical(actual);
  const b = canonical(expected);
  if (a !== b) throw new AssertionError(`${what}: expected ${show(expected)}, got ${show(actual)}`);
}

function canonical(value) {
  if (value instanceof Uint8Array) return `bytes:${Array.from(value).join(',')}`;
  return JSON.stringify(value, sorted);
}

export function bytesEqual(actual, expected, what) {
  ok(actual instanceof Uint8Array, `${what} is a Uint8Array`);
  if (actual.length !== expected.length || actual.some((b, i) => b !== expected[i]))
    throw new AssertionError(`${what}: ${actual.length} bytes differ from the expected ${expected.length}`);
}

/** The error `promiseOrFn` rejects (or throws) with; fails when it succeeds or the code differs. */
export async function rejects(promiseOrFn, code, what) {
  let outcome;
  try {
    outcome = await (typeof promiseOrFn === 'function' ? promiseOrFn() : promiseOrFn);
  } catch (err) {
    if (code !== undefined && err?.code !== code)
      throw new AssertionError(
        `${what}: expected code ${code}, got ${err?.code ?? err?.name}: ${err?.message ?? String(err)}`,
      );
    return err;
  }
  throw new AssertionError(
    `${what}: expected a rejection with ${code}, but it succeeded with ${show(outcome)}`,
  );
}

const CASE_TIMEOUT_MS = 30_000;

/**
 * A list of named cases run one after another (each isolated: one failing case never stops the
 * next). `run` answers { case name: "pass" | "fail: <error>" } plus timings.
 */
export function createHarness() {
  const cases = [];
  return {
    case(name, fn) {
      if (cases.some((c) => c.name === name)) throw new Error(`duplicate case name ${name}`);
      cases.push({ name, fn });
    },
    async run(options = {}) {
      const results = {};
      const ms = {};
      for (const { name, fn } of cases) {
        if (options.only && !options.only.test(name)) continue;
        const start = Date.now();
        let timer;
        try {
          // A case that never settles (a fetch nobody answers) fails alone instead of hanging the run.
          const limit = new Promise((_, reject) => {
            timer = setTimeout(
              () => reject(new Error(`no result within ${CASE_TIMEOUT_MS} ms`)),
              CASE_TIMEOUT_MS,
            );
          });
          const note = await Promise.race([fn(), limit]);
          results[name] = typeof note === 'string' ? `pass (${note})` : 'pass';
        } catch (err) {
          const code = err?.code
            ? `${err.code}: `
            : err?.name && err.name !== 'AssertionError'
              ? `${err.name}: `
              : '';
          results[name] = `fail: ${code}${err?.message ?? String(err)}`.replace(/\s+/g, ' ').slice(0, 600);
        }
        clearTimeout(timer);
        ms[name] = Date.now() - start;
      }
      return { results, ms };
    },
  };
}
