/** Example payloads the operations show (and the OpenAPI test validates against their schemas). */

export const exampleBatch = {
  id: 'bmh3k2x9a1f2e3d4c5b6',
  model: 'mobilenet-v2',
  modelVersion: 1,
  total: 3,
  chunkSize: 1,
  status: 'running',
  counts: { queued: 1, active: 1, completed: 1, failed: 0 },
  timings: { createdAt: '2025-11-26T04:00:00.000Z', firstResultAt: '2025-11-26T04:00:00.120Z', finishedAt: null },
  elapsedMs: 180,
  imagesPerSecond: 5.56,
};
export const exampleCompleted = {
  ...exampleBatch,
  status: 'completed',
  counts: { queued: 0, active: 0, completed: 2, failed: 1 },
  timings: { ...exampleBatch.timings, finishedAt: '2025-11-26T04:00:00.410Z' },
  elapsedMs: 410,
  imagesPerSecond: 7.32,
};
export const exampleRow = {
  index: 0,
  source: 'photos/cat.jpg',
  path: 'photos/cat.jpg',
  model: 'mobilenet-v2',
  modelVersion: 1,
  label: 'tabby',
  confidence: 0.91,
  topk: [
    { label: 'tabby', confidence: 0.91 },
    { label: 'tiger cat', confidence: 0.06 },
  ],
  worker: 'host-4121-a1b2',
  finishedAt: 1764129600120,
  timings: { queueMs: 3, preprocessMs: 3.7, inferenceMs: 21.2, runMs: 17.9, batchSize: 8 },
};
export const exampleFailedRow = {
  index: 1,
  source: 'photos/broken.jpg',
  path: 'photos/broken.jpg',
  model: 'mobilenet-v2',
  modelVersion: 1,
  error: { code: 'IMAGE_DECODE_FAILED', message: 'cannot decode image: unsupported image format' },
  worker: 'host-4121-a1b2',
  finishedAt: 1764129600130,
};
export const exampleModel = {
  name: 'mobilenet-v2',
  version: 1,
  description: 'MobileNetV2, ImageNet-1k',
  input: { name: 'input', layout: 'NCHW', width: 224, height: 224, resize: 'cover', dynamicBatch: true },
  output: { name: 'logits', kind: 'logits' },
  classes: 1000,
  labels: ['tench', 'goldfish'],
  features: null,
  source: { kind: 'imported', licence: 'Apache-2.0' },
  fileBytes: 13964571,
  totalBytes: 13964571,
  params: 3504872,
  opset: 17,
  queue: 'classify-mobilenet-v2',
  workers: [{ id: 'host-4121-a1b2', ep: 'cpu', host: 'host', batchSize: 16, intraOpThreads: 1, processed: 1200, seenAt: '2025-11-26T04:00:05.000Z' }],
  served: true,
  benchmark: { imagesPerSecond: 212.4, images: 10000, workers: 2, version: 1, measuredAt: '2025-11-26T04:00:00.000Z', report: '2025-11-26-host-mobilenet-v2.json' },
};

export const exampleDataset = {
  name: 'fluffy-or-not',
  path: 'datasets/fluffy-or-not',
  classes: [
    { label: 'fluffy', images: 120 },
    { label: 'not', images: 118 },
  ],
  images: 238,
  hash: '9f2c4e1a7b3d5f60',
  skipped: [],
  registeredAt: '2025-11-26T04:00:00.000Z',
};
export const exampleTrain = {
  id: 't0123456789abcdef',
  status: 'running',
  baseModel: 'mobilenet-v2',
  dataset: 'fluffy-or-not',
  outputModel: 'mobilenet-v2-fluffy-or-not',
  request: { baseModel: 'mobilenet-v2', dataset: 'fluffy-or-not', epochs: 3, validPct: 0.2, seed: 42, head: 'linear' },
  progress: { phase: 'features', percent: 40, extracted: 95 },
  epochs: [],
  accuracy: null,
  model: null,
  result: null,
  error: null,
  attempts: 0,
  createdAt: '2025-11-26T04:00:00.000Z',
  startedAt: '2025-11-26T04:00:01.000Z',
  finishedAt: null,
};
