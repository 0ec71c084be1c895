/** Redis cost per image, from the server's INFO counters. */
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseRedisCounters, readRedisCounters, redisCostPerImage } from '@hourglass/core/bench';
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

  it('reads a live server: a script call shows up in the counters', async () => {
    const before = await readRedisCounters(redis);
    await redis.eval('return 1', 0);
    const after = await readRedisCounters(redis);
    expect(before).toBeDefined();
    expect(after!.scriptCalls).toBeGreaterThan(before!.scriptCalls);
    expect(after!.cpuSeconds).toBeGreaterThanOrEqual(before!.cpuSeconds);
  });
});
