/**
 * The machine a benchmark ran on, recorded beside every number: CPU model, cores, memory, GPU (via
 * nvidia-smi when it exists), and the versions of node, onnxruntime, sharp, BullMQ and Redis.
 */
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import sharp from 'sharp';
import type { Redis } from 'ioredis';

export interface GpuInfo {
  name: string;
  memoryMiB: number;
  driver: string;
}

export interface MachineInfo {
  host: string;
  platform: string;
  cpuModel: string;
  /** Cores node may use (os.availableParallelism). */
  cores: number;
  memoryGiB: number;
  gpus: GpuInfo[];
  versions: { node: string; onnxruntime: string; sharp: string; vips: string; bullmq: string; redis: string };
}

function run(command: string, args: string[], timeoutMs = 5_000): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile(command, args, { timeout: timeoutMs }, (error, stdout) => resolve(error ? undefined : stdout));
  });
}

/** GPUs nvidia-smi reports; empty where there is none (or no nvidia-smi). */
export async function detectGpus(): Promise<GpuInfo[]> {
  const out = await run('nvidia-smi', ['--query-gpu=name,memory.total,driver_version', '--format=csv,noheader,nounits']);
  if (!out) return [];
  return out
    .split('\n')
    .map((line) => line.split(',').map((s) => s.trim()))
    .filter((f) => f.length >= 3 && f[0])
    .map(([name, memory, driver]) => ({ name: name!, memoryMiB: Number(memory), driver: driver! }));
}

/** The version in a dependency's package.json, found from where node resolves it. */
export async function packageVersion(name: string): Promise<string> {
  try {
    const require = createRequire(import.meta.url);
    let dir = path.dirname(require.resolve(name));
    for (let i = 0; i < 6; i++) {
      const pkg = await readFile(path.join(dir, 'package.json'), 'utf8').then((t) => JSON.parse(t) as { name?: string; version?: string }, () => undefined);
      if (pkg?.name === name && pkg.version) return pkg.version;
      dir = path.dirname(dir);
    }
  } catch {
    // fall through
  }
  return 'unknown';
}

async function redisVersion(redis: Redis | undefined): Promise<string> {
  if (!redis) return 'unknown';
  const info = await redis.info('server').catch(() => '');
  return /redis_version:(\S+)/.exec(info)?.[1] ?? 'unknown';
}

export async function describeMachine(redis?: Redis): Promise<MachineInfo> {
  const cpus = os.cpus();
  const versions = sharp.versions as Record<string, string | undefined>;
  return {
    host: os.hostname(),
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    cores: os.availableParallelism(),
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    gpus: await detectGpus(),
    versions: {
      node: process.versions.node,
      onnxruntime: ort.env.versions.node ?? ort.env.versions.common,
      sharp: versions.sharp ?? 'unknown',
      vips: versions.vips ?? 'unknown',
      bullmq: await packageVersion('bullmq'),
      redis: await redisVersion(redis),
    },
  };
}

/** One line for reports: "AMD EPYC, 2 cores, 23.5 GiB, no GPU". */
export function machineSummary(m: MachineInfo): string {
  const gpu = m.gpus.length > 0 ? m.gpus.map((g) => `${g.name} (${Math.round(g.memoryMiB / 1024)} GiB)`).join(', ') : 'no GPU';
  return `${m.cpuModel}, ${m.cores} cores, ${m.memoryGiB} GiB, ${gpu}; node ${m.versions.node}, onnxruntime-node ${m.versions.onnxruntime}, sharp ${m.versions.sharp}, bullmq ${m.versions.bullmq}, redis ${m.versions.redis}`;
}
