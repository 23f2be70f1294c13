/**
 * `jwkit inspect`: the report for a file, stdin or URL. Files are inspected as the keys they are
 * (private keys welcome); a URL, or `--published`, is linted as a published JWK Set, where private
 * members, weak keys and expired certificates are errors and missing kid/alg/use and poor caching
 * headers are warnings.
 */

import type { JWK, ValidateOptions } from 'jwkit';
import { JWKitError, type Problem, parseJSON, problem } from 'jwkit';
import { CLIError, inSource, usageError } from '../exit.js';
import { type Input, MAX_INPUT_BYTES, readInput } from '../io.js';
import { detectFormat, jsonKind, pemKeys } from '../keyfile.js';
import { loadJwkit } from '../lib.js';
import { printJSON, styleFor } from '../output.js';
import { discoveryURL, type Fetched, type FetchPolicy, fetchDocument, wellKnownJWKSURL } from './fetch.js';
import { discoveryLints, emptySetLint, httpLints, keyLints } from './published.js';
import { renderReport } from './render.js';
import {
  finish,
  type InspectReport,
  type KeyReport,
  problemsOfKey,
  reportKey,
  reportSkipped,
  weakRSAWarning,
} from './report.js';

export interface InspectOptions {
  json?: boolean;
  strict?: boolean;
  published?: boolean;
  timeout: number;
  at?: Date;
  /** Fetch non-public addresses that the user did not name too (issue 13.12). */
  allowPrivate?: boolean;
}

type Draft = Omit<InspectReport, 'valid' | 'errors' | 'warnings'>;

export async function inspect(target: string | undefined, opts: InspectOptions): Promise<boolean> {
  const draft =
    target !== undefined && /^https?:\/\//i.test(target)
      ? await inSource(target, () => inspectURL(parseURL(target), opts))
      : await inspectFile(await readInput(target), opts);
  const report = finish(draft, opts.strict === true);
  if (opts.json) printJSON(report);
  else for (const line of renderReport(report, styleFor(process.stdout))) process.stdout.write(`${line}\n`);
  return report.valid;
}

function parseURL(text: string): URL {
  try {
    return new URL(text);
  } catch {
    throw usageError(`${text} is not a valid URL`);
  }
}

function inspectFile(input: Input, opts: InspectOptions): Promise<Draft> {
  return inSource(input.name, () => inspectInput(input, opts, opts.published === true));
}

function validateOptions(opts: InspectOptions, published: boolean): ValidateOptions {
  const at = opts.at ?? (published ? new Date() : undefined);
  return {
    maxLength: MAX_INPUT_BYTES,
    // A file may be a provider's set with a legacy RSA-1024 key: report it (RSA_MODULUS_WEAK)
    // rather than hide the key; a published set is held to the registry's 2048 bits.
    ...(!published && { minRSABits: 1024 }),
    ...(published && { allowPrivate: false }),
    ...(at && { x5c: { at } }),
  };
}

async function inspectInput(input: Input, opts: InspectOptions, published: boolean): Promise<Draft> {
  const format = detectFormat(input);
  const vopts = validateOptions(opts, published);
  const now = opts.at ?? new Date();
  if (format === 'json') {
    const { value } = parseJSON(input.text, { maxLength: MAX_INPUT_BYTES });
    const kind = jsonKind(value);
    if (kind === 'jwks') return inspectSet(input, (value as { keys: unknown }).keys, vopts, now, published);
    if (kind === 'jwk') {
      if (published)
        throw new CLIError(
          'ERR_CLI_NOT_A_SET',
          'a published JWK Set must be {"keys": [...]}, not a single JWK',
        );
      return inspectKey(input, value, vopts, now);
    }
    if (kind === 'discovery') {
      const uri = (value as { jwks_uri?: unknown }).jwks_uri;
      throw new CLIError(
        'ERR_CLI_INPUT_FORMAT',
        `this is a discovery document; inspect its keys with \`jwkit inspect ${typeof uri === 'string' ? uri : '<jwks_uri>'}\``,
      );
    }
    throw new CLIError('ERR_CLI_INPUT_FORMAT', 'JSON without "kty" or "keys": not a JWK or JWK Set');
  }
  if (published) throw new CLIError('ERR_CLI_NOT_A_SET', 'a published JWK Set is JSON ({"keys": [...]})');
  if (format === 'pem') return inspectPEM(input, vopts, now);
  if (format === 'der') return inspectDER(input, vopts, now);
  if (format === 'jwt') return inspectToken(input);
  throw new CLIError('ERR_CLI_INPUT_FORMAT', 'not a JWK, JWK Set, PEM, DER certificate or JWT');
}

