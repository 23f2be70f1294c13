/**
 * Counters and latency histograms the key manager and the HTTP app keep for `/metrics`. Plain
 * numbers: rendering them as Prometheus text is http/metrics.ts's job.
 */

/** Latency buckets in seconds, from a local SQLite read to a slow network database. */
export const LATENCY_BUCKETS: readonly number[] = [
  0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5,
];

export class Histogram {
  readonly counts: number[];
  sum = 0;
  count = 0;

  constructor(readonly buckets: readonly number[] = LATENCY_BUCKETS) {
    this.counts = buckets.map(() => 0);
  }

  observe(value: number): void {
    this.sum += value;
    this.count++;
    for (let i = 0; i < this.buckets.length; i++) if (value <= this.buckets[i]!) this.counts[i]!++;
  }
}

/** A counter keyed by a label string (e.g. an alg, or `route status`). */
export class Counter {
  readonly values = new Map<string, number>();

  inc(label: string, by = 1): void {
    this.values.set(label, (this.values.get(label) ?? 0) + by);
  }
}

export interface ManagerStats {
  /** Rotations this process committed, by alg. */
  readonly rotations: Counter;
  /** Store operation latency in seconds, by operation (load, version, commit). */
  readonly storeLatency: Map<string, Histogram>;
  /** Store operations that failed, by operation. */
  readonly storeErrors: Counter;
}
