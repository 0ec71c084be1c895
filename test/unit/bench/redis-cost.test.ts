/** Redis cost per image, from the server's INFO counters. */
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseRedisCounters, pollGapMs, readRedisCounters, redisCostPerImage, sampleRedisIdle } from '@hourglass/core/bench';
import { testRedis } from '../../helpers/redis.js';

let redis: Redis;
beforeAll(() => {
  redis = testRedis();
});
afterAll(async () => {
  await redis.quit();
});

const INFO = [
  '# CPU',
  'used_cpu_sys:1.250000',
  'used_cpu_user:2.500000',
  'used_cpu_sys_children:9.000000',
  '# Commandstats',
  'cmdstat_evalsha:calls=700,usec=47600,usec_per_call=68.00,rejected_calls=0,failed_calls=0',
  'cmdstat_eval:calls=3,usec=30,usec_per_call=10.00,rejected_calls=0,failed_calls=0',
  'cmdstat_fcall:calls=2,usec=20,usec_per_call=10.00,rejected_calls=0,failed_calls=0',
  'cmdstat_hsetnx:calls=5000,usec=12000,usec_per_call=2.40,rejected_calls=0,failed_calls=0',
  '# Stats',
  'total_net_input_bytes:1000',
  'total_net_output_bytes:500',
  'total_net_repl_input_bytes:99999',
].join('\r\n');

describe('Redis cost', () => {
  it('counts main-process CPU and script calls only (not commands run inside scripts, not children)', () => {
    expect(parseRedisCounters(INFO)).toEqual({ cpuSeconds: 3.75, scriptCalls: 705, netBytes: 1_500 });
    expect(parseRedisCounters(INFO.replace(/total_net_\w+:\d+/g, ''))).toEqual({ cpuSeconds: 3.75, scriptCalls: 705 });
  });

  it('per image: the difference of two readings over the images drained', () => {
    expect(redisCostPerImage({ cpuSeconds: 1, scriptCalls: 100 }, { cpuSeconds: 1.5, scriptCalls: 4_100 }, 1_000)).toEqual({ scriptCallsPerImage: 4, cpuUsPerImage: 500 });
    expect(redisCostPerImage({ cpuSeconds: 1, scriptCalls: 100, netBytes: 0 }, { cpuSeconds: 1.5, scriptCalls: 4_100, netBytes: 300_000 }, 1_000)).toEqual({ scriptCallsPerImage: 4, cpuUsPerImage: 500, netBytesPerImage: 300 });
    expect(redisCostPerImage(undefined, { cpuSeconds: 1, scriptCalls: 1 }, 10)).toBeUndefined();
    expect(redisCostPerImage({ cpuSeconds: 1, scriptCalls: 1 }, { cpuSeconds: 1, scriptCalls: 1 }, 0)).toBeUndefined();
  });

  it('above idle: the idle floor times the drain wall is taken off, never below zero', () => {
    // 10 s drain of 60 images, 0.115 s of Redis CPU, idle floor 2,600 µs/s: 26 ms of it is the floor.
    const cost = redisCostPerImage({ cpuSeconds: 1, scriptCalls: 0 }, { cpuSeconds: 1.115, scriptCalls: 30 }, 60, { sample: { cpuUsPerSecond: 2_600 }, wallMs: 10_000 });
    expect(cost).toEqual({ scriptCallsPerImage: 0.5, cpuUsPerImage: 1916.7, idleCpuUsPerSecond: 2_600, cpuUsPerImageAboveIdle: 1483.3 });
    const noisy = redisCostPerImage({ cpuSeconds: 1, scriptCalls: 0 }, { cpuSeconds: 1.001, scriptCalls: 0 }, 10, { sample: { cpuUsPerSecond: 5_000 }, wallMs: 1_000 });
    expect(noisy!.cpuUsPerImageAboveIdle).toBe(0);
  });

  it('samples the idle floor of a live server over the time asked', async () => {
    const t0 = performance.now();
    const idle = await sampleRedisIdle(redis, 200);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(195);
    expect(idle!.cpuUsPerSecond).toBeGreaterThanOrEqual(0);
    expect(Number.isInteger(idle!.cpuUsPerSecond)).toBe(true);
  });

  it('the progress poll backs off to 0.5 % of the time elapsed, between the minimum and 250 ms', () => {
    expect(pollGapMs(0, 20)).toBe(20);
    expect(pollGapMs(4_000, 20)).toBe(20);
    expect(pollGapMs(20_000, 20)).toBe(100);
    expect(pollGapMs(3_600_000, 20)).toBe(250);
    expect(pollGapMs(1_000, 500)).toBe(500);
  });

  it('reads a live server: a script call shows up in the counters', async () => {
    const before = await readRedisCounters(redis);
    await redis.eval('return 1', 0);
    const after = await readRedisCounters(redis);
    expect(before).toBeDefined();
    expect(after!.scriptCalls).toBeGreaterThan(before!.scriptCalls);
    expect(after!.cpuSeconds).toBeGreaterThanOrEqual(before!.cpuSeconds);
  });
});
