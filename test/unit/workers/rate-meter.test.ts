import { describe, expect, it } from 'vitest';
import { BusyRateMeter } from '@hourglass/core';

/** A meter on a fake clock, and one job of `images` taking `ms` of it. */
function fakeMeter(warmupWindows?: number): { meter: BusyRateMeter; run: (ms: number, images: number) => void; idle: (ms: number) => void } {
  let now = 0;
  const meter = new BusyRateMeter(() => now, warmupWindows);
  return {
    meter,
    run(ms, images) {
      meter.jobStarted();
      now += ms;
      meter.imagesDone(images);
      meter.jobEnded();
    },
    idle(ms) {
      now += ms;
    },
  };
}

describe('BusyRateMeter', () => {
  it("drops the warm-up: a first job slowed by the session's first run does not pull the rate down", () => {
    const { meter, run } = fakeMeter();
    // The first 64 images take 10 s (first-run compile), then the worker drains 40 img/s.
    run(10_000, 64);
    expect(meter.imagesPerSecond()).toBeUndefined();
    for (let i = 0; i < 20; i++) run(250, 10);
    // Keeping the warm-up would say 264 images / 15 s = 17.6 img/s.
    expect(meter.imagesPerSecond()).toBe(40);
  });

  it('drops one warm-up window per session: each session pays its own first run', () => {
    const { meter, run } = fakeMeter(2);
    // Two sessions: the first window holds one first run, the second window the other.
    run(4_000, 32);
    run(4_000, 32);
    expect(meter.imagesPerSecond()).toBeUndefined();
    for (let i = 0; i < 20; i++) run(250, 25);
    expect(meter.imagesPerSecond()).toBe(100);
  });

  it('counts only time with a job in flight: idle gaps and overlapping jobs', () => {
    let now = 0;
    const meter = new BusyRateMeter(() => now);
    const span = (): void => {
      // Two jobs overlap: 300 ms of busy time, 100 images.
      meter.jobStarted();
      meter.jobStarted();
      now += 200;
      meter.imagesDone(50);
      meter.jobEnded();
      now += 100;
      meter.imagesDone(50);
      meter.jobEnded();
      now += 30_000; // idle: must not dilute the rate
    };
    span(); // warm-up window
    // The first rate is pooled over 2 s of busy time: 6 spans of 300 ms are not enough.
    for (let i = 0; i < 6; i++) span();
    expect(meter.imagesPerSecond()).toBeUndefined();
    span();
    expect(meter.imagesPerSecond()).toBe(333.33);
  });

  it('says nothing until a window has enough images, and ignores an unmatched end or a bad count', () => {
    const { meter, run } = fakeMeter();
    meter.jobEnded();
    meter.imagesDone(Number.NaN);
    meter.imagesDone(-5);
    run(2_000, 20); // warm-up
    run(2_000, 3); // a window needs 8 images
    expect(meter.imagesPerSecond()).toBeUndefined();
    run(1_000, 5); // 8 images in 3 s
    expect(meter.imagesPerSecond()).toBe(2.67);
  });

  it('pools its first rate over 2 s of busy time: windows of whole micro-batches do not set it alone', () => {
    const { meter, run } = fakeMeter();
    run(500, 32); // warm-up
    // A worker that finishes 16 images every 145 ms (110 img/s): a window closes on the first
    // micro-batch after 250 ms, so windows hold 32 images in 290 ms; with one slow micro-batch
    // first (16 in 300 ms: 53 img/s), one window alone would report half the rate.
    run(300, 16);
    for (let i = 0; i < 5; i++) run(290, 32);
    expect(meter.imagesPerSecond()).toBeUndefined(); // 1,750 ms of busy time
    run(290, 32);
    // 208 images in 2,040 ms; the first window alone said 53.33.
    expect(meter.imagesPerSecond()).toBe(101.96);
  });

  it('lets old work fade: a worker that got slower reports close to its new rate', () => {
    const { meter, run, idle } = fakeMeter();
    for (let i = 0; i < 10; i++) run(10_000, 10_000); // 1,000 img/s
    for (let i = 0; i < 15; i++) {
      idle(5_000);
      run(10_000, 1_000); // then 100 img/s
    }
    expect(meter.imagesPerSecond()!).toBeGreaterThanOrEqual(100);
    expect(meter.imagesPerSecond()!).toBeLessThan(110);
  });
});
