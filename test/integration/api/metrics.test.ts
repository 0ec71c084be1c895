/**
 * /metrics on the API and on a worker process, against a real system: queue depth per model and
 * state, live workers, per-image outcomes, batch sizes and latency histograms, process metrics,
 * METRICS_TOKEN protection, and the worker's one log line per completed batch.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnWorker } from '@hourglass/worker';
import { solidImage } from '../../helpers/images.js';
import { TEST_MODEL, startTestSystem, waitForBatch, type TestSystem } from '../../helpers/system.js';

/** The value of one sample line of the text format, or undefined when absent. */
function value(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    const body = /\{(.*)\}/.exec(line)?.[1] ?? '';
    if (Object.entries(labels).every(([k, v]) => body.includes(`${k}="${v}"`))) return Number(line.split(' ').at(-1));
  }
  return undefined;
}

async function writeImages(system: TestSystem, count: number, dir: string): Promise<string[]> {
  await mkdir(path.join(system.dataRoot, dir), { recursive: true });
  const paths: string[] = [];
  for (let i = 0; i < count; i++) {
    const rel = `${dir}/${i}.jpg`;
    await writeFile(path.join(system.dataRoot, rel), await solidImage({ colour: (['red', 'green', 'blue'] as const)[i % 3]!, width: 80, height: 60, seed: i }));
    paths.push(rel);
  }
  return paths;
}

// One job per image: the queue gauges below count jobs.
const submit = async (system: TestSystem, paths: string[]): Promise<string> => {
  const response = await system.request('/v1/batches', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model: TEST_MODEL, chunkSize: 1, images: paths.map((p) => ({ path: p })) }),
  });
  expect(response.status).toBe(202);
  return ((await response.json()) as { id: string }).id;
};

