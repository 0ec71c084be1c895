/**
 * The queue-only ceiling: what the queue path alone costs per image, with decode and inference at
 * zero (the real worker with a null classifier). One report per `npm run bench:queue` run: every
 * (worker processes × images per job) drain with its rate and its Redis cost, and the figure a
 * fleet plans with, images/s per Redis core = 10⁶ ÷ Redis CPU µs per image.
 */
import type { ChunkSizeSource } from '../batches/chunk-size-policy.js';
import type { CpuUsage } from './cpu.js';
import type { MachineInfo } from './machine.js';
import { machineSummary } from './machine.js';
import type { RedisCost } from './redis-cost.js';
import { formatCount, formatDuration } from './report.js';

export const QUEUE_BENCH_SCHEMA = 'hourglass-queue-bench/1';

export interface QueueRun {
  workers: number;
  chunkSize: number;
  chunkSizeSource: ChunkSizeSource;
  images: number;
  /** Coordinator clock: submit → every row stored, ms. */
  wallMs: number;
  imagesPerSecond: number;
  redis: RedisCost;
  /** 10⁶ ÷ redis.cpuUsPerImage: images one fully busy Redis core would carry per second. */
  imagesPerRedisCore: number;
  /** MEMORY USAGE of the batch's results hash ÷ images (the stored row, with hash overhead). */
  storedBytesPerImage: number;
  failures: number;
  cpu?: CpuUsage;
}

export interface QueueIdle {
  workers: number;
  /** Redis CPU while the fleet waits with nothing to do (blocking fetches, stalled checks, heartbeats), ms per second. */
  redisCpuMsPerSecond: number;
}

export interface QueueBenchReport {
  schema: typeof QUEUE_BENCH_SCHEMA;
  createdAt: string;
  command: string;
  machine: MachineInfo;
  /** 'spawned' (a private redis-server for the run) or 'external' (REDIS_URL / --redis-url). */
  redisKind: 'spawned' | 'external';
  runs: QueueRun[];
  idle: QueueIdle[];
  notes: string[];
}

export const imagesPerRedisCore = (cpuUsPerImage: number): number => (cpuUsPerImage > 0 ? Math.round(1e6 / cpuUsPerImage) : 0);

const cell = (n: number | undefined, digits = 1): string => (n === undefined ? '–' : n.toFixed(digits));

export function renderQueueMarkdown(report: QueueBenchReport): string {
  const lines: string[] = [];
  lines.push(`- **Machine:** ${machineSummary(report.machine)} (host \`${report.machine.host}\`); Redis ${report.redisKind === 'spawned' ? 'spawned for the run' : 'external'}`);
  lines.push(`- **Command:** \`${report.command}\``, '');
  lines.push('| Worker processes | Images/job | Images | Drain | img/s | Redis CPU µs/img | img/s per Redis core | Script calls/img | Net bytes/img | Stored bytes/img | Failures | CPU ours / other |');
  lines.push('| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const r of report.runs) {
    lines.push(
      `| ${r.workers} | ${r.chunkSizeSource === 'auto' ? `${r.chunkSize} (auto)` : r.chunkSize} | ${formatCount(r.images)} | ${formatDuration(r.wallMs)} | ${formatCount(Math.round(r.imagesPerSecond))} | ${cell(r.redis.cpuUsPerImage)} | ${formatCount(r.imagesPerRedisCore)} | ${cell(r.redis.scriptCallsPerImage, 3)} | ${r.redis.netBytesPerImage === undefined ? '–' : formatCount(r.redis.netBytesPerImage)} | ${formatCount(r.storedBytesPerImage)} | ${r.failures} | ${r.cpu?.oursCores == null ? '–' : `${r.cpu.oursCores.toFixed(2)} / ${r.cpu.foreignCores!.toFixed(2)}`} |`,
    );
  }
  lines.push('');
  if (report.idle.length > 0) {
    lines.push(`Idle fleet (no work, waiting): Redis CPU ${report.idle.map((i) => `${cell(i.redisCpuMsPerSecond, 2)} ms/s with ${i.workers} worker process${i.workers === 1 ? '' : 'es'}`).join(', ')}. A slow model pays this per second of its drain, whatever the job size.`, '');
  }
  lines.push(
    'The worker is the production worker (BullMQ worker, processor, coalescing result writer, the result store\'s Lua scripts) with a null classifier: no decode, no inference, a fixed top-5 row per image. Redis CPU and script calls are the server\'s own counters (INFO cpu, commandstats) over the drain, so they include the submit (addBulk), the workers and the coordinator\'s progress polls; net bytes are the server\'s bytes in + out. img/s per Redis core = 10⁶ ÷ Redis CPU µs per image. CPU ours / other: cores used by this run\'s processes (coordinator, workers, Redis) / by other programs.',
  );
  for (const note of report.notes) lines.push('', `- ${note}`);
  return `${lines.join('\n')}\n`;
}
