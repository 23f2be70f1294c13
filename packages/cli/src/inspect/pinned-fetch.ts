/**
 * A `fetch` for targets the user did not name (issue 13.12) that checks the addresses it
 * actually connects to. fetchJWKS resolves and checks a host before each request, but the
 * global fetch resolves it again when it connects, so a DNS server that answers with a public
 * address first and 169.254.169.254 a moment later (rebinding) would pass that check. Here the
 * socket's own lookup checks every address it receives, so what is checked is what is used.
 * Redirects are never followed here (fetchJWKS follows them by hand, checking each hop).
 */

import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';
import { Readable } from 'node:stream';
import { RemoteJWKSFetchError } from 'jwkit';
import { addressKind } from 'jwkit/internal';

export type FetchLike = (url: string, init: RequestInit) => Promise<Response>;

/**
 * A fetch whose connections go only to public addresses; `hint` ends the refusal message.
 * `refused` says which addresses are not public (tests widen it to reach a loopback server).
 */
export function publicOnlyFetch(
  hint: string,
  refused: (address: string) => string | undefined = addressKind,
): FetchLike {
  return (url, init) =>
    new Promise<Response>((resolve, reject) => {
      const target = new URL(url);
      const refusal = (host: string, address: string, kind: string) =>
        new RemoteJWKSFetchError(
          'ERR_REMOTE_JWKS_PRIVATE_ADDRESS',
          `${target.href}: ${host} is ${address} (${kind}) when connecting; ${hint}`,
          { url: target.href },
        );
      // An IP literal is connected to without a lookup: check it here.
      const literal = target.hostname.replace(/^\[|\]$/g, '');
      const literalKind = refused(literal);
      if (literalKind !== undefined) return reject(refusal(literal, literal, literalKind));
      const lookup: LookupFunction = (hostname, options, callback) => {
        dnsLookup(hostname, { ...options, all: true }, (err, found) => {
          if (err) return callback(err, '', 4);
          const addresses = found as LookupAddress[];
          const bad = addresses.find((a) => refused(a.address) !== undefined);
          if (bad !== undefined || addresses.length === 0) {
            const kind = bad === undefined ? 'no address' : (refused(bad.address) ?? '');
            return callback(refusal(hostname, bad?.address ?? 'nothing', kind), '', 4);
          }
          if (options.all) return (callback as (e: null, a: LookupAddress[]) => void)(null, addresses);
          const first = addresses[0]!;
          callback(null, first.address, first.family);
        });
      };
      const headers: Record<string, string> = {};
      new Headers(init.headers).forEach((v, k) => {
        headers[k] = v;
      });
      const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
      const req = send(
        target,
        { method: init.method ?? 'GET', headers, lookup, signal: init.signal ?? undefined },
        (res) => {
          const out = new Headers();
          for (const [k, v] of Object.entries(res.headers)) {
            if (Array.isArray(v)) for (const item of v) out.append(k, item);
            else if (v !== undefined) out.set(k, v);
          }
          const status = res.statusCode ?? 0;
          if (status < 200 || status > 599) {
            res.destroy();
            return reject(new Error(`unexpected HTTP status ${status}`));
          }
          const empty = status === 204 || status === 205 || status === 304;
          if (empty) res.resume();
          const body = empty ? null : (Readable.toWeb(res) as ReadableStream<Uint8Array>);
          resolve(new Response(body, { status, headers: out }));
        },
      );
      req.on('error', reject);
      req.end();
    });
}
