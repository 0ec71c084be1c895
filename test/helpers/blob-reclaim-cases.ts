/**
 * The blob reclaim rules (storage/blob-refs.ts, blob-store.ts, blob-sweeper.ts) against a real
 * Redis and real files, as test cases that run on a single Redis and on a Redis Cluster alike
 * (every command touches one key, so both must pass).
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, readdir, rename, rm, stat, utimes, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import type { Redis } from 'ioredis';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { BlobRefs, BlobStore, BlobSweeper, Keys, realDataRoot } from '@hourglass/core';
import { BLOB_DIR, blobPath } from '@hourglass/core/testing';
import { uniquePrefix } from './redis.js';

const exists = (file: string): Promise<boolean> =>
  stat(file).then(
    () => true,
    () => false,
  );
const digestOf = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

export function blobReclaimCases(redis: () => Redis): void {
  let root: string;
  let keys: Keys;
  let refs: BlobRefs;
  let store: BlobStore;
  const sweeper = (resultsTtlMs = 3_600_000): BlobSweeper =>
    new BlobSweeper({ redis: redis(), keys, refs, blobs: store, dataRoot: root, graceMs: 0, resultsTtlMs });
  const upload = (bytes: Uint8Array) => store.putStream(Readable.from([Buffer.from(bytes)]), 1 << 20);
  const file = (digest: string): string => path.join(root, blobPath(digest));

  beforeEach(async () => {
    root = await realDataRoot(await mkdtemp(path.join(os.tmpdir(), 'hg-reclaim-')));
    keys = new Keys(uniquePrefix('blob'));
    refs = new BlobRefs(redis(), keys);
    store = new BlobStore(root, { refs, leaseMs: 60_000 });
  });
  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('a blob with a live lease or a live batch stays; with neither it goes, and its record with it', async () => {
    const stored = await upload(randomBytes(1000));
    expect(stored.created).toBe(true);
    expect(await store.reclaim(stored.digest)).toBe(false);
    expect(await exists(file(stored.digest))).toBe(true);
    await refs.attach(stored.digest, 'live-batch');
    await redis().hset(keys.batch('live-batch'), 'id', 'live-batch');
    await refs.release(stored.digest, stored.lease!);
    expect(await sweeper().sweepOnce()).toMatchObject({ examined: 1, reclaimed: 0 });
    expect(await exists(file(stored.digest))).toBe(true);
    await redis().del(keys.batch('live-batch'));
    expect(await sweeper().sweepOnce()).toMatchObject({ reclaimed: 1, reclaimedBytes: 1000 });
    expect(await exists(file(stored.digest))).toBe(false);
    expect(await redis().exists(keys.blobRefs(stored.digest))).toBe(0);
  });

  it('the same bytes uploaded while they are reclaimed: every finished upload finds its file', { timeout: 60_000 }, async () => {
    const bytes = randomBytes(4096);
    const digest = digestOf(bytes);
    for (let round = 0; round < 100; round++) {
      // A sweep keeps reclaiming the blob for as long as the upload runs, and a little after.
      let uploading = true;
      const sweeping = (async () => {
        // Each round starts the sweep at another moment of the upload (0-4 ms in).
        await new Promise((resolve) => setTimeout(resolve, round % 5));
        while (uploading) await store.reclaim(digest);
      })();
      const stored = await upload(bytes).finally(() => setTimeout(() => (uploading = false), 5));
      await sweeping;
      expect(await exists(file(digest)), `round ${round}`).toBe(true);
      await refs.release(digest, stored.lease!);
      // Nothing refers to it now: the next reclaim in the race may take it, the next upload puts it back.
    }
    expect(await store.reclaim(digest)).toBe(true);
    expect(await readdir(path.join(root, BLOB_DIR, 'tmp'))).toEqual([]);
  });

  it('a failed request discards the blobs it created, not one another batch uses', async () => {
    const shared = await upload(randomBytes(500));
    await refs.attach(shared.digest, 'other');
    await redis().hset(keys.batch('other'), 'id', 'other');
    await refs.release(shared.digest, shared.lease!);
    const fresh = await upload(randomBytes(700));
    const reused = await upload(await readFile(file(shared.digest)));
    expect(reused.created).toBe(false);
    expect(await store.discard([fresh, reused])).toBe(1);
    expect(await exists(file(fresh.digest))).toBe(false);
    expect(await exists(file(shared.digest))).toBe(true);
  });

  it('a blob with no record (stored before records were kept) waits a whole results lifetime', async () => {
    const bytes = randomBytes(300);
    const digest = digestOf(bytes);
    await store.put(bytes);
    expect(await sweeper(3_600_000).sweepOnce()).toMatchObject({ examined: 1, reclaimed: 0 });
    const old = new Date(Date.now() - 2 * 3_600_000);
    await utimes(file(digest), old, old);
    expect(await sweeper(3_600_000).sweepOnce()).toMatchObject({ reclaimed: 1 });
  });

  it('leftovers of a dead process: a .part goes, a blob left aside is put back for the next sweep', async () => {
    const stored = await upload(randomBytes(200));
    await refs.release(stored.digest, stored.lease!);
    await refs.attach(stored.digest, 'live');
    await redis().hset(keys.batch('live'), 'id', 'live');
    const tmp = path.join(root, BLOB_DIR, 'tmp');
    await rename(file(stored.digest), path.join(tmp, `${stored.digest}.dead-sweep.gone`));
    await writeFile(path.join(tmp, 'dead-upload.part'), randomBytes(10));
    await sweeper().sweepOnce();
    expect(await readdir(tmp)).toEqual([]);
    expect(await exists(file(stored.digest))).toBe(true);
  });
}
