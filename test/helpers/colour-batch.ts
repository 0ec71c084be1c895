/** Batches of colour images for tests that run real workers: written once, referenced many times, submitted over HTTP. */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { expect } from 'vitest';
import { solidImage, type ColourName } from './images.js';
import type { TestSystem } from './system.js';

const COLOURS: ColourName[] = ['red', 'green', 'blue'];

/**
 * `count` references to three JPEGs (decoding is what costs, not the file count); the expected
 * label of reference i is COLOURS[i % 3]. Larger images make each one slower to decode, which the
 * shutdown tests use to have work in flight.
 */
export async function writeImages(
  system: TestSystem,
  count: number,
  { dir = 'many', width = 48, height = 36 }: { dir?: string; width?: number; height?: number } = {},
): Promise<{ paths: string[]; expected: ColourName[] }> {
  await mkdir(path.join(system.dataRoot, dir), { recursive: true });
  await Promise.all(
    COLOURS.map(async (colour, i) => writeFile(path.join(system.dataRoot, dir, `${i}.jpg`), await solidImage({ colour, width, height, seed: i }))),
  );
  return {
    paths: Array.from({ length: count }, (_, i) => `${dir}/${i % 3}.jpg`),
    expected: Array.from({ length: count }, (_, i) => COLOURS[i % 3]!),
  };
}

/** Submits the paths as one batch of the colours model (the server's job size unless `chunkSize`); returns its id. */
export async function submit(system: TestSystem, paths: string[], chunkSize?: number): Promise<string> {
  const response = await system.request('/v1/batches', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'colours', images: paths.map((p) => ({ path: p })), ...(chunkSize !== undefined ? { chunkSize } : {}) }),
  });
  expect(response.status).toBe(202);
  return ((await response.json()) as { id: string }).id;
}
