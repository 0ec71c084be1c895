/**
 * What a worker process measures, recorded as it works (no polling): every image it finishes by
 * outcome, decode time per image, and for every micro-batch its size and session.run time.
 * Images per second is `rate(hourglass_images_processed_total[1m])` in PromQL.
 */
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { ResultRow } from '../results/result-row.js';
import { BATCH_SIZE_BUCKETS, LATENCY_BUCKETS_SECONDS } from './registry.js';

export class WorkerMetrics {
  readonly imagesProcessed: Counter<'model' | 'outcome'>;
  readonly imageFailures: Counter<'model' | 'code'>;
  readonly preprocessSeconds: Histogram<'model'>;
  readonly inferenceSeconds: Histogram<'model'>;
  readonly batchSize: Histogram<'model'>;
  readonly batchesCompleted: Counter<'model'>;
  readonly workerInfo: Gauge<'model' | 'model_version' | 'ep' | 'worker'>;

  constructor(readonly registry: Registry) {
    const registers = [registry];
    this.imagesProcessed = new Counter({
      name: 'hourglass_images_processed_total',
      help: 'Images this worker finished, by outcome (completed: a label; failed: a per-image error row). Includes re-runs of stalled jobs.',
      labelNames: ['model', 'outcome'],
      registers,
    });
    this.imageFailures = new Counter({
      name: 'hourglass_image_failures_total',
      help: 'Images this worker failed, by stable error code (IMAGE_DECODE_FAILED, IMAGE_NOT_FOUND, ...).',
      labelNames: ['model', 'code'],
      registers,
    });
    this.preprocessSeconds = new Histogram({
      name: 'hourglass_preprocess_seconds',
      help: 'Decode + resize + colour conversion of one image (sharp), excluding the wait for a decode slot.',
      labelNames: ['model'],
      buckets: LATENCY_BUCKETS_SECONDS,
      registers,
    });
    this.inferenceSeconds = new Histogram({
      name: 'hourglass_inference_seconds',
      help: 'session.run time of one micro-batch on the inference thread.',
      labelNames: ['model'],
      buckets: LATENCY_BUCKETS_SECONDS,
      registers,
    });
    this.batchSize = new Histogram({
      name: 'hourglass_batch_size',
      help: 'Images per micro-batch handed to session.run.',
      labelNames: ['model'],
      buckets: BATCH_SIZE_BUCKETS,
      registers,
    });
    this.batchesCompleted = new Counter({
      name: 'hourglass_batches_completed_total',
      help: 'Batches whose last result this worker stored (each batch is counted once, by exactly one worker).',
      labelNames: ['model'],
      registers,
    });
    this.workerInfo = new Gauge({
      name: 'hourglass_worker_info',
      help: 'Always 1; labels describe this worker process (model, version, execution provider, id).',
      labelNames: ['model', 'model_version', 'ep', 'worker'],
      registers,
    });
  }

  /** One stored row per image: its outcome and, when it has timings, its decode time. */
  recordRows(model: string, rows: readonly ResultRow[]): void {
    for (const row of rows) {
      if (row.error) {
        this.imagesProcessed.inc({ model, outcome: 'failed' });
        this.imageFailures.inc({ model, code: row.error.code });
      } else {
        this.imagesProcessed.inc({ model, outcome: 'completed' });
      }
      if (row.timings) this.preprocessSeconds.observe({ model }, row.timings.preprocessMs / 1000);
    }
  }

  /** One micro-batch ran: its size and its session.run time. */
  recordBatchRun(model: string, size: number, runMs: number): void {
    this.batchSize.observe({ model }, size);
    this.inferenceSeconds.observe({ model }, runMs / 1000);
  }
}
