/**
 * Prometheus metrics: one prom-client Registry per app object (the API app, the worker app), never
 * prom-client's global one, so two apps built in one test process do not collide. A process runs
 * one app, so in production that is one registry per process.
 *
 * Every registry carries prom-client's default process metrics: CPU, resident memory, heap, GC,
 * open handles and event-loop lag (`nodejs_eventloop_lag_seconds`, `..._p99_seconds`), under their
 * usual unprefixed names so stock Node.js dashboards work. Everything hourglass defines itself is
 * named `hourglass_<what>_<unit>` (`_total` for counters, `_seconds` / `_bytes` base units).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { Registry, collectDefaultMetrics } from 'prom-client';

export { Registry } from 'prom-client';

/** Histogram buckets (seconds) for per-image and per-batch times: 0.5 ms .. 10 s. */
export const LATENCY_BUCKETS_SECONDS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
/** Histogram buckets for micro-batch sizes (powers of two up to the 1024 cap on BATCH_SIZE). */
export const BATCH_SIZE_BUCKETS = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024];

export interface MetricsRegistryOptions {
  /** Default process metrics (memory, CPU, event-loop lag); on unless a test turns them off. */
  defaultMetrics?: boolean;
}

/** A fresh registry for one app, with the default process metrics. */
export function createMetricsRegistry(options: MetricsRegistryOptions = {}): Registry {
  const registry = new Registry();
  if (options.defaultMetrics !== false) collectDefaultMetrics({ register: registry });
  return registry;
}

/**
 * Checks the `Authorization` header of a scrape against METRICS_TOKEN. No token configured: open
 * (what Prometheus expects by default; /metrics serves aggregate numbers only). A token: it must
 * come as `Bearer <token>` (Prometheus: `authorization: { credentials: ... }`), compared in constant time.
 */
export function metricsAccessAllowed(token: string | undefined, authorization: string | undefined): boolean {
  if (!token) return true;
  const [scheme, value] = (authorization ?? '').split(' ', 2);
  if (scheme?.toLowerCase() !== 'bearer' || !value) return false;
  const digest = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();
  return timingSafeEqual(digest(value.trim()), digest(token));
}
