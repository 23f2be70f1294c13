/**
 * `/metrics` in the Prometheus text exposition format (version 0.0.4), written by hand: a few
 * counters, gauges and one histogram do not need a client library.
 */

import type { KeyManager } from '../key-manager.js';
import type { Counter, Histogram } from '../stats.js';
import { KEY_STATES } from '../stores/store.js';

export const METRICS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

/** Label values escape backslash, double quote and newline (exposition format §"Comments, help text, and type information"). */
export function label(value: string): string {
  return value.replaceAll('\\', '\\\\').replaceAll('"', '\\"').replaceAll('\n', '\\n');
}

export function labels(pairs: Record<string, string>): string {
  const inner = Object.entries(pairs)
    .map(([k, v]) => `${k}="${label(v)}"`)
    .join(',');
  return inner ? `{${inner}}` : '';
}

export function family(
  out: string[],
  name: string,
  type: 'counter' | 'gauge' | 'histogram',
  help: string,
): void {
  out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
}

function histogram(out: string[], name: string, base: Record<string, string>, h: Histogram): void {
  h.buckets.forEach((le, i) => {
    out.push(`${name}_bucket${labels({ ...base, le: String(le) })} ${h.counts[i]}`);
  });
  out.push(`${name}_bucket${labels({ ...base, le: '+Inf' })} ${h.count}`);
  out.push(`${name}_sum${labels(base)} ${h.sum}`);
  out.push(`${name}_count${labels(base)} ${h.count}`);
}

/** Requests are counted under the label `route status`, e.g. `jwks 200`. */
export function renderMetrics(manager: KeyManager, requests: Counter): string {
  const out: string[] = [];
  family(out, 'jwkit_http_requests_total', 'counter', 'HTTP requests answered, by route and status.');
  for (const [key, n] of requests.values) {
    const [route = '', status = ''] = key.split(' ');
    out.push(`jwkit_http_requests_total${labels({ route, status })} ${n}`);
  }
  family(out, 'jwkit_rotations_total', 'counter', 'Key rotations this process committed, by alg.');
  for (const p of manager.policies) {
    out.push(
      `jwkit_rotations_total${labels({ alg: p.alg })} ${manager.stats.rotations.values.get(p.alg) ?? 0}`,
    );
  }
  family(out, 'jwkit_keys', 'gauge', 'Keys in the store as last seen, by alg and state.');
  const keys = manager.snapshot().keys;
  const algs = new Set([...manager.policies.map((p) => p.alg), ...keys.map((k) => k.alg)]);
  for (const alg of algs) {
    for (const state of KEY_STATES) {
      const n = keys.filter((k) => k.alg === alg && k.state === state).length;
      out.push(`jwkit_keys${labels({ alg, state })} ${n}`);
    }
  }
  const now = manager.clock.now();
  family(
    out,
    'jwkit_next_rotation_seconds',
    'gauge',
    'Seconds until the current key of an alg stops signing (negative: overdue), by alg.',
  );
  const current = (alg: string) => keys.find((k) => k.alg === alg && k.state === 'current');
  for (const p of manager.policies) {
    const k = current(p.alg);
    if (k) out.push(`jwkit_next_rotation_seconds${labels({ alg: p.alg })} ${(k.retiresAt - now) / 1000}`);
  }
  family(
    out,
    'jwkit_current_key_age_seconds',
    'gauge',
    'Seconds since the current key of an alg started signing, by alg.',
  );
  for (const p of manager.policies) {
    const k = current(p.alg);
    if (k) out.push(`jwkit_current_key_age_seconds${labels({ alg: p.alg })} ${(now - k.activatesAt) / 1000}`);
  }
  family(out, 'jwkit_jwks_keys', 'gauge', 'Keys in the published JWK Set.');
  out.push(`jwkit_jwks_keys ${manager.publication().keys.length}`);
  family(out, 'jwkit_store_up', 'gauge', '1 when the key store answered the last request, else 0.');
  out.push(`jwkit_store_up ${manager.health().store === 'ok' ? 1 : 0}`);
  family(out, 'jwkit_store_latency_seconds', 'histogram', 'Key store operation latency, by operation.');
  for (const [op, h] of manager.stats.storeLatency) histogram(out, 'jwkit_store_latency_seconds', { op }, h);
  family(out, 'jwkit_store_errors_total', 'counter', 'Key store operations that failed, by operation.');
  for (const [op, n] of manager.stats.storeErrors.values)
    out.push(`jwkit_store_errors_total${labels({ op })} ${n}`);
  return `${out.join('\n')}\n`;
}
