/** A small, hand-made benchmark report for unit tests of the report, chart and planner code. */
import { BENCH_SCHEMA, deriveRun, type BenchReport, type DrainResult, type InProcessResult, type RunRecord } from '@hourglass/core/bench';

const drain = (images: number, wallMs: number, chunkSize = 1): DrainResult => ({
  batchId: `b${images}-${chunkSize}`,
  images,
  chunkSize,
  wallMs,
  imagesPerSecond: (images / wallMs) * 1000,
  submitMs: images / 25,
  firstResultMs: 120,
  failures: 0,
  failureCodes: {},
  stages: { queueMs: images * 3, preprocessMs: images * 3.7, batchWaitMs: images * 1.5, runMs: images * 3.8 },
  batchHistogram: { '16': Math.floor(images / 16), ...(images % 16 ? { [String(images % 16)]: 1 } : {}) },
  workersSeen: 1,
});

const naive = { samples: 50, medianMs: 8, p90Ms: 9, preprocessMedianMs: 4, runMedianMs: 4, intraOpThreads: 2 };
const sampleInProcess = (): InProcessResult[] => [
  { images: 100, wallMs: 700, imagesPerSecond: 142.9, failures: 0, stages: { queueMs: 0, preprocessMs: 370, batchWaitMs: 150, runMs: 380 }, batchHistogram: { '16': 6, '4': 1 } },
  { images: 10_000, wallMs: 40_000, imagesPerSecond: 250, failures: 0, stages: { queueMs: 0, preprocessMs: 37_000, batchWaitMs: 15_000, runMs: 38_000 }, batchHistogram: { '16': 625 } },
];
// Runs copy what they need from it; each report gets its own array.
const inProcessRef = sampleInProcess();

/** One run record of `w` workers draining `images` in `wallMs` (one image per job unless `chunk`). */
export const sampleRun = (w: number, images: number, wallMs: number, chunk = 1): RunRecord =>
  deriveRun(drain(images, wallMs, chunk), w, inProcessRef.find((r) => r.images === images) ?? inProcessRef[1]!, naive, { ms: wallMs * 1.05, from: 'test' });

export function sampleReport(): BenchReport {
  const run = sampleRun;
  const inProcess = sampleInProcess();
  return {
    schema: BENCH_SCHEMA,
    createdAt: '2026-05-01T12:00:00.000Z',
    command: 'npm run bench -- --model mobilenet-v2 --images 100,10000,100000 --workers 1,2 --chunk 16',
    machine: {
      host: 'box',
      platform: 'linux',
      cpuModel: 'AMD EPYC',
      cores: 2,
      memoryGiB: 23.5,
      gpus: [],
      versions: { node: '20', onnxruntime: '1.30.0', sharp: '0.35.5', vips: '8.18', bullmq: '6.7.0', redis: '7.0.15' },
    },
    corpus: { kind: 'photos', seed: 1, sources: [{ file: '/usr/share/darknet/data/dog.jpg', sha256: 'x', width: 768, height: 576 }], width: { min: 500, max: 800 }, height: { min: 375, max: 900 }, bytes: { total: 80_000_000, mean: 80_000 }, cached: true, count: 1_000 },
    options: { images: [100, 10_000, 100_000], workers: [1, 2], ep: 'cpu', external: false, chunk: 16 },
    models: [
      {
        model: 'mobilenet-v2',
        version: 1,
        input: '224x224',
        onnxBytes: 10_000_000,
        source: 'bundled',
        naive: { ...naive },
        configs: [
          { workers: 1, external: false, ep: 'cpu', intraOpThreads: 2, batchSize: 16, batchTimeoutMs: 10, preprocessConcurrency: 4, concurrency: 32, maxInputPixels: 64e6, inProcess, runs: [run(1, 100, 800), run(1, 10_000, 41_000), run(1, 100_000, 405_000), run(1, 10_000, 40_500, 16)] },
          { workers: 2, external: false, ep: 'cpu', intraOpThreads: 1, batchSize: 16, batchTimeoutMs: 10, preprocessConcurrency: 4, concurrency: 32, maxInputPixels: 64e6, inProcess, runs: [run(2, 100, 700), run(2, 10_000, 39_000), run(2, 100_000, 390_000)] },
        ],
      },
    ],
    notes: ['a note'],
  };
}
