import { describe, expect, it } from 'vitest';
import { gzipSync } from 'node:zlib';
import { AppError, FASHION_MNIST_CLASSES, FASHION_MNIST_LABELS } from '@hourglass/core';
import { parseIdx } from '@hourglass/core/testing';

/** An IDX file of unsigned bytes with the given dims. */
function idx(dims: number[], data: number[]): Buffer {
  const header = Buffer.alloc(4 + 4 * dims.length);
  header[2] = 0x08;
  header[3] = dims.length;
  dims.forEach((d, i) => header.writeUInt32BE(d, 4 + 4 * i));
  return Buffer.concat([header, Buffer.from(data)]);
}

describe('Fashion-MNIST IDX files', () => {
  it('parses plain and gzipped IDX', () => {
    const raw = idx([2, 2, 2], [1, 2, 3, 4, 5, 6, 7, 8]);
    for (const bytes of [raw, gzipSync(raw)]) {
      const parsed = parseIdx(bytes);
      expect(parsed.dims).toEqual([2, 2, 2]);
      expect([...parsed.data]).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    }
  });

  it('rejects a wrong magic, element type or length', () => {
    expect(() => parseIdx(Buffer.from([1, 0, 8, 1, 0, 0, 0, 1, 5]))).toThrow(AppError);
    const wrongType = idx([1], [5]);
    wrongType[2] = 0x0d;
    expect(() => parseIdx(wrongType)).toThrow(/not unsigned byte/);
    expect(() => parseIdx(idx([3], [1, 2]))).toThrow(/dims \[3\] need 3/);
  });

  it('names the ten classes as folders', () => {
    expect(FASHION_MNIST_LABELS).toEqual(['t-shirt-top', 'trouser', 'pullover', 'dress', 'coat', 'sandal', 'shirt', 'sneaker', 'bag', 'ankle-boot']);
    expect(FASHION_MNIST_CLASSES[0]).toEqual(['T-shirt/top', 't-shirt-top']);
  });
});
