import { describe, expect, it } from 'vitest';
import { fitCurve, fitScalingExponent, predictDrain, replicasFor, scaleAdvice, scalingEfficiency, type DrainCurve } from '@hourglass/core/bench';

const curve = (workers: number, fixedMs: number, msPerImage: number): DrainCurve => ({ workers, fixedMs, msPerImage, points: [] });

describe('fitCurve', () => {
  it('recovers an exact line wall = a + b·N', () => {
    const fit = fitCurve([100, 10_000, 100_000].map((n) => ({ images: n, wallMs: 250 + 4 * n })));
    expect(fit.fixedMs).toBeCloseTo(250, 6);
    expect(fit.msPerImage).toBeCloseTo(4, 9);
  });

  it('never returns a negative start-up cost: refits through the origin instead', () => {
    const fit = fitCurve([{ images: 100, wallMs: 100 }, { images: 1_000, wallMs: 2_000 }]);
    expect(fit.fixedMs).toBe(0);
    // least squares through the origin: Σ n·t / Σ n² = (100·100 + 1000·2000) / (100² + 1000²)
    expect(fit.msPerImage).toBeCloseTo((100 * 100 + 1_000 * 2_000) / (100 ** 2 + 1_000 ** 2), 9);
  });

  it('fits a single point as a rate', () => {
    expect(fitCurve([{ images: 500, wallMs: 1_000 }])).toEqual({ fixedMs: 0, msPerImage: 2 });
  });

  it('refuses no points', () => {
    expect(() => fitCurve([])).toThrow(RangeError);
  });
});

