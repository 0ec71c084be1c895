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
  /** Bytes the server read from and wrote to its clients (INFO stats); absent without that section. */
  netBytes?: number;
  /** Calls and time inside each command (INFO commandstats `usec`): where the work went, not the event loop around it. */
  commands?: Record<string, { calls: number; usec: number }>;
}

/** One command's share of a drain: time inside it and calls, per image. */
export interface CommandCost {
  command: string;
  usPerImage: number;
  callsPerImage: number;
}

export interface RedisCost {
  /** Lua script calls per image (round trips doing work). */
  scriptCallsPerImage: number;
  /** Redis CPU time per image, µs (user + system, main thread and background threads). */
  cpuUsPerImage: number;
  /** Bytes in + out of the server per image (requests and replies: job data, rows, polling). */
  netBytesPerImage?: number;
  /**
   * Redis CPU per second with the fleet connected and nothing queued, µs/s, sampled before and after the
   * drain: the server's own timers (hz), the workers' heartbeats, stall checks and blocking waits.
   * A slow model's drain pays it for longer, so it can dominate cpuUsPerImage (at 6 img/s an idle
   * floor of 2.6 ms/s is ~430 µs per image) without any image costing more.
   */
  idleCpuUsPerSecond?: number;
  /** The idle samples the floor is the mean of (before and after the drain), µs/s. */
  idleSamplesCpuUsPerSecond?: number[];
  /** cpuUsPerImage less the idle floor over the drain's wall time: what the images themselves cost. */
  cpuUsPerImageAboveIdle?: number;
  /**
   * The commands that took the most time inside Redis over the drain (INFO commandstats), most
   * first. A command a Lua script runs is counted under its own name and inside the script's
   * EVALSHA too, so the rows overlap; the event loop, parsing and replies are in none of them.
   */
  topCommands?: CommandCost[];
}

/** How many commands topCommands keeps. */
const TOP_COMMANDS = 5;

/** A sample of Redis's idle CPU: counters `ms` apart with nothing submitted in between. */
export interface RedisIdleSample {
  cpuUsPerSecond: number;
  /** When the floor is the mean of several samples: each of them, µs/s. */
  samples?: number[];
}

/** The floor from the samples before and after a drain: their mean, both kept. */
export function meanIdleSample(before: RedisIdleSample, after: RedisIdleSample): RedisIdleSample {
  return { cpuUsPerSecond: Math.round((before.cpuUsPerSecond + after.cpuUsPerSecond) / 2), samples: [before.cpuUsPerSecond, after.cpuUsPerSecond] };
}

const SCRIPT_COMMANDS = new Set(['evalsha', 'eval', 'evalsha_ro', 'eval_ro', 'fcall', 'fcall_ro']);

/** Parses the `INFO cpu` and `INFO commandstats` sections (both may be in one reply). */
export function parseRedisCounters(info: string): RedisCounters {
  let cpuSeconds = 0;
  let scriptCalls = 0;
  let netBytes: number | undefined;
  const commands: Record<string, { calls: number; usec: number }> = {};
  for (const line of info.split(/\r?\n/)) {
    const net = /^total_net_(input|output)_bytes:(\d+)$/.exec(line);
    if (net) netBytes = (netBytes ?? 0) + Number(net[2]);
    const cpu = /^used_cpu_(sys|user):([\d.]+)$/.exec(line);
    if (cpu) cpuSeconds += Number(cpu[2]);
    const stat = /^cmdstat_([a-z_|]+):calls=(\d+),usec=(\d+)/.exec(line);
    if (stat) {
      commands[stat[1]!] = { calls: Number(stat[2]), usec: Number(stat[3]) };
      if (SCRIPT_COMMANDS.has(stat[1]!)) scriptCalls += Number(stat[2]);
    }
  }
  return { cpuSeconds, scriptCalls, ...(netBytes !== undefined ? { netBytes } : {}), ...(Object.keys(commands).length > 0 ? { commands } : {}) };
}

export async function readRedisCounters(redis: Redis): Promise<RedisCounters | undefined> {
  try {
    const [cpu, commands, stats] = await Promise.all([redis.info('cpu'), redis.info('commandstats'), redis.info('stats')]);
    return parseRedisCounters(`${cpu}\n${commands}\n${stats}`);
  } catch {
    // Managed Redis may disable INFO: the report simply has no Redis cost.
    return undefined;
  }
}

/**
 * Redis's CPU over `ms` of nothing submitted (see RedisCost.idleCpuUsPerSecond), with the reading
 * that closed the sample (`until`: a drain that starts now can count from it); undefined where
 * INFO is refused.
 */
export async function sampleRedisIdle(redis: Redis, ms: number): Promise<(RedisIdleSample & { until: RedisCounters }) | undefined> {
  const before = await readRedisCounters(redis);
  const t0 = performance.now();
  await new Promise((resolve) => setTimeout(resolve, ms));
  const after = await readRedisCounters(redis);
  const seconds = (performance.now() - t0) / 1000;
  if (!before || !after || seconds <= 0) return undefined;
  return { cpuUsPerSecond: Math.round((Math.max(0, after.cpuSeconds - before.cpuSeconds) * 1e6) / seconds), until: after };
}

const tenths = (v: number): number => Math.round(v * 10) / 10;

/** The commands with the most time between two readings, per image (a command new in `after` counts from zero). */
export function topCommandCosts(before: RedisCounters['commands'], after: RedisCounters['commands'], images: number, keep = TOP_COMMANDS): CommandCost[] {
  if (!before || !after || images <= 0) return [];
  return Object.entries(after)
    .map(([command, now]) => ({ command, usec: now.usec - (before[command]?.usec ?? 0), calls: now.calls - (before[command]?.calls ?? 0) }))
    .filter((c) => c.calls > 0)
    .sort((a, b) => b.usec - a.usec)
    .slice(0, keep)
    .map((c) => ({ command: c.command, usPerImage: tenths(c.usec / images), callsPerImage: Math.round((c.calls / images) * 1000) / 1000 }));
}

/** Per-image cost between two readings; with an idle sample and the drain's wall time, also the cost above the idle floor. */
export function redisCostPerImage(
  before: RedisCounters | undefined,
  after: RedisCounters | undefined,
  images: number,
  idle?: { sample: RedisIdleSample; wallMs: number },
): RedisCost | undefined {
  if (!before || !after || images <= 0) return undefined;
  const cpuUs = (after.cpuSeconds - before.cpuSeconds) * 1e6;
  const top = topCommandCosts(before.commands, after.commands, images);
  return {
    scriptCallsPerImage: Math.round(((after.scriptCalls - before.scriptCalls) / images) * 1000) / 1000,
    cpuUsPerImage: tenths(cpuUs / images),
    ...(before.netBytes !== undefined && after.netBytes !== undefined ? { netBytesPerImage: Math.round((after.netBytes - before.netBytes) / images) } : {}),
    ...(idle
      ? {
          idleCpuUsPerSecond: idle.sample.cpuUsPerSecond,
          ...(idle.sample.samples ? { idleSamplesCpuUsPerSecond: idle.sample.samples } : {}),
          cpuUsPerImageAboveIdle: tenths(Math.max(0, cpuUs - (idle.sample.cpuUsPerSecond * idle.wallMs) / 1000) / images),
        }
      : {}),
    ...(top.length > 0 ? { topCommands: top } : {}),
  };
}
