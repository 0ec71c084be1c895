import { describe, expect, it } from 'vitest';
import { softmaxInPlace, topK } from '@hourglass/core/testing';

describe('softmaxInPlace', () => {
  it('matches the hand-computed softmax of [1, 2, 3]', () => {
    // e^1, e^2, e^3 = 2.718282, 7.389056, 20.085537; sum 30.192875
    const row = new Float32Array([1, 2, 3]);
    const out = softmaxInPlace(row);
    expect(out).toBe(row); // in place
    expect(out[0]).toBeCloseTo(0.09003057, 6);
    expect(out[1]).toBeCloseTo(0.24472847, 6);
    expect(out[2]).toBeCloseTo(0.66524096, 6);
  });

  it('is shift-invariant and does not overflow on large logits', () => {
    const out = softmaxInPlace(new Float32Array([1001, 1002, 1003]));
    expect([...out].every(Number.isFinite)).toBe(true);
    expect(out[2]).toBeCloseTo(0.66524096, 6);
    const low = softmaxInPlace(new Float32Array([-1000, -1000]));
    expect(low[0]).toBeCloseTo(0.5, 6);
  });

  it('sums to 1 and gives equal logits equal probability', () => {
    const out = softmaxInPlace(new Float32Array([0.3, -2, 7, 7, 1.5]));
    expect(out.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 6);
    expect(out[2]).toBe(out[3]);
    const uniform = softmaxInPlace(new Float32Array(4).fill(5));
    expect([...uniform]).toEqual([0.25, 0.25, 0.25, 0.25]);
  });
});

describe('topK', () => {
  const labels = ['cat', 'dog', 'fox', 'owl'];

  it('orders by confidence, highest first, with their labels', () => {
    expect(topK([0.1, 0.6, 0.05, 0.25], labels, 3)).toEqual([
      { label: 'dog', confidence: 0.6 },
      { label: 'owl', confidence: 0.25 },
      { label: 'cat', confidence: 0.1 },
    ]);
  });

  it('returns every class when k exceeds them', () => {
    expect(topK([0.2, 0.8], ['a', 'b'], 5).map((p) => p.label)).toEqual(['b', 'a']);
  });

  it('names classes without a label class_<index>', () => {
    expect(topK([0.1, 0.2, 0.3, 0.4, 0.9], ['a', 'b'], 3)).toEqual([
      { label: 'class_4', confidence: 0.9 },
      { label: 'class_3', confidence: 0.4 },
      { label: 'class_2', confidence: 0.3 },
    ]);
  });

  it('rounds confidences to six decimals', () => {
    expect(topK(new Float32Array([0.123456789, 0.876543211]), ['a', 'b'], 2)).toEqual([
      { label: 'b', confidence: 0.876543 },
      { label: 'a', confidence: 0.123457 },
    ]);
  });

  it('keeps index order among ties', () => {
    expect(topK([0.25, 0.25, 0.25, 0.25], labels, 4).map((p) => p.label)).toEqual(labels);
  });

  it('does not modify its input', () => {
    const probabilities = [0.1, 0.6, 0.3];
    topK(probabilities, labels, 2);
    expect(probabilities).toEqual([0.1, 0.6, 0.3]);
  });
});
