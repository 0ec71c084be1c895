/**
 * MAX_QUEUED_PER_MODEL counts images, also when a job carries several of them: jobs of 5 images
 * each must not let five times the limit queue up. A real API on a real Redis, and a real worker
 * that drains the queue, after which the same submit fits again. GET /v1/models/{name}/queue shows
 * the numbers the check counts with. A retried submit (same Idempotency-Key) is answered with its
 * batch even when the queue is full. Submits sent at once, each of which fits alone, cannot pass the
 * limit together: the check and the enqueue hold the model's submit lock.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { solidImage } from '../../helpers/images.js';
import { startTestSystem, waitForBatch, type TestSystem } from '../../helpers/system.js';

/** An API with room for 20 queued images and one image to submit, a.jpg. */
async function limitedSystem(): Promise<TestSystem> {
  const system = await startTestSystem({ apiEnv: { MAX_QUEUED_PER_MODEL: '20' } });
  await writeFile(path.join(system.dataRoot, 'a.jpg'), await solidImage({ colour: 'red' }));
  return system;
}

describe('backpressure counts images, not jobs', () => {
  let system: TestSystem;
  beforeAll(async () => {
    system = await limitedSystem();
  });
  afterAll(async () => {
    await system?.stop();
  });

  const submit = (count: number, chunkSize: number, idempotencyKey?: string): Promise<Response> =>
    system.request('/v1/batches', {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(idempotencyKey ? { 'idempotency-key': idempotencyKey } : {}) },
      body: JSON.stringify({ model: 'colours', chunkSize, images: Array.from({ length: count }, () => ({ path: 'a.jpg' })) }),
    });
  const queue = async (): Promise<unknown> => {
    const response = await system.request('/v1/models/colours/queue');
    expect(response.status).toBe(200);
    return response.json();
  };

  it('a submit over the image limit gets 429 QUEUE_FULL while jobs carry 5 images; it fits once the queue drained', async () => {
    const first = await submit(15, 5);
    expect(first.status).toBe(202);
    const firstView = (await first.json()) as any;
    expect(firstView.chunkSize).toBe(5);
    expect(await system.api.context.queues.get('colours').getJobCounts('wait')).toEqual({ wait: 3 });
    expect(await queue()).toEqual({ model: 'colours', waitingJobs: 3, activeJobs: 0, queuedImages: 15, limit: 20 });

    // 3 jobs waiting + 10 images would be under 20; 15 images + 10 are not.
    const full = await submit(10, 5);
    expect(full.status).toBe(429);
    expect(full.headers.get('retry-after')).toBe('30');
    expect(((await full.json()) as any).error).toMatchObject({ code: 'QUEUE_FULL', waiting: 15, adding: 10, limit: 20 });

    // Up to the limit exactly is still accepted.
    const exact = await submit(5, 5, 'fill-the-queue');
    expect(exact.status).toBe(202);
    expect((await submit(1, 1)).status).toBe(429);
    // The queue is full now, but a retry of the accepted submit (same Idempotency-Key) gets its
    // batch back, not QUEUE_FULL: its jobs are queued already and it adds none. The same key on a
    // different request is still refused for that reason, not the queue.
    const retry = await submit(5, 5, 'fill-the-queue');
    expect(retry.status).toBe(202);
    const exactView = (await exact.json()) as any;
    expect(((await retry.json()) as any).id).toBe(exactView.id);
    const reused = await submit(4, 4, 'fill-the-queue');
    expect(reused.status).toBe(422);
    expect(((await reused.json()) as any).error.code).toBe('IDEMPOTENCY_KEY_REUSED');
    expect((await submit(5, 5, 'a-new-key')).status).toBe(429);
    expect(await queue()).toEqual({ model: 'colours', waitingJobs: 4, activeJobs: 0, queuedImages: 20, limit: 20 });
    expect((await system.request('/v1/models/nope/queue')).status).toBe(404);

    // A worker drains both batches: their images leave the count, and the refused submit fits.
    await system.startWorker();
    expect((await waitForBatch(system, firstView.id, 120_000)).status).toBe('completed');
    expect((await waitForBatch(system, exactView.id, 120_000)).status).toBe('completed');
    expect(await queue()).toMatchObject({ waitingJobs: 0, queuedImages: 0, limit: 20 });
    expect((await submit(10, 5)).status).toBe(202);
  }, 180_000);
});

describe('concurrent submits and the image limit', () => {
  let system: TestSystem;
  beforeAll(async () => {
    system = await limitedSystem();
  });
  afterAll(async () => {
    await system?.stop();
  });

  it('five submits of 10 images at once against a limit of 20: two are accepted, three get QUEUE_FULL', async () => {
    const body = JSON.stringify({ model: 'colours', chunkSize: 5, images: Array.from({ length: 10 }, () => ({ path: 'a.jpg' })) });
    const responses = await Promise.all(
      Array.from({ length: 5 }, () => system.request('/v1/batches', { method: 'POST', headers: { 'content-type': 'application/json' }, body })),
    );
    const statuses = responses.map((r) => r.status).sort();
    expect(statuses).toEqual([202, 202, 429, 429, 429]);
    for (const refused of responses.filter((r) => r.status === 429)) expect(((await refused.json()) as any).error.code).toBe('QUEUE_FULL');
    const queue = (await (await system.request('/v1/models/colours/queue')).json()) as any;
    expect(queue).toMatchObject({ waitingJobs: 4, queuedImages: 20, limit: 20 });
    expect(await system.redis.exists(system.api.context.keys.submitLock('colours'))).toBe(0);
  }, 60_000);
});
