/**
 * The in-process ceiling measured around a drain (`bench --bracket`): one in-process run just
 * before the drain and one just after it, at the same N. On a shared VM the machine itself drifts
 * by ±10 % between minutes (the same in-process run measured 126 and 102 img/s on two runs of the
 * same tree), so a ceiling measured once, minutes before the drain, makes the efficiency ratio
 * partly a comparison of two machines. Bracketing compares the drain with the machine as it was
 * on both sides of it.
 */
import type { CpuUsage } from './cpu.js';
import type { InProcessResult } from './measure.js';
import { ratePerSecond, round } from './stats.js';

/** One side of the bracket, as the report keeps it. */
export interface BracketSide {
  wallMs: number;
  imagesPerSecond: number;
}

export type BracketedCeiling = InProcessResult & { bracket: [BracketSide, BracketSide] };

function meanCpu(before: CpuUsage | undefined, after: CpuUsage | undefined, wallBefore: number, wallAfter: number): CpuUsage | undefined {
  if (!before || !after) return undefined;
  // Cores averaged over time: each side weighs by how long it ran.
  const weighted = (a: number | null, b: number | null): number | null =>
    a === null || b === null ? null : round((a * wallBefore + b * wallAfter) / (wallBefore + wallAfter), 3);
  return { machineCores: weighted(before.machineCores, after.machineCores), oursCores: weighted(before.oursCores, after.oursCores), foreignCores: weighted(before.foreignCores, after.foreignCores) };
}

/**
 * The ceiling of a drain from the in-process runs before and after it: the mean wall time (so the
 * rate is N over it, not a mean of rates), the stage sums and histogram of the first, CPU averaged
 * over both, and both sides kept for the report.
 */
export function bracketCeiling(before: InProcessResult, after: InProcessResult): BracketedCeiling {
  if (before.images !== after.images) throw new RangeError(`a bracket needs one N on both sides (${before.images} before, ${after.images} after)`);
  const wallMs = (before.wallMs + after.wallMs) / 2;
  const cpu = meanCpu(before.cpu, after.cpu, before.wallMs, after.wallMs);
  const { cpu: _ownCpu, ...first } = before;
  return {
    ...first,
    wallMs: round(wallMs, 1),
    imagesPerSecond: round(ratePerSecond(before.images, wallMs), 2),
    failures: before.failures + after.failures,
    ...(cpu ? { cpu } : {}),
    bracket: [
      { wallMs: before.wallMs, imagesPerSecond: before.imagesPerSecond },
      { wallMs: after.wallMs, imagesPerSecond: after.imagesPerSecond },
    ],
  };
}

/** How far apart the two sides are, as a share of their mean rate: a wide bracket says the machine moved during the drain. */
export function bracketSpread(bracket: readonly [BracketSide, BracketSide]): number {
  const [a, b] = bracket;
  const mean = (a.imagesPerSecond + b.imagesPerSecond) / 2;
  return mean > 0 ? round(Math.abs(a.imagesPerSecond - b.imagesPerSecond) / mean, 3) : 0;
}
