import { describe, expect, it } from 'vitest';
import { createMetricsRegistry, metricsAccessAllowed } from '@hourglass/core';

describe('createMetricsRegistry', () => {
  it('carries the default process metrics: memory, CPU, event-loop lag', async () => {
    const text = await createMetricsRegistry().metrics();
    for (const name of ['process_resident_memory_bytes', 'process_cpu_seconds_total', 'nodejs_eventloop_lag_seconds', 'nodejs_heap_size_used_bytes']) {
      expect(text).toContain(`# TYPE ${name} `);
    }
  });

  it('can leave them out', async () => {
    expect(await createMetricsRegistry({ defaultMetrics: false }).metrics()).toBe('\n');
  });
});

describe('metricsAccessAllowed', () => {
  const token = 'scrape-token-0123456789';
  it('is open when no METRICS_TOKEN is set', () => {
    expect(metricsAccessAllowed(undefined, undefined)).toBe(true);
    expect(metricsAccessAllowed(undefined, 'Bearer whatever')).toBe(true);
  });
  it('wants exactly Bearer <token> when one is set', () => {
    expect(metricsAccessAllowed(token, `Bearer ${token}`)).toBe(true);
    expect(metricsAccessAllowed(token, `bearer ${token}`)).toBe(true);
    expect(metricsAccessAllowed(token, undefined)).toBe(false);
    expect(metricsAccessAllowed(token, 'Bearer wrong')).toBe(false);
    expect(metricsAccessAllowed(token, `Basic ${Buffer.from(`x:${token}`).toString('base64')}`)).toBe(false);
    expect(metricsAccessAllowed(token, `Bearer ${token}x`)).toBe(false);
  });
});
