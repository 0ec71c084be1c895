/** Small statistics for benchmark figures: quantiles, sums, and rounding for reports. */

/** The q-quantile (0..1) by nearest rank; 0 for no values. */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank]!;
}

export const median = (values: readonly number[]): number => quantile(values, 0.5);

export function sum(values: Iterable<number>): number {
  let total = 0;
  for (const v of values) total += v;
  return total;
}

/** Rounds to `digits` decimals (reports hold ms to 0.001 at most). */
export function round(value: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

/** Images per second for `images` over `ms`. */
export const ratePerSecond = (images: number, ms: number): number => (ms > 0 ? (images * 1000) / ms : 0);
