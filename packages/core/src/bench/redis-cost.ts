/**
 * What a drain costs Redis, from the server's own counters (INFO cpu, INFO commandstats): CPU
 * seconds of the Redis process, and Lua script calls (EVALSHA / EVAL / FCALL), which is how BullMQ
 * and the result store talk to it, so one call is one round trip that does real work. The numbers
 * cover every client of that Redis — with the benchmark's private Redis, the workers and the
 * coordinator's progress polling; against a shared one (`--external`), everyone else too.
 */
import type { Redis } from 'ioredis';

export interface RedisCounters {
  cpuSeconds: number;
  scriptCalls: number;
}

export interface RedisCost {
  /** Lua script calls per image (round trips doing work). */
  scriptCallsPerImage: number;
  /** Redis CPU time per image, µs (user + system, main thread and background threads). */
  cpuUsPerImage: number;
}

const SCRIPT_COMMANDS = new Set(['evalsha', 'eval', 'evalsha_ro', 'eval_ro', 'fcall', 'fcall_ro']);

/** Parses the `INFO cpu` and `INFO commandstats` sections (both may be in one reply). */
export function parseRedisCounters(info: string): RedisCounters {
  let cpuSeconds = 0;
  let scriptCalls = 0;
  for (const line of info.split(/\r?\n/)) {
    const cpu = /^used_cpu_(sys|user):([\d.]+)$/.exec(line);
    if (cpu) cpuSeconds += Number(cpu[2]);
    const stat = /^cmdstat_([a-z_|]+):calls=(\d+),/.exec(line);
    if (stat && SCRIPT_COMMANDS.has(stat[1]!)) scriptCalls += Number(stat[2]);
  }
  return { cpuSeconds, scriptCalls };
}

export async function readRedisCounters(redis: Redis): Promise<RedisCounters | undefined> {
  try {
    const [cpu, stats] = await Promise.all([redis.info('cpu'), redis.info('commandstats')]);
    return parseRedisCounters(`${cpu}\n${stats}`);
  } catch {
    // Managed Redis may disable INFO: the report simply has no Redis cost.
    return undefined;
  }
}

export function redisCostPerImage(before: RedisCounters | undefined, after: RedisCounters | undefined, images: number): RedisCost | undefined {
  if (!before || !after || images <= 0) return undefined;
  return {
    scriptCallsPerImage: Math.round(((after.scriptCalls - before.scriptCalls) / images) * 1000) / 1000,
    cpuUsPerImage: Math.round(((after.cpuSeconds - before.cpuSeconds) * 1e6) / images * 10) / 10,
  };
}
