#!/usr/bin/env node
/**
 * Memory of a train job after the backbone: how much a worker process holds to train a head on N
 * images of W features.
 *
 *   npm run build && node --expose-gc scripts/train-memory.mjs [--rows 50000] [--width 1280]
 *     [--classes 10] [--epochs 3] [--seed 42] [--head linear|mlp] [--valid-pct 0.2]
 *
 * Runs the built @hourglass/core's own train-job path from the feature cache on: extractFeatures
 * with every image a cache hit, then trainOnFeatures (the split minus failures, standardisation,
 * the head for `epochs` epochs), with the job's default hyper-parameters. The cache is a
 * FeatureCache made here: it returns a fresh Float32Array per image, as RedisFeatureCache does, and
 * generates the features from the seed (10 noisy class centres, non-negative like pooled ReLU
 * features) instead of storing them, so the only copies of the features in the process are the
 * train job's. No backbone runs (every feature is a cache hit), so nothing here is ONNX time.
 *
 * Prints the peak RSS (the kernel's high-water mark, getrusage ru_maxrss: it sees the short-lived
 * copies that a sampler can miss inside a synchronous block), the sampled peaks of the V8 heap and
 * of ArrayBuffer memory (typed arrays live there, outside the heap), wall times, and the epoch table.
 * The last line is the same as JSON.
 */
import { parseArgs } from 'node:util';
import os from 'node:os';
import { extractFeatures, randomSplit, seededRandom, trainOnFeatures } from '@hourglass/core/testing';

const { values: args } = parseArgs({
  options: {
    rows: { type: 'string', default: '50000' },
    width: { type: 'string', default: '1280' },
    classes: { type: 'string', default: '10' },
    epochs: { type: 'string', default: '3' },
    seed: { type: 'string', default: '42' },
    head: { type: 'string', default: 'linear' },
    'valid-pct': { type: 'string', default: '0.2' },
  },
});
const rows = Number(args.rows);
const width = Number(args.width);
const classes = Number(args.classes);
const epochs = Number(args.epochs);
const seed = Number(args.seed);
const validPct = Number(args['valid-pct']);
const head = args.head;
if (
  ![rows, width, classes, epochs, seed].every((n) => Number.isInteger(n) && n >= 0) ||
  rows < 2 * classes ||
  classes < 2 ||
  !['linear', 'mlp'].includes(head)
) {
  console.error(
    'usage: node --expose-gc scripts/train-memory.mjs [--rows N ≥ 2·classes] [--width W] [--classes C ≥ 2] [--epochs E] [--seed S] [--head linear|mlp] [--valid-pct P]',
  );
  process.exit(2);
}

const MiB = 1024 * 1024;
const mib = (bytes) => Math.round(bytes / MiB);
const collect = () => globalThis.gc?.();

/**
 * Class centres with a per-class offset of norm ~3 whatever the width (so the task is as hard at
 * 1,280 as at 2,048 features), unit noise per feature, clipped at 0.
 */
const centreRandom = seededRandom(seed);
const centres = Array.from({ length: classes }, () =>
  Float64Array.from({ length: width }, () => 1 + ((centreRandom() * 2 - 1) * 3 * Math.sqrt(3)) / Math.sqrt(width)),
);
const labelOf = (i) => i % classes;
function syntheticFeatures(i) {
  const random = seededRandom(Math.imul(seed + 1, 0x9e3779b1) ^ Math.imul(i + 1, 0x85ebca6b));
  const centre = centres[labelOf(i)];
  const out = new Float32Array(width);
  for (let j = 0; j < width; j++) out[j] = Math.max(0, centre[j] + (random() + random() + random() - 1.5) * 2);
  return out;
}

/** A FeatureCache where every image is a hit, each answer a fresh array (as Redis's MGET gives). */
const cache = {
  async getMany(_backbone, hashes) {
    return hashes.map((h) => syntheticFeatures(Number(h)));
  },
  async setMany(_backbone, entries) {
    if (entries.length > 0) throw new Error('train-memory: every feature should have been a cache hit');
  },
};