async function inspectSet(
  input: Input,
  raw: unknown,
  vopts: ValidateOptions,
  now: Date,
  published: boolean,
): Promise<Draft> {
  const [{ validateJWKSet }, { parseCertificate }] = await Promise.all([loadJwkit(), loadJwkit()]);
  const report = validateJWKSet(input.text, vopts);
  // A file is read leniently (RFC 7517 §5): a key nobody can use is skipped, and that is a
  // warning (SET_KEY_SKIPPED) with the problems behind it kept as the key's `reasons`. A
  // published set is held to more: the problems themselves count, so an unusable or private
  // key in it is an error.
  const reported = published ? report.problems.filter((p) => p.code !== 'SET_KEY_SKIPPED') : report.problems;
  const problems: Problem[] = reported.filter((p) => !/^keys\[\d+\]/.test(p.path));
  const keys: KeyReport[] = [];
  if (Array.isArray(raw)) {
    const skipped = new Map(report.skipped.map((s) => [s.index, s]));
    const good = report.keys[Symbol.iterator]();
    const count = Math.min(raw.length, report.keys.length + report.skipped.length);
    for (let i = 0; i < count; i++) {
      const path = `keys[${i}]`;
      const skip = skipped.get(i);
      const own = [...(skip && published ? skip.problems : []), ...problemsOfKey(reported, path)];
      let key: KeyReport;
      if (skip) {
        key = reportSkipped(raw[i], i, own);
        if (!published) key.reasons = [...skip.problems];
      } else {
        const jwk = good.next().value as JWK;
        key = reportKey(jwk, i, own, parseCertificate, now);
        own.push(...(published ? keyLints([{ jwk, path }]) : []));
        const weak = weakRSAWarning(key, `${path}.n`);
        if (weak) own.push(weak);
      }
      problems.push(...own);
      keys.push(key);
    }
  }
  if (published) problems.push(...emptySetLint(report.keys.length));
  return { source: input.name, type: 'jwks', keys, problems };
}

async function inspectKey(input: Input, raw: unknown, vopts: ValidateOptions, now: Date): Promise<Draft> {
  const [{ validateJWK }, { parseCertificate }] = await Promise.all([loadJwkit(), loadJwkit()]);
  const report = validateJWK(input.text, vopts);
  // One list, shared by the key and the document: a single JWK's problems are all the key's.
  const problems = [...report.problems];
  const key = report.key
    ? reportKey(report.key, 0, problems, parseCertificate, now)
    : reportSkipped(raw, 0, problems);
  const weak = weakRSAWarning(key, 'n');
  if (weak) problems.push(weak);
  return { source: input.name, type: 'jwk', keys: [key], problems };
}

/** Keys from PEM or DER: converted, then validated like any JWK; paths are `pem[i].<member>`. */
async function reportConverted(jwks: readonly JWK[], prefix: string, vopts: ValidateOptions, now: Date) {
  const [{ validateJWK }, { parseCertificate }] = await Promise.all([loadJwkit(), loadJwkit()]);
  const problems: Problem[] = [];
  const keys: KeyReport[] = [];
  jwks.forEach((jwk, i) => {
    const at = jwks.length === 1 && prefix === '' ? '' : `${prefix}[${i}]`;
    const report = validateJWK(jwk, vopts);
    const own = report.problems.map((p) => ({ ...p, path: joinPaths(at, p.path) }));
    const key = report.key
      ? reportKey(report.key, i, own, parseCertificate, now)
      : reportSkipped(jwk, i, own);
    const weak = weakRSAWarning(key, joinPaths(at, 'n'));
    if (weak) key.problems.push(weak);
    problems.push(...key.problems);
    keys.push(key);
  });
  return { keys, problems };
}

function joinPaths(prefix: string, path: string): string {
  if (!prefix) return path;
  if (!path) return prefix;
  return path.startsWith('[') ? `${prefix}${path}` : `${prefix}.${path}`;
}

async function inspectPEM(input: Input, vopts: ValidateOptions, now: Date): Promise<Draft> {
  const jwks = await pemKeys(input.text);
  const { keys, problems } = await reportConverted(jwks, 'pem', vopts, now);
  return { source: input.name, type: 'pem', keys, problems };
}

async function inspectDER(input: Input, vopts: ValidateOptions, now: Date): Promise<Draft> {
  const { derToJWK } = await loadJwkit();
  const jwk = await derToJWK(input.bytes);
  const { keys, problems } = await reportConverted([jwk], '', vopts, now);
  return { source: input.name, type: 'der', keys, problems };
}

