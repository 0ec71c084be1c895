import { describe, expect, it } from 'vitest';
import { bracketCeiling, bracketSpread, type InProcessResult } from '@hourglass/core/bench';

const run = (wallMs: number, cpu?: { machineCores: number; oursCores: number; foreignCores: number }): InProcessResult => ({
  images: 2_000,
  wallMs,
  imagesPerSecond: (2_000 * 1000) / wallMs,
  failures: 0,
  stages: { queueMs: 0, preprocessMs: 1, batchWaitMs: 2, runMs: 4 },
  batchHistogram: { '16': 125 },
  ...(cpu ? { cpu } : {}),
});

describe('bracketed in-process ceiling', () => {
  it('is N over the mean wall time of the runs before and after the drain, not the mean of their rates', () => {
    const ceiling = bracketCeiling(run(16_000), run(24_000));
    expect(ceiling.wallMs).toBe(20_000);
    expect(ceiling.imagesPerSecond).toBe(100);
    // The mean of the two rates (125 and 83.3) would be 104.2: a fast side would weigh more.
    expect(ceiling.bracket).toEqual([
      { wallMs: 16_000, imagesPerSecond: 125 },
      { wallMs: 24_000, imagesPerSecond: (2_000 * 1000) / 24_000 },
    ]);
  });

  it('averages the cores used over time, each side weighed by how long it ran', () => {
    const ceiling = bracketCeiling(run(10_000, { machineCores: 2, oursCores: 1.9, foreignCores: 0.1 }), run(30_000, { machineCores: 1.6, oursCores: 1.5, foreignCores: 0.1 }));
    expect(ceiling.cpu).toEqual({ machineCores: 1.7, oursCores: 1.6, foreignCores: 0.1 });
    // Without CPU figures on one side there is none for the mean.
    expect(bracketCeiling(run(10_000, { machineCores: 2, oursCores: 1.9, foreignCores: 0.1 }), run(10_000)).cpu).toBeUndefined();
  });

  it('refuses two sides measured at different N', () => {
    expect(() => bracketCeiling(run(10_000), { ...run(10_000), images: 1_000 })).toThrow(RangeError);
  });

  it('reports how far apart the two sides are as a share of their mean rate', () => {
    expect(bracketSpread([{ wallMs: 1, imagesPerSecond: 110 }, { wallMs: 1, imagesPerSecond: 90 }])).toBe(0.2);
    expect(bracketSpread([{ wallMs: 1, imagesPerSecond: 0 }, { wallMs: 1, imagesPerSecond: 0 }])).toBe(0);
  });
});