describe('API /metrics (open, no METRICS_TOKEN)', () => {
  let system: TestSystem;
  beforeAll(async () => {
    system = await startTestSystem();
  });
  afterAll(async () => {
    await system?.stop();
  });

  it('serves the text format without an API key, with process metrics', async () => {
    const response = await fetch(`${system.baseUrl}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await response.text();
    for (const name of [
      'process_resident_memory_bytes',
      'nodejs_eventloop_lag_seconds',
      'hourglass_queue_jobs',
      'hourglass_live_workers',
      'hourglass_http_requests_total',
    ]) {
      expect(text).toContain(`# TYPE ${name} `);
    }
  });

  it('queue depth comes from BullMQ at scrape time; live workers from heartbeats; images flow through the worker', async () => {
    const paths = await writeImages(system, 12, 'm1');
    const id = await submit(system, paths);
    let text = await (await fetch(`${system.baseUrl}/metrics`)).text();
    // No worker yet: every job waits, and the model is reported with 0 live workers.
    expect(value(text, 'hourglass_queue_jobs', { model: TEST_MODEL, state: 'waiting' })).toBe(12);
    expect(value(text, 'hourglass_queue_jobs', { model: TEST_MODEL, state: 'active' })).toBe(0);
    expect(value(text, 'hourglass_live_workers', { model: TEST_MODEL })).toBe(0);

    const logs: Array<Record<string, unknown>> = [];
    const worker = spawnWorker({
      model: TEST_MODEL,
      env: system.workerEnv({ WORKER_HTTP_PORT: '0', LOG_LEVEL: 'info' }),
      onLog: (record) => logs.push(record),
    });
    system.workers.push(worker);
    const ready = await worker.ready;
    await waitForBatch(system, id);

    text = await (await fetch(`${system.baseUrl}/metrics`)).text();
    expect(value(text, 'hourglass_queue_jobs', { model: TEST_MODEL, state: 'waiting' })).toBe(0);
    expect(value(text, 'hourglass_live_workers', { model: TEST_MODEL })).toBe(1);
    expect(value(text, 'hourglass_http_requests_total', { method: 'POST', route: '/v1/batches', status: '202' })).toBe(1);

    // The worker's own /metrics, on its health port.
    const workerText = await (await fetch(`http://127.0.0.1:${ready.httpPort}/metrics`)).text();
    expect(value(workerText, 'hourglass_images_processed_total', { model: TEST_MODEL, outcome: 'completed' })).toBe(12);
    expect(value(workerText, 'hourglass_preprocess_seconds_count', { model: TEST_MODEL })).toBe(12);
    expect(value(workerText, 'hourglass_batch_size_sum', { model: TEST_MODEL })).toBe(12);
    expect(value(workerText, 'hourglass_inference_seconds_count', { model: TEST_MODEL })).toBeGreaterThanOrEqual(1);
    expect(value(workerText, 'hourglass_batches_completed_total', { model: TEST_MODEL })).toBe(1);
    expect(value(workerText, 'hourglass_worker_info', { model: TEST_MODEL, ep: 'cpu' })).toBe(1);
    expect(workerText).toContain('# TYPE nodejs_eventloop_lag_seconds gauge');
    // Healthz is still there beside it.
    expect((await fetch(`http://127.0.0.1:${ready.httpPort}/healthz`)).status).toBe(200);

    // One structured log line for the batch, with its drain time and rate.
    await expect.poll(() => logs.find((r) => r.msg === 'batch completed' && r.batchId === id), { timeout: 30_000 }).toBeDefined();
    const line = logs.find((r) => r.msg === 'batch completed' && r.batchId === id)!;
    expect(line).toMatchObject({ batchId: id, model: TEST_MODEL, total: 12, completed: 12, failed: 0 });
    expect(line.drainMs).toEqual(expect.any(Number));
    expect(line.imagesPerSecond).toEqual(expect.any(Number));
    expect(line.worker).toBe(ready.id);
  });

  it('failed images are counted by error code on the worker', async () => {
    await mkdir(path.join(system.dataRoot, 'm2'), { recursive: true });
    await writeFile(path.join(system.dataRoot, 'm2/bad.jpg'), Buffer.from('not an image'));
    const id = await submit(system, ['m2/bad.jpg']);
    await waitForBatch(system, id);
    const port = (await system.workers.at(-1)!.ready).httpPort;
    const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    expect(value(text, 'hourglass_images_processed_total', { model: TEST_MODEL, outcome: 'failed' })).toBe(1);
    expect(value(text, 'hourglass_image_failures_total', { model: TEST_MODEL, code: 'IMAGE_DECODE_FAILED' })).toBe(1);
  });

  it('never exposes batch ids or image names', async () => {
    const text = await (await fetch(`${system.baseUrl}/metrics`)).text();
    expect(text).not.toMatch(/\bb[a-z0-9]{12,}\b/);
    expect(text).not.toContain('.jpg');
  });
});

describe('/metrics with METRICS_TOKEN', () => {
  const token = 'metrics-token-abcdefghijkl';
  let system: TestSystem;
  beforeAll(async () => {
    system = await startTestSystem({ apiEnv: { METRICS_TOKEN: token } });
  });
  afterAll(async () => {
    await system?.stop();
  });

  it('API: 401 without the token or with an API key, 200 with it', async () => {
    const none = await fetch(`${system.baseUrl}/metrics`);
    expect(none.status).toBe(401);
    expect(((await none.json()) as any).error.code).toBe('UNAUTHORIZED');
    expect((await system.request('/metrics')).status).toBe(401);
    const ok = await fetch(`${system.baseUrl}/metrics`, { headers: { authorization: `Bearer ${token}` } });
    expect(ok.status).toBe(200);
    expect(await ok.text()).toContain('hourglass_queue_jobs');
  });

  it('worker: the same rule on its health port', async () => {
    const worker = spawnWorker({ model: TEST_MODEL, env: system.workerEnv({ WORKER_HTTP_PORT: '0', METRICS_TOKEN: token }) });
    system.workers.push(worker);
    const { httpPort } = await worker.ready;
    expect((await fetch(`http://127.0.0.1:${httpPort}/metrics`)).status).toBe(401);
    expect((await fetch(`http://127.0.0.1:${httpPort}/metrics`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
    expect((await fetch(`http://127.0.0.1:${httpPort}/healthz`)).status).toBe(200);
  });
});