async function inspectToken(input: Input): Promise<Draft> {
  const token = input.text.trim();
  const problems: Problem[] = [];
  if (token.split('.').length === 5) {
    const { decode } = await import('jwkit/internal');
    let header: Record<string, unknown>;
    try {
      header = JSON.parse(new TextDecoder().decode(decode(token.slice(0, token.indexOf('.')))));
    } catch {
      throw new CLIError(
        'ERR_JWT_MALFORMED',
        'the JWE protected header is not base64url JSON (RFC 7516 §7.1)',
      );
    }
    return { source: input.name, type: 'jwe', keys: [], problems, jwt: { header, verified: false } };
  }
  const { decodeJWT } = await loadJwkit();
  const { header, payload } = decodeJWT(token);
  const now = Date.now() / 1000;
  const claims = (payload ?? {}) as Record<string, unknown>;
  if (typeof claims.exp === 'number' && claims.exp <= now) {
    problems.push(
      problem(
        'warning',
        'JWT_EXPIRED',
        'payload.exp',
        'the token has expired; verifiers will reject it',
        'RFC 7519 §4.1.4',
      ),
    );
  }
  if (typeof claims.nbf === 'number' && claims.nbf > now) {
    problems.push(
      problem(
        'warning',
        'JWT_NOT_YET_VALID',
        'payload.nbf',
        'the token is not valid yet (nbf is in the future)',
        'RFC 7519 §4.1.5',
      ),
    );
  }
  return {
    source: input.name,
    type: 'jwt',
    keys: [],
    problems,
    jwt: { header: { ...header }, payload, verified: false },
  };
}

// ----- URLs -----

async function inspectURL(url: URL, opts: InspectOptions): Promise<Draft> {
  const policy: FetchPolicy = { named: url, allowPrivate: opts.allowPrivate === true };
  let first: Fetched | undefined;
  let failure: unknown;
  try {
    first = await fetchDocument(url, opts.timeout, policy);
  } catch (err) {
    failure = err;
  }
  let kind = first ? kindOf(first.body) : undefined;
  let source = url.href;
  // An issuer URL or a server's origin (https://issuer.example, http://127.0.0.1:8080) rather
  // than its set or discovery document: try the discovery document, then the usual
  // /.well-known/jwks.json (issue 13.17). Both are on the host the user named.
  if (kind === undefined || kind === 'other') {
    for (const [alternative, wanted] of [
      [discoveryURL(url), 'discovery'],
      [wellKnownJWKSURL(url), 'jwks'],
    ] as const) {
      if (alternative === undefined) continue;
      try {
        const next = await fetchDocument(alternative, opts.timeout, policy);
        if (kindOf(next.body) === wanted) {
          first = next;
          kind = wanted;
          source = alternative.href;
          break;
        }
      } catch {}
    }
  }
  if (!first) throw failure;
  if (kind === 'discovery') return inspectDiscovery(first, opts, policy);
  const draft = await inspectPublished(first, source, opts);
  return draft;
}

function kindOf(body: string): ReturnType<typeof jsonKind> | undefined {
  try {
    return jsonKind(JSON.parse(body));
  } catch {
    return undefined;
  }
}

async function inspectPublished(fetched: Fetched, source: string, opts: InspectOptions): Promise<Draft> {
  const input = textInput(source, fetched.body);
  const draft = await inspectInput(input, opts, true);
  const http = httpLints(fetched.http, 'set');
  return { ...draft, http: fetched.http, problems: [...draft.problems, ...http] };
}

async function inspectDiscovery(fetched: Fetched, opts: InspectOptions, policy: FetchPolicy): Promise<Draft> {
  const doc = JSON.parse(fetched.body) as Record<string, unknown>;
  const problems = [...discoveryLints(fetched.url, doc), ...httpLints(fetched.http, 'discovery')];
  const discovery = {
    url: fetched.url.href,
    ...(typeof doc.issuer === 'string' && { issuer: doc.issuer }),
    ...(typeof doc.jwks_uri === 'string' && { jwks_uri: doc.jwks_uri }),
    http: fetched.http,
  };
  if (typeof doc.jwks_uri !== 'string')
    return { source: fetched.url.href, type: 'jwks', keys: [], problems, discovery };
  const jwksURL = new URL(doc.jwks_uri, fetched.url);
  let set: Fetched;
  try {
    set = await inSource(jwksURL.href, () => fetchDocument(jwksURL, opts.timeout, policy));
  } catch (err) {
    // The document points somewhere the policy refuses: report it with the other findings
    // (an issuer mismatch, say) instead of fetching it.
    if (!(err instanceof JWKitError) || err.code !== 'ERR_REMOTE_JWKS_PRIVATE_ADDRESS') throw err;
    problems.push(
      problem(
        'error',
        'DISCOVERY_JWKS_URI_PRIVATE',
        'discovery.jwks_uri',
        `not fetched (${err.code}): ${err.message}`,
        'RFC 8414 §2',
      ),
    );
    return { source: fetched.url.href, type: 'jwks', keys: [], problems, discovery };
  }
  const draft = await inspectPublished(set, jwksURL.href, opts);
  return { ...draft, discovery, problems: [...problems, ...draft.problems] };
}

function textInput(name: string, text: string): Input {
  return { name, text, bytes: new TextEncoder().encode(text) };
}
