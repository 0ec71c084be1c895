/**
 * Uploaded blobs are reclaimed once no live batch refers to them: a multipart batch runs with
 * RESULTS_TTL_SECONDS=60, completes and expires, and the blob sweep brings the blob folder back to
 * its exact listing. A blob that a live (open) batch also uses survives, and so do the same bytes
 * uploaded again by a new batch after the first one expired. Real Redis, real files, a real worker
 * process, real waits for the expiry (about two minutes in all).
 */
import { randomBytes } from 'node:crypto';
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BLOB_DIR } from '@hourglass/core/testing';
import { solidImage } from '../../helpers/images.js';
import { startTestSystem, waitForBatch, type TestSystem } from '../../helpers/system.js';

const TTL_SECONDS = 60;

/** Every file under the blob folder with its size, relative to DATA_ROOT (folders are not files). */
async function blobListing(dataRoot: string): Promise<string[]> {
  const entries = await readdir(path.join(dataRoot, BLOB_DIR), { recursive: true, withFileTypes: true }).catch(() => []);
  const files: string[] = [];
  for (const e of entries) {
    if (!e.isFile()) continue;
    const absolute = path.join(e.parentPath, e.name);
    files.push(`${path.relative(dataRoot, absolute).split(path.sep).join('/')} ${(await stat(absolute)).size}`);
  }
  return files.sort();
}

describe('blobs are reclaimed when no live batch refers to them', () => {
  let system: TestSystem;
  beforeAll(async () => {
    system = await startTestSystem({
      // The timer stays out of the way: the test runs each sweep itself.
      apiEnv: { RATE_LIMIT_PER_MINUTE: '0', RESULTS_TTL_SECONDS: String(TTL_SECONDS), BLOB_SWEEP_GRACE_SECONDS: '1', BLOB_SWEEP_INTERVAL_MS: '3600000' },
    });
  });
  afterAll(async () => {
    await system?.stop();
  });

  const submit = async (files: Array<[string, Uint8Array]>): Promise<{ id: string }> => {
    const form = new FormData();
    form.append('model', 'colours');
    for (const [name, bytes] of files) form.append('images', new Blob([bytes]), name);
    const response = await system.request('/v1/batches', { method: 'POST', body: form });
    expect(response.status).toBe(202);
    return (await response.json()) as { id: string };
  };
  const batchExists = async (id: string): Promise<boolean> => (await system.redis.exists(system.api.context.keys.batch(id))) === 1;
  const waitUntilExpired = async (id: string): Promise<void> => {
    const deadline = Date.now() + (TTL_SECONDS + 60) * 1000;
    while (await batchExists(id)) {
      if (Date.now() > deadline) throw new Error(`batch ${id} did not expire`);
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  };

  it("an expired batch's blobs go; a live batch's and a re-uploaded one stay; then the folder is back to its listing", { timeout: 420_000 }, async () => {
    const before = await blobListing(system.dataRoot);
    const onlyA = randomBytes(50_000);
    const sharedWithLive = await solidImage({ colour: 'red' });
    const uploadedAgain = await solidImage({ colour: 'blue' });

    const worker = await system.startWorker({ env: { RESULTS_TTL_SECONDS: String(TTL_SECONDS) } });
    const a = await submit([
      ['only-a.jpg', onlyA],
      ['shared.jpg', sharedWithLive],
      ['again.jpg', uploadedAgain],
    ]);
    expect((await waitForBatch(system, a.id)).status).toBe('completed');
    const withA = await blobListing(system.dataRoot);
    expect(withA).toHaveLength(before.length + 3);
    // A sweep while A is live removes nothing.
    expect(await system.api.blobSweep.sweep()).toMatchObject({ reclaimed: 0 });
    expect(await blobListing(system.dataRoot)).toEqual(withA);

    // No worker: batch B stays open (live) and uses one of A's blobs.
    await worker.stop('SIGKILL');
    const b = await submit([['shared.jpg', sharedWithLive]]);
    await waitUntilExpired(a.id);
    expect(await batchExists(b.id)).toBe(true);
    // After A expired and before the sweep, batch C uploads the same bytes as another of A's blobs.
    const c = await submit([['again.jpg', uploadedAgain]]);
    await new Promise((resolve) => setTimeout(resolve, 1100)); // older than the 1 s grace

    const first = await system.api.blobSweep.sweep();
    expect(first).toMatchObject({ reclaimed: 1, reclaimedBytes: onlyA.length });
    const kept = await blobListing(system.dataRoot);
    expect(kept).toHaveLength(before.length + 2);
    expect(withA.filter((line) => !kept.includes(line))).toHaveLength(1);

    // B and C complete and expire: the folder is back to exactly what it was.
    const again = await system.startWorker({ env: { RESULTS_TTL_SECONDS: String(TTL_SECONDS) } });
    expect((await waitForBatch(system, b.id)).status).toBe('completed');
    expect((await waitForBatch(system, c.id)).status).toBe('completed');
    await again.stop('SIGKILL');
    await Promise.all([waitUntilExpired(b.id), waitUntilExpired(c.id)]);
    expect(await system.api.blobSweep.sweep()).toMatchObject({ reclaimed: 2 });
    expect(await blobListing(system.dataRoot)).toEqual(before);
    expect((await fetch(`${system.baseUrl}/healthz`)).status).toBe(200);
  });
});
