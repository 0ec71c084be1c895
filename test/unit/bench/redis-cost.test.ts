/** Redis cost per image, from the server's INFO counters. */
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { meanIdleSample, parseRedisCounters, pollGapMs, remainingMs, topCommandCosts, readRedisCounters, redisCostPerImage, sampleRedisIdle } from '@hourglass/core/bench';
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
    const commands = { evalsha: { calls: 700, usec: 47_600 }, eval: { calls: 3, usec: 30 }, fcall: { calls: 2, usec: 20 }, hsetnx: { calls: 5_000, usec: 12_000 } };
    expect(parseRedisCounters(INFO)).toEqual({ cpuSeconds: 3.75, scriptCalls: 705, netBytes: 1_500, commands });
    expect(parseRedisCounters(INFO.replace(/total_net_\w+:\d+/g, ''))).toEqual({ cpuSeconds: 3.75, scriptCalls: 705, commands });
  });

  it('names the commands that took the most time inside Redis, per image, most first', () => {
    const before = { evalsha: { calls: 100, usec: 10_000 }, hmget: { calls: 10, usec: 50 }, info: { calls: 3, usec: 300 } };
    const after = { evalsha: { calls: 400, usec: 40_000 }, hmget: { calls: 510, usec: 2_050 }, info: { calls: 3, usec: 300 }, xadd: { calls: 200, usec: 1_000 } };
    // info did not run in between: left out; xadd is new since the first reading: counted from zero.
    expect(topCommandCosts(before, after, 100)).toEqual([
      { command: 'evalsha', usPerImage: 300, callsPerImage: 3 },
      { command: 'hmget', usPerImage: 20, callsPerImage: 5 },
      { command: 'xadd', usPerImage: 10, callsPerImage: 2 },
    ]);
    expect(topCommandCosts(before, after, 100, 1)).toHaveLength(1);
    expect(topCommandCosts(undefined, after, 100)).toEqual([]);
    const cost = redisCostPerImage({ cpuSeconds: 1, scriptCalls: 100, commands: before }, { cpuSeconds: 1.1, scriptCalls: 400, commands: after }, 100);
    expect(cost!.topCommands![0]).toEqual({ command: 'evalsha', usPerImage: 300, callsPerImage: 3 });
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

  it('the floor from samples before and after a drain is their mean, both kept in the cost', () => {
    const floor = meanIdleSample({ cpuUsPerSecond: 2_000 }, { cpuUsPerSecond: 3_001 });
    expect(floor).toEqual({ cpuUsPerSecond: 2_501, samples: [2_000, 3_001] });
    const cost = redisCostPerImage({ cpuSeconds: 1, scriptCalls: 0 }, { cpuSeconds: 1.1, scriptCalls: 0 }, 100, { sample: floor, wallMs: 10_000 });
    expect(cost).toMatchObject({ idleCpuUsPerSecond: 2_501, idleSamplesCpuUsPerSecond: [2_000, 3_001], cpuUsPerImageAboveIdle: 749.9 });
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

  it('far from the end the poll waits a quarter of the time left, up to 1 s; near it, the bound above holds', () => {
    // 30 s left: the longest gap; 2 s left: half a second; 100 ms left: the 0.5 % bound again.
    expect(pollGapMs(10_000, 20, 30_000)).toBe(1_000);
    expect(pollGapMs(10_000, 20, 2_000)).toBe(500);
    expect(pollGapMs(10_000, 20, 100)).toBe(50);
    // Before the first result the time left is unknown (0): the near-end bound.
    expect(remainingMs(0, 300, 5_000)).toBe(0);
    // 100 of 300 done in 20 s: 40 s to go at that rate.
    expect(remainingMs(100, 300, 20_000)).toBe(40_000);
    expect(remainingMs(300, 300, 60_000)).toBe(0);
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
