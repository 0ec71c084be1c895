import { describe, expect, it } from 'vitest';
import { BusyRateMeter } from '@hourglass/core';

describe('BusyRateMeter', () => {
  it('counts only time with a job in flight', () => {
    let now = 0;
    const meter = new BusyRateMeter(() => now);
    expect(meter.imagesPerSecond()).toBeUndefined();
    meter.jobStarted();
    now = 500;
    meter.imagesDone(50);
    meter.jobEnded();
    now = 10_000; // idle: must not dilute the rate
    meter.jobStarted();
    meter.jobStarted();
    now = 10_500;
    meter.imagesDone(25);
    meter.jobEnded();
    meter.imagesDone(25);
    meter.jobEnded();
    expect(meter.imagesPerSecond()).toBe(100);
  });

  it('says nothing until a few images were done, and ignores an unmatched end', () => {
    let now = 0;
    const meter = new BusyRateMeter(() => now);
    meter.jobEnded();
    meter.jobStarted();
    now = 100;
    meter.imagesDone(3);
    expect(meter.imagesPerSecond()).toBeUndefined();
    meter.imagesDone(7);
    expect(meter.imagesPerSecond()).toBe(100);
  });

  it('lets old work fade: a worker that got slower reports close to its new rate', () => {
    let now = 0;
    const meter = new BusyRateMeter(() => now);
    const run = (ms: number, images: number): void => {
      meter.jobStarted();
      now += ms;
      meter.imagesDone(images);
      meter.jobEnded();
    };
    for (let i = 0; i < 10; i++) run(10_000, 10_000); // 1,000 img/s
    for (let i = 0; i < 60; i++) run(10_000, 1_000); // then 100 img/s
    expect(meter.imagesPerSecond()!).toBeLessThan(120);
  });
});
