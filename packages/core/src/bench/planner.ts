/**
 * Predicts drain time from measured curves instead of multiplying one latency by N. A curve is a
 * straight line per worker count, drain = fixed + N × ms-per-image, least-squares fitted to the
 * benchmark's (N, wall) points. Scale advice turns a backlog and a target drain time into replicas:
 * ceil(backlog / (rate per worker × target)), and says where adding workers to one host stops
 * helping (cores, or measured diminishing returns).
 */
import type { BenchReport } from './report.js';
import { isDefaultSizeRun } from './drain.js';
import { fitScalingExponent, scalingEfficiency } from './scaling.js';

export interface CurvePoint {
  images: number;
  wallMs: number;
}

export interface DrainCurve {
  workers: number;
  /** Start-up cost independent of N: first job pickup, the last partial batch, polling, ms. */
  fixedMs: number;
  msPerImage: number;
  points: CurvePoint[];
}

/** Least squares of wall = a + b·N; a is clamped at ≥ 0 (then b is refitted through the origin). */
export function fitCurve(points: readonly CurvePoint[]): { fixedMs: number; msPerImage: number } {
  if (points.length === 0) throw new RangeError('no points to fit');
  const n = points.length;
  const mx = points.reduce((s, p) => s + p.images, 0) / n;
  const my = points.reduce((s, p) => s + p.wallMs, 0) / n;
  const sxx = points.reduce((s, p) => s + (p.images - mx) ** 2, 0);
  if (n >= 2 && sxx > 0) {
    const b = points.reduce((s, p) => s + (p.images - mx) * (p.wallMs - my), 0) / sxx;
    const a = my - b * mx;
    if (a >= 0 && b > 0) return { fixedMs: a, msPerImage: b };
  }
  const through = points.reduce((s, p) => s + p.images * p.wallMs, 0) / points.reduce((s, p) => s + p.images ** 2, 0);
  return { fixedMs: 0, msPerImage: through };
}

/** One curve per worker count from a report's one-image-per-job runs of `model`. */
export function curvesFromReport(report: BenchReport, model: string): DrainCurve[] {
  const record = report.models.find((m) => m.model === model);
  if (!record) return [];
  return record.configs
    .map((config) => {
      const points = config.runs.filter((r) => isDefaultSizeRun(r) && r.failures === 0).map((r) => ({ images: r.images, wallMs: r.wallMs }));
      return points.length > 0 ? { workers: config.workers, ...fitCurve(points), points } : undefined;
    })
    .filter((c): c is DrainCurve => c !== undefined)
    .sort((a, b) => a.workers - b.workers);
}

/** Images per second a curve sustains at large N. */
export const curveRate = (curve: Pick<DrainCurve, 'msPerImage'>): number => 1000 / curve.msPerImage;

export interface DrainPrediction {
  ms: number;
  imagesPerSecond: number;
  /** Which measurements it rests on, in words. */
  basis: string;
}

/**
 * How a planned drain was reached, for callers that must tell a measured answer from an assumed
 * one (the backtest counts only the first three):
 * - curve: that worker count's own fitted line;
 * - interpolated: between two measured worker counts;
 * - scaling-curve: beyond the measured counts on one host, along the fitted scaling exponent;
 * - linear: beyond the measured counts with one worker count measured, so linear scaling assumed;
 * - hosts: more hosts like the measured one, assumed to add linearly (one host was measured).
 */
export type DrainMethod = 'curve' | 'interpolated' | 'scaling-curve' | 'linear' | 'hosts';

export interface PlannedDrain extends DrainPrediction {
  method: DrainMethod;
}

export interface PredictOptions {
  /**
   * Cores of the measured host. Worker counts up to it are extrapolated on that one host along the
   * scaling curve; beyond it (or when unknown) more workers mean more hosts like it.
   */
  hostCores?: number;
}

/**
 * Drain time of `images` with `workers` workers. A measured worker count uses its own curve; one
 * between measured counts interpolates the rate; one outside them follows the scaling curve of
 * the measured counts (rate ∝ workers^k, fitted; linear only when one count was measured), on one
 * host up to its cores, and beyond that adds hosts like the measured one.
 */
