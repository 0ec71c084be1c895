import { describe, expect, it } from 'vitest';
import { Adam, oneCycleLr } from '@hourglass/core/testing';

describe('Adam', () => {
  it('takes a first step of exactly lr × sign(g) (bias correction), whatever the gradient scale', () => {
    const p = new Float64Array([1, 1, 1]);
    new Adam([p]).step([new Float64Array([0.001, -5, 300])], 0.1);
    // (eps makes the tiny gradient's step 1e-5 short)
    expect(p[0]).toBeCloseTo(0.9, 5);
    expect(p[1]).toBeCloseTo(1.1, 6);
    expect(p[2]).toBeCloseTo(0.9, 6);
  });

  it('matches the textbook update over several steps', () => {
    const p = new Float64Array([0.5]);
    const adam = new Adam([p], { beta1: 0.9, beta2: 0.999, eps: 1e-8 });
    let m = 0;
    let v = 0;
    let q = 0.5;
    for (let t = 1; t <= 5; t++) {
      const g = 2 * q - 0.3 * t; // any sequence of gradients
      adam.step([new Float64Array([2 * p[0]! - 0.3 * t])], 0.01);
      m = 0.9 * m + 0.1 * g;
      v = 0.999 * v + 0.001 * g * g;
      q -= (0.01 * (m / (1 - 0.9 ** t))) / (Math.sqrt(v / (1 - 0.999 ** t)) + 1e-8);
      expect(p[0]).toBeCloseTo(q, 12);
    }
    expect(adam.steps).toBe(5);
  });

  it('applies decoupled weight decay (AdamW)', () => {
    const p = new Float64Array([2]);
    new Adam([p], { weightDecay: 0.1 }).step([new Float64Array([0])], 0.5);
    // zero gradient: only the decay moves it, by lr × wd × p
    expect(p[0]).toBeCloseTo(2 - 0.5 * 0.1 * 2, 12);
  });

  it('minimises a quadratic', () => {
    const p = new Float64Array([5, -3]);
    const adam = new Adam([p]);
    for (let i = 0; i < 2000; i++) adam.step([new Float64Array([2 * (p[0]! - 1), 2 * (p[1]! + 2)])], 0.05);
    expect(p[0]).toBeCloseTo(1, 3);
    expect(p[1]).toBeCloseTo(-2, 3);
  });
});

describe('one-cycle schedule', () => {
  it('warms up, peaks at lr and anneals to lr/100', () => {
    const lrs = Array.from({ length: 100 }, (_, s) => oneCycleLr(1, s, 100));
    expect(lrs[0]!).toBeLessThan(0.25);
    expect(Math.max(...lrs)).toBeCloseTo(1, 10);
    expect(lrs[99]!).toBeCloseTo(0.01, 10);
    for (let s = 11; s < 100; s++) expect(lrs[s]!).toBeLessThanOrEqual(lrs[s - 1]!);
  });
});
