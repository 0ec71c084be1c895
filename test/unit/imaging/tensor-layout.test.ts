import { describe, expect, it } from 'vitest';
import { buildChannelTables, writeImageTensor, type Normalisation } from '@hourglass/core/testing';

// A 2×2 RGB image, row by row (HWC). Values are multiples of 51 so p / 255 is 0, .2, .4, .6, .8, 1.
const pixels = new Uint8Array([
  0,
  51,
  102,
  /**/ 255,
  204,
  153, // row 0: (0,0) (1,0)
  51,
  102,
  153,
  /**/ 204,
  0,
  255, // row 1: (0,1) (1,1)
]);

// R: (x - 0.5) / 0.5     G: (x - 0) / 1     B: (x - 0.2) / 0.2
const norm = (layout: 'NCHW' | 'NHWC'): Normalisation => ({ mean: [0.5, 0, 0.2], std: [0.5, 1, 0.2], layout });

// Hand-computed from the formulas above.
const R = [-1, 1, -0.6, 0.6]; // p = 0, 255, 51, 204
const G = [0.2, 0.8, 0.4, 0]; // p = 51, 204, 102, 0
const B = [1, 2, 2, 4]; // p = 102, 153, 153, 255  -> (.4-.2)/.2, (.6-.2)/.2, (.6-.2)/.2, (1-.2)/.2

function expectFloats(actual: ArrayLike<number>, expected: number[]): void {
  expect(actual.length).toBe(expected.length);
  expected.forEach((v, i) => expect(actual[i], `index ${i}`).toBeCloseTo(v, 5));
}

describe('buildChannelTables', () => {
  it('holds (p / 255 - mean) / std for all 256 levels of each channel', () => {
    const [r, g, b] = buildChannelTables(norm('NCHW'));
    for (const t of [r, g, b]) expect(t.length).toBe(256);
    expect(r[0]).toBeCloseTo(-1, 6);
    expect(r[255]).toBeCloseTo(1, 6);
    expect(g[0]).toBe(0);
    expect(g[255]).toBeCloseTo(1, 6);
    expect(b[51]).toBeCloseTo(0, 5);
    expect(b[128]).toBeCloseTo((128 / 255 - 0.2) / 0.2, 5);
  });

  it('gives ImageNet normalisation its usual extremes', () => {
    const [r] = buildChannelTables({ mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225], layout: 'NCHW' });
    expect(r[0]).toBeCloseTo(-2.117904, 5);
    expect(r[255]).toBeCloseTo(2.248908, 5);
  });
});

describe('writeImageTensor', () => {
  it('writes NCHW: the R plane, then G, then B', () => {
    const n = norm('NCHW');
    const target = new Float32Array(12);
    writeImageTensor(pixels, 2, 2, buildChannelTables(n), n.layout, target, 0);
    expectFloats(target, [...R, ...G, ...B]);
  });

  it('writes NHWC: pixels interleaved RGB', () => {
    const n = norm('NHWC');
    const target = new Float32Array(12);
    writeImageTensor(pixels, 2, 2, buildChannelTables(n), n.layout, target, 0);
    expectFloats(target, [R[0]!, G[0]!, B[0]!, R[1]!, G[1]!, B[1]!, R[2]!, G[2]!, B[2]!, R[3]!, G[3]!, B[3]!]);
  });

  it.each(['NCHW', 'NHWC'] as const)('%s: writes at the offset and touches nothing else', (layout) => {
    const n = norm(layout);
    const target = new Float32Array(36).fill(Number.NaN);
    writeImageTensor(pixels, 2, 2, buildChannelTables(n), layout, target, 12);
    expect([...target.slice(0, 12)].every(Number.isNaN)).toBe(true);
    expect([...target.slice(24)].every(Number.isNaN)).toBe(true);
    const alone = new Float32Array(12);
    writeImageTensor(pixels, 2, 2, buildChannelTables(n), layout, alone, 0);
    expect([...target.slice(12, 24)]).toEqual([...alone]);
  });

  it('handles a non-square image (width ≠ height) in NCHW', () => {
    // 3 wide × 1 high: planes of 3.
    const px = new Uint8Array([255, 0, 0, 0, 255, 0, 0, 0, 255]);
    const n: Normalisation = { mean: [0, 0, 0], std: [1, 1, 1], layout: 'NCHW' };
    const target = new Float32Array(9);
    writeImageTensor(px, 3, 1, buildChannelTables(n), 'NCHW', target, 0);
    expect([...target]).toEqual([1, 0, 0, 0, 1, 0, 0, 0, 1]);
  });
});
