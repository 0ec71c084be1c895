/**
 * The experiment's output: one JSON entry per backbone (read by the benchmark report's
 * accuracy-vs-throughput chart) and the Markdown the blog would have printed.
 *
 * bench/experiment/experiment.json is an array of ExperimentEntry:
 *   { model, baseModel, role, accuracy, errorRate, heldOutAccuracy, imagesPerSecond, singleImageMs,
 *     prediction: { image, label, truth, confidence }, epochs: [{ epoch, train_loss, valid_loss,
 *     error_rate, seconds }], ... }
 * accuracy = 1 - the last epoch's valid error_rate; imagesPerSecond = the merged model's
 * in-process throughput (decode + batched inference, batch 16); singleImageMs = median wall time
 * of one classify() call at batch size 1 (decode included), after warm-up.
 */
import type { EpochRow } from '@hourglass/core';

export interface ExperimentEntry {
  /** The trained model, `<backbone>-fashion-mnist`. */
  model: string;
  modelVersion: number;
  baseModel: string;
  role: string;
  features: number;
  head: 'linear' | 'mlp';
  /** 1 - error_rate of the last epoch, on the validation split. */
  accuracy: number;
  errorRate: number;
  /** Share of the held-out Fashion-MNIST test images (t10k) classified right by the merged model. */
  heldOutAccuracy: number;
  heldOutImages: number;
  /** Merged model, in process, batch 16, decode included. */
  imagesPerSecond: number;
  /** Median of one classify() at batch 1, decode included, after warm-up. */
  singleImageMs: number;
  prediction: { image: string; label: string; truth: string; confidence: number };
  epochs: EpochRow[];
  seconds: { extract: number; train: number };
  featureCache: { hits: number; computed: number };
  dataset: { name: string; perClass: number; images: number; validPct: number; seed: number; hash: string };
  /** loadAverage: the 1-minute load when this backbone finished (other processes share the cores). */
  machine: { cpu: string; cores: number; node: string; ep: string; intraOpThreads: number; loadAverage: number };
  generatedAt: string;
}

const fixed = (v: number, d: number): string => v.toFixed(d);

/** The per-epoch table in fastai's layout (time as mm:ss). */
export function epochTable(epochs: readonly EpochRow[]): string {
  const mmss = (s: number): string => `${String(Math.floor(s / 60)).padStart(2, '0')}:${String(Math.round(s % 60)).padStart(2, '0')}`;
  const lines = ['| epoch | train_loss | valid_loss | error_rate | time |', '|---:|---:|---:|---:|---:|'];
  for (const e of epochs) lines.push(`| ${e.epoch} | ${fixed(e.train_loss, 6)} | ${fixed(e.valid_loss, 6)} | ${fixed(e.error_rate, 6)} | ${mmss(e.seconds)} |`);
  return lines.join('\n');
}

export function summaryTable(entries: readonly ExperimentEntry[]): string {
  const lines = [
    '| backbone | role | features | valid accuracy | held-out accuracy | prediction (held-out image) | confidence | single image | throughput |',
    '|---|---|---:|---:|---:|---|---:|---:|---:|',
  ];
  for (const e of entries) {
    lines.push(
      `| ${e.baseModel} | ${e.role} | ${e.features} | ${fixed(e.accuracy * 100, 1)} % | ${fixed(e.heldOutAccuracy * 100, 1)} % (${e.heldOutImages}) | ${e.prediction.label}${e.prediction.label === e.prediction.truth ? '' : ` (truth: ${e.prediction.truth})`} | ${fixed(e.prediction.confidence, 4)} | ${fixed(e.singleImageMs, 1)} ms | ${fixed(e.imagesPerSecond, 1)} img/s |`,
    );
  }
  return lines.join('\n');
}

export function experimentMarkdown(entries: readonly ExperimentEntry[]): string {
  const first = entries[0];
  if (!first) return "# The blog's experiment, reproduced\n\nNo backbone was run.\n";
  const { dataset, machine } = first;
  const parts = [
    "# The blog's experiment, reproduced",
    '',
    `Fine-tuning as the blog did with fastai (\`vision_learner(dls, arch).fine_tune(${first.epochs.length})\`, \`RandomSplitter(valid_pct=${dataset.validPct}, seed=${dataset.seed})\`), ` +
      `with hourglass train jobs instead: a ${first.head} head trained in TypeScript (AdamW, one-cycle) on the frozen features of each bundled backbone, then appended to the backbone's ONNX graph as one model.`,
    '',
    `- Data: Fashion-MNIST (Debian \`dataset-fashion-mnist\`), the first ${dataset.perClass} training images of each of the 10 classes = ${dataset.images} images, split ${Math.round((1 - dataset.validPct) * 100)}/${Math.round(dataset.validPct * 100)} per class with seed ${dataset.seed} (dataset hash \`${dataset.hash.slice(0, 16)}…\`).`,
    `- Held-out: ${first.heldOutImages} images of the Fashion-MNIST test set (t10k), never seen in training; the single-image prediction uses \`${first.prediction.image}\` (truth: ${first.prediction.truth}).`,
    `- Machine: ${machine.cpu}, ${machine.cores} cores, Node ${machine.node}, onnxruntime-node ${machine.ep}, ${machine.intraOpThreads} intra-op threads; 1-minute load average when each backbone finished: ${entries.map((e) => `${e.baseModel} ${e.machine.loadAverage}`).join(', ')} (above ${machine.cores}: other processes were sharing the cores, and the timings are slower than on an idle machine).`,
    `- Generated ${first.generatedAt} by \`npm run hourglass -- experiment --per-class ${dataset.perClass}\`.`,
    '',
    '## Summary',
    '',
    summaryTable(entries),
    '',
    'Single image = median wall time of one classify() call at batch size 1, decode and resize included (the number the blog multiplied by 100,000). Throughput = the same merged model in process with micro-batches of 16; the benchmark report has the queue-and-workers numbers.',
    '',
  ];
  for (const e of entries) {
    parts.push(
      `## ${e.baseModel} (${e.role}) → ${e.model} v${e.modelVersion}`,
      '',
      epochTable(e.epochs),
      '',
      `Features: ${e.featureCache.computed} computed, ${e.featureCache.hits} from the cache, in ${fixed(e.seconds.extract, 1)} s; head training ${fixed(e.seconds.train, 1)} s. ` +
        `Prediction for the held-out image: **${e.prediction.label}**, confidence ${fixed(e.prediction.confidence, 4)}, ${fixed(e.singleImageMs, 1)} ms.`,
      '',
    );
  }
  return `${parts.join('\n')}`;
}
