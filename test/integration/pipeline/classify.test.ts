/**
 * The classify pipeline end to end: HTTP submit → BullMQ → real worker processes (ONNX on a
 * thread, micro-batched) → stored results. Real Redis, real model, real JPEG/PNG files.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { classifyQueueName } from '@hourglass/core/testing';
import { brokenImages, solidImage, type ColourName } from '../../helpers/images.js';
import { fetchResults, startTestSystem, waitForBatch, type TestSystem } from '../../helpers/system.js';

const colours: ColourName[] = ['red', 'green', 'blue'];

async function writeColourImages(system: TestSystem, dir: string, count: number): Promise<Array<{ path: string; expected: ColourName }>> {
  await mkdir(path.join(system.dataRoot, dir), { recursive: true });
  const images: Array<{ path: string; expected: ColourName }> = [];
  for (let i = 0; i < count; i++) {
    const colour = colours[i % 3]!;
    const format = i % 4 === 3 ? 'png' : 'jpeg';
    const rel = `${dir}/${i}-${colour}.${format === 'png' ? 'png' : 'jpg'}`;
    await writeFile(path.join(system.dataRoot, rel), await solidImage({ colour, width: 120, height: 90, seed: i, format }));
    images.push({ path: rel, expected: colour });
  }
  return images;
}

const submit = (system: TestSystem, body: unknown, headers: Record<string, string> = {}): Promise<Response> =>
  system.request('/v1/batches', { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });

describe('classify pipeline', () => {
  let system: TestSystem;
  let images: Array<{ path: string; expected: ColourName }>;

  beforeAll(async () => {
    system = await startTestSystem();
    images = await writeColourImages(system, 'photos', 100);
  });
  afterAll(async () => {
    await system?.stop();
  });

  it('classifies 100 images over HTTP with one worker: one result per image, expected labels', async () => {
    await system.startWorker();
    const response = await submit(system, { model: 'colours', images: images.map((i) => ({ path: i.path })) });
    expect(response.status).toBe(202);
    const created = (await response.json()) as { id: string; total: number; status: string };
    expect(created.total).toBe(100);
    expect(response.headers.get('location')).toBe(`/v1/batches/${created.id}`);

    const view = await waitForBatch(system, created.id);
    expect(view.counts).toEqual({ queued: 0, active: 0, completed: 100, failed: 0 });
    expect(view.timings.finishedAt).not.toBeNull();

    const rows = await fetchResults(system, created.id);
    expect(rows.map((r) => r.index)).toEqual(images.map((_, i) => i));
    for (const row of rows) {
      expect(row.label).toBe(images[row.index]!.expected);
      expect(row.model).toBe('colours');
      expect(row.modelVersion).toBe(1);
      expect(row.topk).toHaveLength(3);
      expect(row.timings.preprocessMs).toBeGreaterThan(0);
    }
    // Micro-batching happened: at least one image rode in a batch of more than one.
    expect(Math.max(...rows.map((r) => r.timings.batchSize))).toBeGreaterThan(1);
  });

  it("sizes jobs itself when neither the request nor the server says: from the worker's heartbeat rate", async () => {
    // The worker reports its busy img/s once it has been busy for 2 s after its first 250 ms window
    // (dropped as warm-up). The 100 images above take less than that, so feed it
    // whole batches until a heartbeat carries a rate (each batch is explicitly sized: the API must
    // not have sized this test's batch from a rate yet).
    const rateNow = async (): Promise<number | null> => {
      const listed = (await (await system.request('/v1/models/colours')).json()) as { workers: Array<{ imagesPerSecond: number | null }> };
      return listed.workers[0]?.imagesPerSecond ?? null;
    };
    let rate: number | null = null;
    for (let batch = 0; batch < 20 && rate === null; batch++) {
      for (let poll = 0; poll < 10 && rate === null; poll++) {
        rate = await rateNow();
        if (rate === null) await new Promise((r) => setTimeout(r, 200));
      }
      if (rate !== null) break;
      const warm = (await (await submit(system, { model: 'colours', chunkSize: 10, images: images.map((i) => ({ path: i.path })) })).json()) as { id: string };
      await waitForBatch(system, warm.id);
    }
    expect(rate).toBeGreaterThan(0);
    const created = (await (await submit(system, { model: 'colours', images: images.map((i) => ({ path: i.path })) })).json()) as {
      id: string;
      chunkSize: number;
      chunkSizeSource: string;
      chunkSizeReason: string;
    };
    expect(created.chunkSizeSource).toBe('auto');
    expect(created.chunkSizeReason).toMatch(/img\/s per worker \(1 of 1 worker reporting\)/);
    expect(created.chunkSize).toBeGreaterThanOrEqual(1);
    expect(created.chunkSize).toBeLessThanOrEqual(25); // 100 images, 1 worker, 4+ jobs
    const view = await waitForBatch(system, created.id);
    expect(view).toMatchObject({ chunkSize: created.chunkSize, chunkSizeSource: 'auto', counts: { completed: 100, failed: 0 } });
    const rows = await fetchResults(system, created.id);
    expect(rows.map((r) => r.index)).toEqual(images.map((_, i) => i));
    expect(rows.every((r) => r.label === images[r.index]!.expected)).toBe(true);
  });

  it('returns CSV with a header and one line per image', async () => {
    const created = (await (await submit(system, { model: 'colours', images: images.slice(0, 6).map((i) => ({ path: i.path })) })).json()) as { id: string };
    await waitForBatch(system, created.id);
    const response = await system.request(`/v1/batches/${created.id}/results?format=csv`);
    expect(response.headers.get('content-type')).toMatch(/text\/csv/);
    const lines = (await response.text()).trim().split('\n');
    expect(lines[0]).toMatch(/^index,source,label,confidence/);
    expect(lines).toHaveLength(7);
    expect(lines[1]).toMatch(/^0,photos\/0-red.jpg,red,/);
  });

  it('chunkSize groups images into jobs and still stores one row per image', async () => {
    const created = (await (await submit(system, { model: 'colours', chunkSize: 7, images: images.slice(0, 30).map((i) => ({ path: i.path })) })).json()) as {
      id: string;
      chunkSize: number;
    };
    expect(created.chunkSize).toBe(7);
    await waitForBatch(system, created.id);
    const rows = await fetchResults(system, created.id);
    expect(rows).toHaveLength(30);
    expect(rows.every((r) => r.label === images[r.index]!.expected)).toBe(true);
  });

  it('isolates broken images: each fails alone with IMAGE_DECODE_FAILED, the batch completes', async () => {
    await mkdir(path.join(system.dataRoot, 'broken'), { recursive: true });
    const broken = await brokenImages();
    const paths: string[] = [images[0]!.path];
    for (const [name, bytes] of Object.entries(broken)) {
      const rel = `broken/${name}.jpg`;
      await writeFile(path.join(system.dataRoot, rel), bytes);
      paths.push(rel);
    }
    paths.push(images[1]!.path);
    const created = (await (await submit(system, { model: 'colours', images: paths.map((p) => ({ path: p })) })).json()) as { id: string };
    const view = await waitForBatch(system, created.id);
    expect(view.counts.completed).toBe(2);
    expect(view.counts.failed).toBe(4);
    const rows = await fetchResults(system, created.id);
    expect(rows[0]!.label).toBe('red');
    expect(rows[5]!.label).toBe('green');
    for (const row of rows.slice(1, 5)) {
      expect(row.error.code).toBe('IMAGE_DECODE_FAILED');
      expect(row.error.message).toMatch(/decode/);
    }
  });

  it('same Idempotency-Key twice -> one batch, no extra jobs', async () => {
    const body = { model: 'colours', images: images.slice(0, 5).map((i) => ({ path: i.path })) };
    const first = (await (await submit(system, body, { 'idempotency-key': 'retry-42' })).json()) as { id: string };
    const second = (await (await submit(system, body, { 'idempotency-key': 'retry-42' })).json()) as { id: string };
    expect(second.id).toBe(first.id);
    const view = await waitForBatch(system, first.id);
    expect(view.total).toBe(5);
    expect(await fetchResults(system, first.id)).toHaveLength(5);
    const reused = await submit(system, { ...body, images: body.images.slice(1) }, { 'idempotency-key': 'retry-42' });
    expect(reused.status).toBe(422);
    expect(((await reused.json()) as any).error.code).toBe('IDEMPOTENCY_KEY_REUSED');
  });

  it('streams progress as server-sent events ending with completed', async () => {
    const created = (await (await submit(system, { model: 'colours', images: images.slice(0, 12).map((i) => ({ path: i.path })) })).json()) as { id: string };
    const response = await system.request(`/v1/batches/${created.id}/events`);
    expect(response.headers.get('content-type')).toMatch(/text\/event-stream/);
    const text = await response.text();
    expect(text).toMatch(/event: progress/);
    const completed = /event: completed\n.*\ndata: (.*)\n/.exec(text);
    expect(completed).not.toBeNull();
    expect(JSON.parse(completed![1]!).counts.completed).toBe(12);
  });

  it('lists the model with its live worker', async () => {
    const body = (await (await system.request('/v1/models')).json()) as { models: Array<Record<string, any>> };
    const model = body.models.find((m) => m.name === 'colours')!;
    expect(model.served).toBe(true);
    expect(model.workers.length).toBeGreaterThanOrEqual(1);
    expect(model.workers[0].ep).toBe('cpu');
  });
});

describe('DEFAULT_CHUNK_SIZE', () => {
  let system: TestSystem;
  let images: Array<{ path: string; expected: ColourName }>;

  beforeAll(async () => {
    system = await startTestSystem({ apiEnv: { DEFAULT_CHUNK_SIZE: '5' } });
    images = await writeColourImages(system, 'chunked', 12);
  });
  afterAll(async () => {
    await system?.stop();
  });

  it('a request without chunkSize gets the server default; one that sets it keeps its own', async () => {
    const queue = new Queue(classifyQueueName('colours'), { connection: system.redis, prefix: system.prefix });
    try {
      const defaulted = (await (await submit(system, { model: 'colours', images: images.map((i) => ({ path: i.path })) })).json()) as {
        id: string;
        chunkSize: number;
      };
      expect(defaulted.chunkSize).toBe(5);
      expect(await queue.getWaitingCount()).toBe(3);
      const own = (await (await submit(system, { model: 'colours', chunkSize: 1, images: images.slice(0, 4).map((i) => ({ path: i.path })) })).json()) as {
        id: string;
        chunkSize: number;
      };
      expect(own.chunkSize).toBe(1);
      expect(await queue.getWaitingCount()).toBe(3 + 4);

      await system.startWorker();
      await waitForBatch(system, defaulted.id);
      const rows = await fetchResults(system, defaulted.id);
      expect(rows.map((r) => r.label)).toEqual(images.map((i) => i.expected));
    } finally {
      await queue.close();
    }
  });
});
