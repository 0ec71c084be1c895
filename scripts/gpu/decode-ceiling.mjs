#!/usr/bin/env node
/**
 * The decode-only ceiling: how many images per second sharp turns into model input on this
 * machine's cores (decode + resize + the tensor write a worker does), with no model behind it.
 * A GPU worker cannot drain faster than this, however fast its GPU.
 *
 *   UV_THREADPOOL_SIZE=$(nproc) node scripts/gpu/decode-ceiling.mjs --corpus DIR [--images N]
 *       [--size 224] [--concurrency C]          (C default: cores; needs `npm run build`)
 * Prints one JSON object.
 */
import { readdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { buildChannelTables, decodeImage, writeImageTensor } from '@hourglass/core/testing';

const { values } = parseArgs({
  options: {
    corpus: { type: 'string' },
    images: { type: 'string', default: '2000' },
    size: { type: 'string', default: '224' },
    concurrency: { type: 'string' },
  },
});
if (!values.corpus) throw new Error('--corpus DIR is required');
const files = (await readdir(values.corpus))
  .filter((f) => /\.(jpe?g|png)$/i.test(f))
  .sort()
  .map((f) => path.join(values.corpus, f));
if (files.length === 0) throw new Error(`no images in ${values.corpus}`);
const images = Number(values.images);
const size = Number(values.size);
const concurrency = Number(values.concurrency ?? os.availableParallelism());
const tables = buildChannelTables({ mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] });

async function decodeAll(count) {
  let next = 0;
  const lanes = Array.from({ length: concurrency }, async () => {
    const target = new Float32Array(3 * size * size);
    while (next < count) {
      const file = files[next++ % files.length];
      const { pixels, width, height } = await decodeImage(file, { width: size, height: size, fit: 'cover', maxInputPixels: 64_000_000 });
      writeImageTensor(pixels, width, height, tables, 'NCHW', target, 0);
    }
  });
  await Promise.all(lanes);
}

await decodeAll(Math.min(images, 4 * concurrency)); // warm-up: thread pool, file cache
const cpu0 = process.cpuUsage();
const t0 = performance.now();
await decodeAll(images);
const wallMs = performance.now() - t0;
const cpu = process.cpuUsage(cpu0);
console.log(
  JSON.stringify({
    measure: 'decode-ceiling',
    images,
    distinctFiles: files.length,
    size,
    concurrency,
    uvThreadpool: Number(process.env.UV_THREADPOOL_SIZE ?? 4),
    cores: os.availableParallelism(),
    wallMs: Math.round(wallMs),
    imagesPerSecond: +(images / (wallMs / 1000)).toFixed(1),
    cpuCoresBusy: +((cpu.user + cpu.system) / 1000 / wallMs).toFixed(2),
  }),
);
