import { describe, expect, it } from 'vitest';
import { WorkerMetrics, createMetricsRegistry, type ResultRow } from '@hourglass/core';

const row = (index: number, extra: Partial<ResultRow> = {}): ResultRow => ({
  index,
  source: `${index}.jpg`,
  model: 'm',
  modelVersion: 1,
  worker: 'w',
  finishedAt: 0,
  label: 'red',
  confidence: 0.9,
  timings: { queueMs: 1, preprocessMs: 4, inferenceMs: 10, runMs: 8, batchSize: 2 },
  ...extra,
});

async function sample(metrics: WorkerMetrics, name: string, labels: Record<string, string>): Promise<number | undefined> {
  const metric = await metrics.registry.getSingleMetric(name)!.get();
  return metric.values.find((v) => Object.entries(labels).every(([k, val]) => String(v.labels[k]) === val))?.value;
}

describe('WorkerMetrics', () => {
  it('counts rows by outcome and failures by code, and times preprocessing per image', async () => {
    const metrics = new WorkerMetrics(createMetricsRegistry({ defaultMetrics: false }));
    metrics.recordRows('m', [
      row(0),
      row(1),
      row(2, { label: undefined, confidence: undefined, timings: undefined, error: { code: 'IMAGE_DECODE_FAILED', message: 'x' } }),
    ]);
    expect(await sample(metrics, 'hourglass_images_processed_total', { model: 'm', outcome: 'completed' })).toBe(2);
    expect(await sample(metrics, 'hourglass_images_processed_total', { model: 'm', outcome: 'failed' })).toBe(1);
    expect(await sample(metrics, 'hourglass_image_failures_total', { model: 'm', code: 'IMAGE_DECODE_FAILED' })).toBe(1);
    // Only rows with timings (the two successes) are observed, in seconds.
    expect(await sample(metrics, 'hourglass_preprocess_seconds', { model: 'm', le: '+Inf' })).toBe(2);
    const text = await metrics.registry.metrics();
    expect(text).toMatch(/hourglass_preprocess_seconds_sum\{model="m"\} 0\.008\b/);
  });

  it('observes each micro-batch once: its size and its run time', async () => {
    const metrics = new WorkerMetrics(createMetricsRegistry({ defaultMetrics: false }));
    metrics.recordBatchRun('m', 8, 20);
    metrics.recordBatchRun('m', 3, 10);
    expect(await sample(metrics, 'hourglass_batch_size', { model: 'm', le: '4' })).toBe(1);
    expect(await sample(metrics, 'hourglass_batch_size', { model: 'm', le: '8' })).toBe(2);
    const text = await metrics.registry.metrics();
    expect(text).toMatch(/hourglass_batch_size_sum\{model="m"\} 11\b/);
    expect(text).toMatch(/hourglass_inference_seconds_count\{model="m"\} 2\b/);
    expect(text).toMatch(/hourglass_inference_seconds_sum\{model="m"\} 0\.03\b/);
  });

  it('two registries in one process do not collide', async () => {
    const a = new WorkerMetrics(createMetricsRegistry({ defaultMetrics: false }));
    const b = new WorkerMetrics(createMetricsRegistry({ defaultMetrics: false }));
    a.recordRows('m', [row(0)]);
    expect(await sample(a, 'hourglass_images_processed_total', { outcome: 'completed' })).toBe(1);
    expect(await sample(b, 'hourglass_images_processed_total', { outcome: 'completed' })).toBeUndefined();
  });
});