export function predictDrain(curves: readonly DrainCurve[], images: number, workers: number, options: PredictOptions = {}): PlannedDrain {
  if (curves.length === 0) throw new RangeError('no measured curves');
  const exact = curves.find((c) => c.workers === workers);
  if (exact) {
    const ms = exact.fixedMs + images * exact.msPerImage;
    return { ms, imagesPerSecond: curveRate(exact), method: 'curve', basis: `measured curve for ${workers} worker(s): ${exact.fixedMs.toFixed(0)} ms + ${exact.msPerImage.toFixed(3)} ms/image` };
  }
  const below = [...curves].reverse().find((c) => c.workers < workers);
  const above = curves.find((c) => c.workers > workers);
  if (below && above) {
    const t = (workers - below.workers) / (above.workers - below.workers);
    const rate = curveRate(below) + t * (curveRate(above) - curveRate(below));
    const fixed = below.fixedMs + t * (above.fixedMs - below.fixedMs);
    return { ms: fixed + (images / rate) * 1000, imagesPerSecond: rate, method: 'interpolated', basis: `interpolated between ${below.workers} and ${above.workers} measured workers` };
  }
  const exponent = fitScalingExponent(curves.map((c) => ({ workers: c.workers, imagesPerSecond: curveRate(c) })));
  // The nearest measured count is the one to extrapolate from.
  const from = above ?? below!;
  const perHost = above ? workers : Math.max(from.workers, Math.min(workers, options.hostCores ?? from.workers));
  const hostRate = perHost === from.workers ? curveRate(from) : curveRate(from) * (perHost / from.workers) ** (exponent ?? 1);
  const hosts = workers / perHost;
  const rate = hostRate * hosts;
  const ms = from.fixedMs + (images / rate) * 1000;
  const along = exponent === undefined
    ? `linear scaling assumed from the ${from.workers}-worker curve: one worker count measured, no efficiency to scale by`
    : `along the scaling curve from ${from.workers} worker(s): rate ∝ workers^${exponent.toFixed(2)} fitted to ${curves.map((c) => c.workers).join(', ')} workers, efficiency ${scalingEfficiency(exponent, perHost, from.workers).toFixed(2)} vs linear at ${perHost}`;
  if (hosts > 1) {
    const each = perHost === from.workers ? 'as measured' : along;
    return { ms, imagesPerSecond: rate, method: 'hosts', basis: `${hosts.toFixed(1)} hosts like this one × ${perHost} worker(s) each (${each}); hosts assumed to add linearly, one host measured and its cores already used` };
  }
  return { ms, imagesPerSecond: rate, method: exponent === undefined ? 'linear' : 'scaling-curve', basis: along };
}

/** A prediction when no curve exists yet: the in-process rate plus a fixed start-up guess. */
export function predictFromRate(images: number, imagesPerSecond: number, fixedMs = 0): DrainPrediction {
  return { ms: fixedMs + (images / imagesPerSecond) * 1000, imagesPerSecond, basis: `in-process rate ${imagesPerSecond.toFixed(1)} img/s (no stored curve yet)` };
}

export interface ScaleAdvice {
  /** Workers needed: ceil(backlog / (rate per worker × target)). */
  replicas: number;
  ratePerWorker: number;
  /** Workers one host like this one runs usefully (more add nothing). */
  usefulWorkersPerHost: number;
  hosts: number;
  reason: string;
}

/** The formula the issue asks for, kept separate so it can be checked by hand. */
export function replicasFor(backlog: number, ratePerWorker: number, targetSeconds: number): number {
  if (backlog <= 0) return 0;
  if (ratePerWorker <= 0 || targetSeconds <= 0) throw new RangeError('rate and target must be > 0');
  return Math.ceil(backlog / (ratePerWorker * targetSeconds));
}

/**
 * Replicas to drain `backlog` images within `targetMs`. The useful workers per host is the largest
 * measured count that still added ≥ 10 % throughput and does not exceed the cores (one intra-op
 * thread each at least); rate per worker is that configuration's rate ÷ its workers.
 */
export function scaleAdvice(curves: readonly DrainCurve[], backlog: number, targetMs: number, cores: number): ScaleAdvice {
  if (curves.length === 0) throw new RangeError('no measured curves');
  let best = curves[0]!;
  let reason = `${best.workers} worker(s) is the smallest measured fleet`;
  for (const c of curves.slice(1)) {
    if (c.workers > cores) {
      reason = `${c.workers} workers exceed the ${cores} cores of this host`;
      break;
    }
    if (curveRate(c) < curveRate(best) * 1.1) {
      reason = `${c.workers} workers added only ${((curveRate(c) / curveRate(best) - 1) * 100).toFixed(0)} % over ${best.workers}: this host is saturated`;
      break;
    }
    best = c;
    reason = `${c.workers} workers measured fastest per host (${cores} cores)`;
  }
  const ratePerWorker = curveRate(best) / best.workers;
  // The fixed start-up cost is paid once whatever the fleet: leave it out of the budget.
  const budgetSeconds = Math.max(1e-3, (targetMs - best.fixedMs) / 1000);
  const replicas = replicasFor(backlog, ratePerWorker, budgetSeconds);
  return { replicas, ratePerWorker, usefulWorkersPerHost: best.workers, hosts: Math.ceil(replicas / best.workers), reason };
}
