/**
 * INFERENCE_THREAD=main end to end: a worker process whose ONNX session runs on its event-loop
 * thread (the mode meant for GPU providers) serves a real batch and labels every image right,
 * the same as the default worker_thread mode.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { solidImage } from '../../helpers/images.js';
import { TEST_MODEL, fetchResults, startTestSystem, waitForBatch, type TestSystem } from '../../helpers/system.js';

describe('INFERENCE_THREAD=main', () => {
  let system: TestSystem;

  beforeAll(async () => {
    system = await startTestSystem();
  });
  afterAll(async () => {
    await system?.stop();
  });

  it('a worker running its session on the main thread says so and classifies a batch correctly', async () => {
    const worker = await system.startWorker({ env: { INFERENCE_THREAD: 'main', BATCH_SIZE: '4' } });
    expect((await worker.ready).inferenceThread).toBe('main');

    await mkdir(path.join(system.dataRoot, 'main-thread'), { recursive: true });
    const colours = ['red', 'green', 'blue'] as const;
    const images = [];
    for (let i = 0; i < 12; i++) {
      const colour = colours[i % 3]!;
      await writeFile(path.join(system.dataRoot, `main-thread/${i}.jpg`), await solidImage({ colour, width: 80, height: 60, noise: 20, seed: i }));
      images.push({ path: `main-thread/${i}.jpg` });
    }
    const response = await system.request('/v1/batches', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: TEST_MODEL, images }),
    });
    expect(response.status).toBe(202);
    const { id } = (await response.json()) as { id: string };
    const view = await waitForBatch(system, id);
    expect(view.counts).toMatchObject({ completed: 12, failed: 0 });
    const rows = await fetchResults(system, id);
    expect(rows.map((r) => [r.index, r.label])).toEqual(images.map((_, i) => [i, colours[i % 3]]));
    expect(worker.child.exitCode).toBeNull();
  });
});
