/**
 * Redis crash mid-batch: the redis-server (appendonly yes / appendfsync everysec) is SIGKILLed — no
 * shutdown fsync, so up to the last second of writes is gone — and started again from the same AOF.
 * What was lost is redone, never double-counted: the AOF is a prefix of the history, and a worker
 * stores an image's row before BullMQ marks its job completed, so a lost completion always comes
 * with either its row still there (the re-run's HSETNX is a no-op) or its row lost too (the re-run
 * writes it once). Jobs whose lock died with Redis come back through the stalled check.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, startRedisServer, type RedisServerHandle } from '@hourglass/core';
import { fetchResults, startTestSystem, waitForBatch, type TestSystem } from '../../helpers/system.js';
import { FAST_RECOVERY_ENV, audit, expectExactlyOnce, progress, sleep, submit, waitForDone, writeImages } from './fleet.js';

const TOTAL = 1_500;

describe('Redis crash during a batch', () => {
  let dir: string;
  let port: number;
  let redis: RedisServerHandle;
  let system: TestSystem;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'hourglass-aof-crash-'));
    port = await freePort();
    redis = await startRedisServer({ port, dir, appendOnly: true });
    system = await startTestSystem({ redisUrl: redis.url });
  });
  afterAll(async () => {
    await system?.stop();
    await redis?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('SIGKILL and restart from the AOF: the lost second is redone, every image exactly once', { timeout: 120_000 }, async () => {
    const { paths, expected } = await writeImages(system, TOTAL);
    const workers = await Promise.all([system.startWorker({ env: FAST_RECOVERY_ENV }), system.startWorker({ env: FAST_RECOVERY_ENV })]);
    const id = await submit(system, paths);
    // Past the first fsync of the enqueue (everysec): the crash takes completions, not the batch.
    await sleep(1_500);
    const before = await waitForDone(system, id, Math.floor(TOTAL * (0.2 + Math.random() * 0.2)));

    await redis.stop({ keepDir: true, signal: 'SIGKILL' });
    await sleep(1_000);
    redis = await startRedisServer({ port, dir, appendOnly: true });
    const upAt = Date.now();
    let after: Awaited<ReturnType<typeof progress>>;
    while (!(after = await progress(system, id))) await sleep(25);
    const doneBefore = before.counts.completed + before.counts.failed;
    const doneAfterRestart = after.counts.completed + after.counts.failed;

    const view = await waitForBatch(system, id, 90_000);
    expect(view.counts.completed + view.counts.failed).toBe(TOTAL);
    const result = audit(await fetchResults(system, id), expected);
    expectExactlyOnce(result, TOTAL);
    for (const worker of workers) expect(worker.child.exitCode).toBeNull();
    console.info(
      `[reliability] redis-crash: SIGKILL at done>=${doneBefore}, restarted from the AOF with done=${doneAfterRestart} ` +
        `(the rest of the lost second is redone), complete ${Date.now() - upAt} ms after restart; lost=${result.missing} duplicates=${result.duplicates} failed=${result.failed}`,
    );
  });
});