describe('predictDrain', () => {
  const curves = [curve(1, 200, 4), curve(2, 300, 2.5)];

  it('uses the measured curve of that worker count', () => {
    const p = predictDrain(curves, 10_000, 2);
    expect(p.ms).toBeCloseTo(300 + 25_000, 6);
    expect(p.imagesPerSecond).toBeCloseTo(400, 6);
    expect(p.basis).toMatch(/measured curve for 2/);
  });

  it('interpolates the rate between measured counts', () => {
    const p = predictDrain([curve(1, 0, 4), curve(3, 0, 1)], 1_000, 2);
    // rates 250 and 1000 img/s; halfway is 625 img/s
    expect(p.imagesPerSecond).toBeCloseTo(625, 6);
    expect(p.ms).toBeCloseTo(1_600, 6);
  });

  it('beyond the largest measured fleet adds hosts like the measured one', () => {
    const p = predictDrain(curves, 100_000, 4);
    expect(p.imagesPerSecond).toBeCloseTo(800, 6); // 2 hosts × 400 img/s
    expect(p.ms).toBeCloseTo(300 + 125_000, 6);
    expect(p.basis).toMatch(/hosts/);
  });

  it('below the smallest measured fleet scales per worker, and says it assumed linear scaling', () => {
    const p = predictDrain([curve(2, 0, 2)], 1_000, 1);
    expect(p.imagesPerSecond).toBeCloseTo(250, 6);
    expect(p.method).toBe('linear');
    expect(p.basis).toMatch(/linear scaling assumed from the 2-worker curve/);
  });

  // 125 img/s at 1 worker, 200 at 2: k = log2 1.6, so each doubling multiplies the rate by 1.6.
  const measured = [curve(1, 200, 8), curve(2, 200, 5)];

  it('extrapolates on one host along the measured scaling curve, not linearly', () => {
    const p = predictDrain(measured, 1_000, 4, { hostCores: 4 });
    expect(p.method).toBe('scaling-curve');
    expect(p.imagesPerSecond).toBeCloseTo(320, 6); // 200 × 1.6, not the linear 400
    expect(p.ms).toBeCloseTo(200 + 3_125, 6);
    expect(p.basis).toMatch(/rate ∝ workers\^0\.68 fitted to 1, 2 workers, efficiency 0\.80 vs linear at 4/);
  });

  it('below the smallest measured count follows the curve down', () => {
    const p = predictDrain([curve(2, 0, 5), curve(4, 0, 1000 / 320)], 1_000, 1);
    expect(p.method).toBe('scaling-curve');
    expect(p.imagesPerSecond).toBeCloseTo(125, 6);
  });

  it('past the host\'s cores fills each host along the curve, then adds hosts', () => {
    const p = predictDrain(measured, 1_000, 8, { hostCores: 4 });
    expect(p.method).toBe('hosts');
    expect(p.imagesPerSecond).toBeCloseTo(2 * 320, 6); // 2 hosts × 4 workers at 320 img/s
    expect(p.basis).toMatch(/2\.0 hosts like this one × 4 worker\(s\) each \(along the scaling curve/);
    // Cores already used by the largest measured count: hosts of that count, as measured.
    expect(predictDrain(measured, 1_000, 4, { hostCores: 2 }).imagesPerSecond).toBeCloseTo(400, 6);
  });
});

describe('scaling exponent', () => {
  it('fits rate ∝ workers^k in log-log; 1 is linear', () => {
    expect(fitScalingExponent([{ workers: 1, imagesPerSecond: 100 }, { workers: 2, imagesPerSecond: 200 }, { workers: 4, imagesPerSecond: 400 }])).toBeCloseTo(1, 9);
    expect(fitScalingExponent([{ workers: 1, imagesPerSecond: 125 }, { workers: 2, imagesPerSecond: 200 }])).toBeCloseTo(Math.log2(1.6), 9);
    expect(scalingEfficiency(Math.log2(1.6), 4, 2)).toBeCloseTo(0.8, 9);
  });

  it('needs two worker counts, and never extrapolates a superlinear step', () => {
    expect(fitScalingExponent([{ workers: 2, imagesPerSecond: 100 }])).toBeUndefined();
    expect(fitScalingExponent([{ workers: 2, imagesPerSecond: 100 }, { workers: 2, imagesPerSecond: 120 }])).toBeUndefined();
    expect(fitScalingExponent([{ workers: 1, imagesPerSecond: 100 }, { workers: 2, imagesPerSecond: 300 }])).toBe(1);
  });
});

describe('scale advice', () => {
  it('replicas = ceil(backlog / (rate per worker × target))', () => {
    expect(replicasFor(100_000, 250, 60)).toBe(7); // 100000 / 15000 = 6.67
    expect(replicasFor(15_000, 250, 60)).toBe(1);
    expect(replicasFor(15_001, 250, 60)).toBe(2);
    expect(replicasFor(0, 250, 60)).toBe(0);
    expect(() => replicasFor(10, 0, 60)).toThrow(RangeError);
  });

  it('stops adding workers per host where the measured gain falls under 10 %', () => {
    // 1 worker 250 img/s, 2 workers 260 img/s: the host is saturated at one worker.
    const advice = scaleAdvice([curve(1, 0, 4), curve(2, 0, 1000 / 260)], 100_000, 60_000, 2);
    expect(advice.usefulWorkersPerHost).toBe(1);
    expect(advice.ratePerWorker).toBeCloseTo(250, 6);
    expect(advice.replicas).toBe(7);
    expect(advice.hosts).toBe(7);
    expect(advice.reason).toMatch(/saturated/);
  });

  it('keeps a worker count that still helps, and never more workers than cores', () => {
    const advice = scaleAdvice([curve(1, 0, 4), curve(2, 0, 2.2), curve(4, 0, 1.2)], 100_000, 60_000, 2);
    expect(advice.usefulWorkersPerHost).toBe(2);
    expect(advice.reason).toMatch(/exceed the 2 cores/);
    expect(advice.hosts).toBe(Math.ceil(advice.replicas / 2));
  });

  it('leaves the fixed start-up cost out of the target budget', () => {
    const advice = scaleAdvice([curve(1, 10_000, 4)], 15_000, 70_000, 2);
    expect(advice.replicas).toBe(1); // 15000 images / (250 img/s × 60 s)
  });
});
