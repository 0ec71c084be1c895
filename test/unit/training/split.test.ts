import { describe, expect, it } from 'vitest';
import { AppError, checkTrainable } from '@hourglass/core';
import { permutation, randomSplit, randomStream, splitCounts, validCount } from '@hourglass/core/testing';

const labelsOf = (...counts: number[]): Int32Array => Int32Array.from(counts.flatMap((n, label) => new Array<number>(n).fill(label)));

describe('randomSplit (seeded, stratified RandomSplitter)', () => {
  it('is a deterministic partition for a seed', () => {
    const labels = labelsOf(300, 300, 400);
    const a = randomSplit(labels, 0.2, 42);
    const b = randomSplit(labels, 0.2, 42);
    expect(a).toEqual(b);
    expect(a.valid).toHaveLength(200);
    expect(a.train).toHaveLength(800);
    expect(new Set([...a.train, ...a.valid]).size).toBe(1000);
    expect(a.train).toEqual([...a.train].sort((x, y) => x - y));
  });

  it('holds out round(valid_pct × n) of every class, at least one each side', () => {
    const labels = labelsOf(15, 15, 16, 2, 3);
    const counts = splitCounts(['a', 'b', 'c', 'd', 'e'], labels, randomSplit(labels, 0.2, 42));
    expect(counts.map((c) => c.valid)).toEqual([3, 3, 3, 1, 1]);
    expect(counts.map((c) => c.train)).toEqual([12, 12, 13, 1, 2]);
    expect([validCount(1, 0.2), validCount(2, 0.9), validCount(10, 0.2), validCount(10, 0.9)]).toEqual([0, 1, 2, 9]);
  });

  it('changes with the seed', () => {
    const labels = labelsOf(50, 50);
    expect(randomSplit(labels, 0.2, 42).valid).not.toEqual(randomSplit(labels, 0.2, 43).valid);
  });

  it('pins its output, so a change to the generator is noticed', () => {
    expect(randomSplit(labelsOf(5, 5), 0.4, 42).valid).toMatchInlineSnapshot(`
      [
        2,
        3,
        8,
        9,
      ]
    `);
    expect(Array.from(permutation(5, randomStream(1, 0)))).toMatchInlineSnapshot(`
      [
        0,
        1,
        3,
        2,
        4,
      ]
    `);
  });

  it('counts classes per side', () => {
    const labels = [0, 0, 1, 1, 1];
    expect(splitCounts(['a', 'b'], labels, { train: [0, 2, 3], valid: [1, 4] })).toEqual([
      { label: 'a', total: 2, train: 1, valid: 1 },
      { label: 'b', total: 3, train: 2, valid: 1 },
    ]);
  });
});

describe('checkTrainable', () => {
  it('needs two classes', () => {
    expect(() => checkTrainable(['only'], [0, 0, 0, 0, 0], 0.2, 42)).toThrow(/at least 2 classes/);
  });

  it('names the classes with fewer than 2 images, with counts (400)', () => {
    try {
      checkTrainable(['many', 'one', 'none'], labelsOf(50, 1, 0), 0.2, 42);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(AppError);
      expect((error as AppError).code).toBe('DATASET_INVALID');
      expect((error as AppError).httpStatus).toBe(400);
      expect((error as AppError).details!.classes).toEqual([
        { label: 'many', total: 50, train: 40, valid: 10 },
        { label: 'one', total: 1, train: 1, valid: 0 },
        { label: 'none', total: 0, train: 0, valid: 0 },
      ]);
      expect((error as AppError).message).toMatch(/one \(1 image\), none \(0 images\)/);
    }
  });

  it('accepts a dataset whose classes have 2 images or more', () => {
    const counts = checkTrainable(['a', 'b', 'c'], labelsOf(2, 20, 38), 0.2, 42);
    expect(counts.reduce((s, c) => s + c.valid, 0)).toBe(1 + 4 + 8);
  });
});
