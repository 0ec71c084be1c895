/**
 * Results retention end to end: a worker process started with RESULTS_TTL_SECONDS gives a batch's
 * meta and results keys that expiry once its last row is stored (test/unit/results covers the
 * store itself: no expiry before completion, 0 = forever).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Keys } from '@hourglass/core';
import { solidImage } from '../../helpers/images.js';
import { startTestSystem, waitForBatch, type TestSystem } from '../../helpers/system.js';

// Far from the 7-day default, so a worker that ignored the setting fails the check below.
const TTL_SECONDS = 600;

describe('results retention', () => {
  let system: TestSystem;

  beforeAll(async () => {
    system = await startTestSystem();
    await system.startWorker({ env: { RESULTS_TTL_SECONDS: String(TTL_SECONDS) } });
  });
  afterAll(async () => {
    await system?.stop();
  });

  it('a completed batch expires after the worker’s RESULTS_TTL_SECONDS', async () => {
    await mkdir(path.join(system.dataRoot, 'ttl'), { recursive: true });
    const images = ['red', 'green', 'blue'] as const;
    for (const [i, colour] of images.entries()) {
      await writeFile(path.join(system.dataRoot, `ttl/${i}.png`), await solidImage({ colour, width: 40, height: 40, seed: i, format: 'png' }));
    }
    const response = await system.request('/v1/batches', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'colours', images: images.map((_, i) => ({ path: `ttl/${i}.png` })) }),
    });
    expect(response.status).toBe(202);
    const { id } = (await response.json()) as { id: string };
    await waitForBatch(system, id);

    const keys = new Keys(system.prefix);
    for (const key of [keys.batch(id), keys.results(id)]) {
      const ttl = await system.redis.ttl(key);
      // A few seconds may pass between the last row and this check.
      expect(ttl, key).toBeGreaterThan(TTL_SECONDS - 30);
      expect(ttl, key).toBeLessThanOrEqual(TTL_SECONDS);
    }
  });
});
