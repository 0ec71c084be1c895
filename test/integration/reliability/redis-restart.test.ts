/**
 * Redis restart mid-batch: a dedicated redis-server with appendonly yes / appendfsync everysec is
 * stopped (SIGTERM: Redis fsyncs its AOF on the way down) and started again on the same port and
 * folder. Nobody restarts the API or the workers: their ioredis connections reconnect by
 * themselves, BullMQ resumes, and the batch completes with every image exactly once. While Redis
 * is away the API answers 503 (REDIS_UNAVAILABLE, with Retry-After), never crashes, and the
 * worker processes stay alive.
 *
 * Redis crash mid-batch: the same, but SIGKILL — no shutdown fsync, so up to the last second of
 * writes is gone. What was lost is redone, never double-counted: the AOF is a prefix of the
 * history, and a worker stores an image's row before BullMQ marks its job completed, so a lost
 * completion comes with its row either still there (the re-run's HSETNX is a no-op) or lost too
 * (the re-run writes it once). Jobs whose lock died with Redis come back through the stalled check.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, startRedisServer, type RedisServerHandle } from '@hourglass/core/testing';
import { fetchResults, startTestSystem, waitForBatch, type TestSystem } from '../../helpers/system.js';
import { FAST_RECOVERY_ENV, audit, expectExactlyOnce, progress, sleep, submit, waitForDone, writeImages } from './fleet.js';

const TOTAL = 1_500;

describe('Redis restart and crash during a batch', () => {
  let dir: string;
  let port: number;
  let redis: RedisServerHandle;
  let system: TestSystem;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'hourglass-aof-'));
    port = await freePort();
    redis = await startRedisServer({ port, dir, appendOnly: true });
    system = await startTestSystem({ redisUrl: redis.url });
  });
  afterAll(async () => {
    await system?.stop();
    await redis?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('stop and restart on the same port and AOF: API and workers reconnect, nothing lost', { timeout: 120_000 }, async () => {
    const { paths, expected } = await writeImages(system, TOTAL);
    const workers = await Promise.all([system.startWorker({ env: FAST_RECOVERY_ENV }), system.startWorker({ env: FAST_RECOVERY_ENV })]);
    const id = await submit(system, paths);
    const before = await waitForDone(system, id, Math.floor(TOTAL * (0.2 + Math.random() * 0.2)));

    const downAt = Date.now();
    await redis.stop({ keepDir: true });
    // While Redis is away: health says so, API calls fail cleanly with 503 and Retry-After.
    const health = await fetch(`${system.baseUrl}/healthz`);
    expect(health.status).toBe(503);
    const status = await system.request(`/v1/batches/${id}`);
    expect(status.status).toBe(503);
    expect(status.headers.get('retry-after')).toBeTruthy();
    expect(((await status.json()) as any).error.code).toBe('REDIS_UNAVAILABLE');
    await sleep(2_000);

    redis = await startRedisServer({ port, dir, appendOnly: true });
    const upAt = Date.now();
    // Progress resumes without anyone restarting anything: the API answers, then new results arrive.
    let first: Awaited<ReturnType<typeof progress>>;
    while (!(first = await progress(system, id))) await sleep(25);
    const apiBackMs = Date.now() - upAt;
    const resumed = await waitForDone(system, id, first.counts.completed + first.counts.failed + 1, 60_000);
    const resumeMs = Date.now() - upAt;

    const view = await waitForBatch(system, id, 90_000);
    expect(view.counts.completed + view.counts.failed).toBe(TOTAL);
    const rows = await fetchResults(system, id);
    const result = audit(rows, expected);
    expectExactlyOnce(result, TOTAL);
    for (const worker of workers) expect(worker.child.exitCode).toBeNull();
    expect((await fetch(`${system.baseUrl}/healthz`)).status).toBe(200);
    console.info(
      `[reliability] redis-restart: stopped at done=${before.counts.completed + before.counts.failed}, down ${upAt - downAt} ms, ` +
        `API back ${apiBackMs} ms and new results ${resumeMs} ms after restart (done=${resumed.counts.completed + resumed.counts.failed}); lost=${result.lost} duplicates=${result.duplicates} failed=${result.failed}`,
    );
  });

  it('SIGKILL and restart from the AOF: the lost second is redone, every image exactly once', { timeout: 120_000 }, async () => {
    const { paths, expected } = await writeImages(system, TOTAL);
    const workers = await Promise.all([system.startWorker({ env: FAST_RECOVERY_ENV }), system.startWorker({ env: FAST_RECOVERY_ENV })]);
    const id = await submit(system, paths);
    // Past the first fsync after the enqueue (everysec): the crash takes completions, not the batch.
    await sleep(1_100);
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
        `(the rest of the lost second is redone), complete ${Date.now() - upAt} ms after restart; lost=${result.lost} duplicates=${result.duplicates} failed=${result.failed}`,
    );
  });
});

describe('SIGTERM while Redis is down', () => {
  it('the worker still exits 0, soon after its grace period (nothing waits on Redis forever)', { timeout: 60_000 }, async () => {
    let redis = await startRedisServer({ appendOnly: true });
    const system = await startTestSystem({ redisUrl: redis.url });
    const { dir } = redis;
    try {
      const { paths, expected } = await writeImages(system, 1_000);
      const worker = await system.startWorker({ env: { ...FAST_RECOVERY_ENV, SHUTDOWN_GRACE_MS: '2000' } });
      const id = await submit(system, paths);
      await waitForDone(system, id, 200);
      await redis.stop({ keepDir: true });
      await sleep(300);
      const t0 = Date.now();
      expect(await worker.stop('SIGTERM')).toBe(0);
      const exitMs = Date.now() - t0;
      expect(exitMs).toBeLessThan(2_000 + 6_000);

      // Redis back, a new worker: the batch completes, nothing lost.
      redis = await startRedisServer({ port: redis.port, dir, appendOnly: true });
      await system.startWorker({ env: FAST_RECOVERY_ENV });
      await waitForBatch(system, id, 60_000);
      expectExactlyOnce(audit(await fetchResults(system, id), expected), 1_000);
      console.info(`[reliability] redis-down SIGTERM: worker exited 0 after ${exitMs} ms (grace 2000 ms)`);
    } finally {
      await system.stop();
      await redis.stop();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
