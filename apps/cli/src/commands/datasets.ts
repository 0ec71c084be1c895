/**
 * `hourglass datasets import-fashion-mnist [--per-class N] [--out DIR] [--set train|t10k]`:
 * converts Debian's dataset-fashion-mnist (IDX files) into a dataset folder of PNGs, one
 * sub-folder per class, ready for POST /v1/datasets and train jobs.
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { FASHION_MNIST_CLASSES, FASHION_MNIST_DIR, importFashionMnist } from '@hourglass/core';
import type { Io } from './common.js';

export const DATASETS_USAGE = `  datasets import-fashion-mnist [--per-class N] [--out DIR] [--set train|t10k] [--source DIR]
                                             Fashion-MNIST (apt-get install -y dataset-fashion-mnist) as PNG folders
                                             per class; default out: $DATA_ROOT/fashion-mnist (DATA_ROOT default ./data)
`;

export async function datasetsCommand(args: string[], io: Io): Promise<number> {
  const [sub, ...rest] = args;
  if (sub !== 'import-fashion-mnist') {
    io.stderr.write(`usage:\n${DATASETS_USAGE}`);
    return sub === undefined || sub === '--help' || sub === '-h' ? 0 : 2;
  }
  const { values } = parseArgs({
    args: rest,
    options: {
      'per-class': { type: 'string' },
      out: { type: 'string' },
      set: { type: 'string', default: 'train' },
      source: { type: 'string', default: FASHION_MNIST_DIR },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  if (values.help) {
    io.stdout.write(`usage:\n${DATASETS_USAGE}`);
    return 0;
  }
  const perClass = values['per-class'] === undefined ? undefined : Number(values['per-class']);
  if (perClass !== undefined && !(Number.isInteger(perClass) && perClass > 0)) {
    io.stderr.write('--per-class must be a positive integer\n');
    return 2;
  }
  if (values.set !== 'train' && values.set !== 't10k') {
    io.stderr.write('--set must be train (60,000 images) or t10k (10,000 test images)\n');
    return 2;
  }
  const outDir = path.resolve(values.out ?? path.join(io.env.DATA_ROOT, 'fashion-mnist'));
  const t0 = performance.now();
  const result = await importFashionMnist({
    outDir,
    set: values.set,
    sourceDir: values.source,
    ...(perClass !== undefined ? { perClass } : {}),
    onProgress: (done, total) => io.stderr.write(`\r${done}/${total} images`),
  });
  io.stderr.write('\n');
  io.stdout.write(`wrote ${result.images} PNGs to ${outDir} in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
  for (const [name, folder] of FASHION_MNIST_CLASSES) io.stdout.write(`  ${folder.padEnd(12)} ${String(result.perClass[folder]).padStart(5)}  (${name})\n`);
  return 0;
}
