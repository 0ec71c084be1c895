/**
 * `hourglass experiment [--per-class N]`: the blog's experiment with measured numbers. For each
 * bundled backbone (speed, control, accuracy) on the same Fashion-MNIST split: train a head (a
 * train run in process, exactly what a train job runs), print the per-epoch table, then score the
 * merged model on held-out test images, predict one of them with its confidence, and time a
 * single-image classify. Writes bench/experiment/experiment.{json,md}.
 */
import { access, mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import {
  DiskFeatureCache,
  FASHION_MNIST_LABELS,
  ImageClassifier,
  importFashionMnist,
  loadModel,
  mapLimit,
  newTrainId,
  realDataRoot,
  runTraining,
  CPU_PROVIDER,
  type RegisteredModel,
  type TrainProgress,
} from '@hourglass/core';
import { renderAccuracyChart } from '@hourglass/core/bench';
import { BUNDLED_MODELS, importBundledModels } from '@hourglass/core/importers';
import { harnessEnv } from '../env.js';
import { epochTable, experimentMarkdown, summaryTable, type ExperimentEntry } from './report.js';

export const EXPERIMENT_USAGE = `  experiment [--per-class N] [--models a,b] [--epochs 3] [--head linear|mlp] [--out DIR] [--chart-only]
                                             the blog's fine-tuning experiment on every bundled backbone, measured
                                             (Fashion-MNIST; writes bench/experiment/experiment.{json,md})
`;

interface Options {
  perClass: number;
  heldOutPerClass: number;
  models: string[];
  epochs: number;
  head: 'linear' | 'mlp';
  seed: number;
  validPct: number;
  outDir: string;
  modelsDir: string;
  dataRoot: string;
  cacheDir: string;
  latencyRuns: number;
  threads: number;
}

const exists = (p: string): Promise<boolean> =>
  access(p).then(
    () => true,
    () => false,
  );
const log = (line: string): boolean => process.stderr.write(`${line}\n`);

async function ensureFashion(dataRoot: string, name: string, set: 'train' | 't10k', perClass: number): Promise<string> {
  const dir = path.join(dataRoot, name);
  if (!(await exists(path.join(dir, '.source.json')))) {
    log(`converting Fashion-MNIST ${set} (${perClass} per class) into ${dir}`);
    await importFashionMnist({ outDir: dir, set, perClass });
  }
  return dir;
}

function open(model: RegisteredModel, o: Options, batchSize: number): Promise<ImageClassifier> {
  return ImageClassifier.open(model, {
    provider: CPU_PROVIDER,
    intraOpThreads: o.threads,
    batchSize,
    batchTimeoutMs: batchSize === 1 ? 0 : 5,
    maxInputPixels: 64_000_000,
    preprocessConcurrency: batchSize === 1 ? 1 : 4,
    withFeatures: true,
  });
}

const median = (values: number[]): number => {
  const s = [...values].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

async function runOne(
  o: Options,
  backboneName: string,
  heldOut: Array<{ file: string; truth: string }>,
  single: { file: string; truth: string; rel: string },
): Promise<ExperimentEntry> {
  const spec = BUNDLED_MODELS.find((m) => m.name === backboneName);
  const backbone = await loadModel(o.modelsDir, backboneName);
  const datasetName = `fashion-mnist-${o.perClass}`;
  const outputModel = `${backboneName}-fashion-mnist`;
  log(`\n== ${backboneName} (${spec?.role ?? 'backbone'}): training a ${o.head} head on ${datasetName}`);
  const classifier = await open(backbone, o, 16);
  let shown = -1;
  const onProgress = (p: TrainProgress): void => {
    if (p.phase !== 'extracting' || !p.extracted) return;
    const tenth = Math.floor((10 * p.extracted.done) / Math.max(1, p.extracted.total));
    if (tenth === shown) return;
    shown = tenth;
    process.stderr.write(
      `\r  features ${p.extracted.done}/${p.extracted.total} (${p.extracted.cached} cached)${p.extracted.done === p.extracted.total ? '\n' : ''}`,
    );
  };
  const result = await runTraining(
    { classifier, dataRoot: o.dataRoot, modelsDir: o.modelsDir, cache: new DiskFeatureCache(o.cacheDir), onProgress },
    {
      trainId: newTrainId(),
      request: { baseModel: backboneName, dataset: datasetName, epochs: o.epochs, validPct: o.validPct, seed: o.seed, head: o.head },
      dataset: { name: datasetName, path: datasetName, hash: '', classes: [] },
      outputModel,
    },
  ).finally(() => classifier.close());
  log(epochTable(result.epochs));

  const merged = await loadModel(o.modelsDir, outputModel);
  // Held-out accuracy and batched throughput.
  const batched = await open(merged, o, 16);
  for (const image of heldOut.slice(0, 16)) await batched.classify(image.file); // warm-up
  let right = 0;
  const t0 = performance.now();
  await mapLimit(heldOut, 32, async (image) => {
    const out = await batched.classify(image.file);
    if (out.predictions[0]!.label === image.truth) right++;
  });
  const imagesPerSecond = heldOut.length / ((performance.now() - t0) / 1000);
  await batched.close();

  // One image at a time, as the blog timed it.
  const one = await open(merged, o, 1);
  for (let i = 0; i < 3; i++) await one.classify(single.file);
  const times: number[] = [];
  let prediction = { label: '', confidence: 0 };
  for (let i = 0; i < o.latencyRuns; i++) {
    const s = performance.now();
    const out = await one.classify(single.file);
    times.push(performance.now() - s);
    prediction = out.predictions[0]!;
  }
  await one.close();

  const last = result.epochs.at(-1)!;
  const entry: ExperimentEntry = {
    model: outputModel,
    modelVersion: result.model.version,
    baseModel: backboneName,
    role: spec?.role ?? 'backbone',
    features: backbone.manifest.features?.size ?? 0,
    head: o.head,
    accuracy: result.accuracy,
    errorRate: last.error_rate,
    heldOutAccuracy: right / heldOut.length,
    heldOutImages: heldOut.length,
    imagesPerSecond,
    singleImageMs: median(times),
    prediction: { image: single.rel, label: prediction.label, truth: single.truth, confidence: prediction.confidence },
    epochs: result.epochs,
    seconds: { extract: result.seconds.extract, train: result.seconds.train },
    featureCache: result.featureCache,
    dataset: { name: datasetName, perClass: o.perClass, images: result.images.total, validPct: o.validPct, seed: o.seed, hash: result.dataset.hash },
    machine: {
      cpu: os.cpus()[0]?.model ?? 'unknown',
      cores: os.availableParallelism(),
      node: process.version,
      ep: 'cpu',
      intraOpThreads: o.threads,
      loadAverage: Number(os.loadavg()[0]!.toFixed(2)),
    },
    generatedAt: new Date().toISOString(),
  };
  log(
    `${backboneName}: valid accuracy ${(entry.accuracy * 100).toFixed(1)} %, held-out ${(entry.heldOutAccuracy * 100).toFixed(1)} %; ` +
      `${single.rel} -> ${entry.prediction.label} (${entry.prediction.confidence.toFixed(4)}) in ${entry.singleImageMs.toFixed(1)} ms; ${entry.imagesPerSecond.toFixed(1)} img/s batched`,
  );
  return entry;
}

export async function experimentCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      'per-class': { type: 'string', default: '300' },
      'held-out-per-class': { type: 'string', default: '20' },
      models: { type: 'string', default: BUNDLED_MODELS.map((m) => m.name).join(',') },
      epochs: { type: 'string', default: '3' },
      head: { type: 'string', default: 'linear' },
      seed: { type: 'string', default: '42' },
      out: { type: 'string', default: 'bench/experiment' },
      runs: { type: 'string', default: '20' },
      'chart-only': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(`usage:\n${EXPERIMENT_USAGE}`);
    return 0;
  }
  if (values['chart-only']) {
    const outDir = path.resolve(values.out);
    const entries = JSON.parse(await readFile(path.join(outDir, 'experiment.json'), 'utf8')) as ExperimentEntry[];
    await writeChart(outDir, entries);
    return 0;
  }
  const head = values.head === 'mlp' ? 'mlp' : values.head === 'linear' ? 'linear' : undefined;
  const perClass = Number(values['per-class']);
  if (!head || !(Number.isInteger(perClass) && perClass >= 2)) {
    process.stderr.write(`usage:\n${EXPERIMENT_USAGE}`);
    return 2;
  }
  const dataRootDir = harnessEnv().DATA_ROOT;
  await mkdir(dataRootDir, { recursive: true });
  const o: Options = {
    perClass,
    heldOutPerClass: Number(values['held-out-per-class']),
    models: values.models
      .split(',')
      .map((m) => m.trim())
      .filter(Boolean),
    epochs: Number(values.epochs),
    head,
    seed: Number(values.seed),
    validPct: 0.2,
    outDir: path.resolve(values.out),
    modelsDir: harnessEnv().MODELS_DIR,
    dataRoot: await realDataRoot(dataRootDir),
    cacheDir: path.resolve('.hourglass/cache/features'),
    latencyRuns: Number(values.runs),
    threads: os.availableParallelism(),
  };

  await importBundledModels(o.modelsDir, { only: o.models, log });
  await ensureFashion(o.dataRoot, `fashion-mnist-${o.perClass}`, 'train', o.perClass);
  const heldOutDir = await ensureFashion(o.dataRoot, `fashion-mnist-t10k-${o.heldOutPerClass}`, 't10k', o.heldOutPerClass);
  const heldOut: Array<{ file: string; truth: string }> = [];
  for (const label of FASHION_MNIST_LABELS) {
    for (const file of (await readdir(path.join(heldOutDir, label))).sort()) heldOut.push({ file: path.join(heldOutDir, label, file), truth: label });
  }
  // The single image: the first of the test set (t10k index 0).
  const first = heldOut.reduce((a, b) => (path.basename(a.file) <= path.basename(b.file) ? a : b));
  const single = { ...first, rel: path.relative(o.dataRoot, first.file).split(path.sep).join('/') };

  const entries: ExperimentEntry[] = [];
  for (const model of o.models) entries.push(await runOne(o, model, heldOut, single));

  await mkdir(o.outDir, { recursive: true });
  await writeFile(path.join(o.outDir, 'experiment.json'), `${JSON.stringify(entries, null, 2)}\n`);
  const markdown = experimentMarkdown(entries);
  await writeFile(path.join(o.outDir, 'experiment.md'), markdown);
  await writeChart(o.outDir, entries);
  process.stdout.write(`\n${summaryTable(entries)}\n\nwrote ${path.join(o.outDir, 'experiment.json')}, experiment.md and accuracy-vs-throughput.svg\n`);
  return 0;
}

/** The blog's opening plot from the measured entries: validation accuracy against batched img/s. */
async function writeChart(outDir: string, entries: readonly ExperimentEntry[]): Promise<void> {
  const svg = renderAccuracyChart(
    entries.map((e) => ({ label: `${e.baseModel} (${e.role})`, accuracy: e.accuracy, imagesPerSecond: e.imagesPerSecond })),
    'Accuracy vs throughput, fine-tuned on Fashion-MNIST',
  );
  await writeFile(path.join(outDir, 'accuracy-vs-throughput.svg'), svg);
}
