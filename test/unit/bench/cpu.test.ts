import { describe, expect, it } from 'vitest';
import { CpuMeter, cpuEfficiency, type RunRecord } from '@hourglass/core/bench';

describe.runIf(process.platform === 'linux')('CPU accounting', () => {
  it('counts the CPU our own process burns, and never more foreign load than the machine had', async () => {
    const meter = await CpuMeter.start(() => [process.pid]);
    const until = performance.now() + 300;
    let x = 0;
    while (performance.now() < until) x += Math.sqrt(x + 1);
    const usage = await meter.stop();
    expect(x).toBeGreaterThan(0);
    expect(usage.oursCores).toBeGreaterThan(0);
    expect(usage.machineCores).toBeGreaterThanOrEqual(0);
    expect(usage.foreignCores).toBeGreaterThanOrEqual(0);
  });
});

describe('per-CPU efficiency', () => {
  const inProcess = [{ images: 1_000, wallMs: 10_000, imagesPerSecond: 100, failures: 0, stages: { queueMs: 0, preprocessMs: 0, batchWaitMs: 0, runMs: 0 }, batchHistogram: {}, cpu: { machineCores: 2, oursCores: 2, foreignCores: 0 } }];
  const run = (wallMs: number, oursCores: number): RunRecord => ({ images: 1_000, wallMs, inProcess: { images: 1_000, wallMs: 10_000, imagesPerSecond: 100 }, cpu: { machineCores: 2, oursCores, foreignCores: 2 - oursCores } }) as RunRecord;

  it('compares images per core-second used, so other programs\' load cancels out', () => {
    // Twice the wall time on half the cores: the same cost per image.
    expect(cpuEfficiency({ inProcess }, run(20_000, 1))).toBe(1);
    // Same wall time, but 10 % more CPU spent: 1 / 1.1.
    expect(cpuEfficiency({ inProcess }, run(10_000, 2.2))).toBeCloseTo(1 / 1.1, 3);
  });

  it('is null without CPU figures', () => {
    expect(cpuEfficiency({ inProcess: [{ ...inProcess[0]!, cpu: undefined }] }, run(10_000, 2))).toBeNull();
  });
});
