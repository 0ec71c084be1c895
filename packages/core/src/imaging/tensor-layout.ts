/**
 * Turns decoded RGB pixels into the float tensor a model expects. (p / 255 - mean) / std has only
 * 256 possible results per channel, so three 256-entry lookup tables replace the arithmetic, and
 * rows are written straight into the batch buffer (no per-image tensor allocation).
 */
export interface Normalisation {
  mean: readonly [number, number, number];
  std: readonly [number, number, number];
  layout: 'NCHW' | 'NHWC';
}

export type ChannelTables = readonly [Float32Array, Float32Array, Float32Array];

export function buildChannelTables(n: Normalisation): ChannelTables {
  const table = (c: 0 | 1 | 2): Float32Array => {
    const t = new Float32Array(256);
    for (let p = 0; p < 256; p++) t[p] = (p / 255 - n.mean[c]) / n.std[c];
    return t;
  };
  return [table(0), table(1), table(2)];
}

/**
 * Writes one HWC uint8 RGB image into `target` at `offset` (in floats), in the model's layout.
 * `pixels.length` must be width × height × 3.
 */
export function writeImageTensor(
  pixels: Uint8Array,
  width: number,
  height: number,
  tables: ChannelTables,
  layout: 'NCHW' | 'NHWC',
  target: Float32Array,
  offset: number,
): void {
  const plane = width * height;
  const [r, g, b] = tables;
  if (layout === 'NCHW') {
    for (let i = 0, p = 0; i < plane; i++, p += 3) {
      target[offset + i] = r[pixels[p]!]!;
      target[offset + plane + i] = g[pixels[p + 1]!]!;
      target[offset + 2 * plane + i] = b[pixels[p + 2]!]!;
    }
  } else {
    for (let p = 0; p < plane * 3; p += 3) {
      target[offset + p] = r[pixels[p]!]!;
      target[offset + p + 1] = g[pixels[p + 1]!]!;
      target[offset + p + 2] = b[pixels[p + 2]!]!;
    }
  }
}