const itemLabels = Int32Array.from({ length: rows }, (_, i) => labelOf(i));
const labels = Array.from({ length: classes }, (_, c) => `class-${c}`);
const hashes = Array.from({ length: rows }, (_, i) => String(i));
const paths = hashes.map((h) => `synthetic/${h}.jpg`);
const split = randomSplit(itemLabels, validPct, seed);
const request = { baseModel: 'synthetic', dataset: 'synthetic', epochs, validPct, seed, head };

collect();
const baseline = process.memoryUsage();
const peak = { rss: baseline.rss, heapUsed: baseline.heapUsed, arrayBuffers: baseline.arrayBuffers };
const sample = () => {
  const m = process.memoryUsage();
  peak.rss = Math.max(peak.rss, m.rss);
  peak.heapUsed = Math.max(peak.heapUsed, m.heapUsed);
  peak.arrayBuffers = Math.max(peak.arrayBuffers, m.arrayBuffers);
};
const sampler = setInterval(sample, 5);

const t0 = performance.now();
const extracted = await extractFeatures({
  // Never called: every image is a cache hit.
  classifier: undefined,
  dataRoot: '/nonexistent',
  paths,
  hashes,
  cache,
  backbone: 'synthetic',
  width,
});
sample();
const afterExtract = { maxRss: process.resourceUsage().maxRSS * 1024, seconds: (performance.now() - t0) / 1000 };
if (extracted.failures.length > 0 || extracted.computed > 0) throw new Error('train-memory: expected every feature from the cache');

const t1 = performance.now();
const result = await trainOnFeatures({ request, extracted, labels, itemLabels, split, onEpoch: sample });
sample();
clearInterval(sampler);
const trainSeconds = (performance.now() - t1) / 1000;
const maxRss = process.resourceUsage().maxRSS * 1024;

const report = {
  rows,
  width,
  classes,
  epochs,
  seed,
  head,
  train: result.train.length,
  valid: result.valid.length,
  featureMiB: { float32: mib(rows * width * 4), float64: mib(rows * width * 8) },
  baselineRssMiB: mib(baseline.rss),
  peakRssMiB: mib(maxRss),
  peakRssAfterExtractMiB: mib(afterExtract.maxRss),
  sampledPeakHeapUsedMiB: mib(peak.heapUsed),
  sampledPeakArrayBuffersMiB: mib(peak.arrayBuffers),
  seconds: { extract: Number(afterExtract.seconds.toFixed(2)), train: Number(trainSeconds.toFixed(2)) },
  errorRate: result.trained.epochs.at(-1).error_rate,
  validLoss: result.trained.validLoss,
  epochTable: result.trained.epochs.map(({ seconds: _s, ...row }) => row),
  node: process.version,
  cpus: os.cpus().length,
  gc: typeof globalThis.gc === 'function',
};

console.log(
  `${rows.toLocaleString('en')} rows × ${width} features (${report.featureMiB.float32} MiB as float32), ${classes} classes, ${head} head, ${epochs} epochs, seed ${seed}; node ${process.version}, ${report.cpus} cpus${report.gc ? '' : ' (no --expose-gc: baseline taken without a full GC)'}`,
);
console.log(`peak RSS ${report.peakRssMiB} MiB (baseline ${report.baselineRssMiB} MiB; ${report.peakRssAfterExtractMiB} MiB by the end of extraction)`);
console.log(`sampled peaks: V8 heap used ${report.sampledPeakHeapUsedMiB} MiB, ArrayBuffers ${report.sampledPeakArrayBuffersMiB} MiB`);
console.log(`wall: extract (all cache hits) ${report.seconds.extract} s, train ${report.seconds.train} s`);
for (const row of result.trained.epochs)
  console.log(
    `  epoch ${row.epoch}  train_loss ${row.train_loss.toFixed(6)}  valid_loss ${row.valid_loss.toFixed(6)}  error_rate ${row.error_rate.toFixed(6)}  ${row.seconds.toFixed(2)} s`,
  );
console.log(JSON.stringify(report));
