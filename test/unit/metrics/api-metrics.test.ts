import { describe, expect, it } from 'vitest';
import { ApiMetrics, createMetricsRegistry } from '@hourglass/core';

describe('ApiMetrics', () => {
  it('reads queue depth and live workers at scrape time, zeros included', async () => {
    let waiting = 5;
    const metrics = new ApiMetrics(createMetricsRegistry({ defaultMetrics: false }), {
      models: async () => ['a', 'b'],
      queueCounts: async (model) => (model === 'a' ? { wait: waiting, active: 2, completed: 7 } : {}),
      liveWorkers: async () => [{ model: 'a' }, { model: 'a' }],
    });
    let text = await metrics.registry.metrics();
    expect(text).toContain('hourglass_queue_jobs{model="a",state="waiting"} 5');
    expect(text).toContain('hourglass_queue_jobs{model="a",state="active"} 2');
    expect(text).toContain('hourglass_queue_jobs{model="a",state="completed"} 7');
    expect(text).toContain('hourglass_queue_jobs{model="b",state="waiting"} 0');
    expect(text).toContain('hourglass_live_workers{model="a"} 2');
    expect(text).toContain('hourglass_live_workers{model="b"} 0');
    waiting = 1;
    text = await metrics.registry.metrics();
    expect(text).toContain('hourglass_queue_jobs{model="a",state="waiting"} 1');
  });

  it('a failing source counts a scrape error instead of failing the scrape', async () => {
    const metrics = new ApiMetrics(createMetricsRegistry({ defaultMetrics: false }), {
      models: async () => {
        throw new Error('redis away');
      },
      queueCounts: async () => ({}),
      liveWorkers: async () => [],
    });
    const text = await metrics.registry.metrics();
    expect(text).toContain('hourglass_metrics_scrape_errors_total{source="queues"} 1');
    expect(text).toContain('hourglass_metrics_scrape_errors_total{source="workers"} 1');
  });
});
