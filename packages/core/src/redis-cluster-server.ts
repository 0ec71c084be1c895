/**
 * Starts a private Redis Cluster on loopback (tests, the cluster benchmark): `masters` redis-server
 * processes with `--cluster-enabled yes` on free ports, joined with `redis-cli --cluster create`,
 * ready once every node reports cluster_state:ok. Small on purpose (a shared machine): no
 * persistence, a low maxmemory with noeviction, as BullMQ needs. stop() kills them and removes
 * their folder.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import type { RedisNodeAddress } from './config.js';
import { AppError } from './errors.js';
import { REDIS_INSTALL_HINT, freePort } from './redis-server.js';

const run = promisify(execFile);

export interface RedisClusterOptions {
  /** Master nodes; redis-cli needs at least 3. */
  masters?: number;
  /** Replicas per master (0: none). */
  replicas?: number;
  /** maxmemory of each node. */
  maxmemory?: string;
  readyTimeoutMs?: number;
}

export interface RedisClusterHandle {
  nodes: RedisNodeAddress[];
  /** REDIS_CLUSTER_NODES for the processes that should use it. */
  nodesEnv: string;
  dir: string;
  processes: ChildProcess[];
  stop(): Promise<void>;
}

async function clusterInfo(port: number): Promise<string> {
  const probe = new Redis({ host: '127.0.0.1', port, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  probe.on('error', () => undefined);
  try {
    await probe.connect();
    return (await probe.call('CLUSTER', 'INFO')) as string;
  } catch {
    return '';
  } finally {
    probe.disconnect();
  }
}

async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new AppError('REDIS_UNAVAILABLE', `Redis Cluster: ${what} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export async function startRedisCluster(options: RedisClusterOptions = {}): Promise<RedisClusterHandle> {
  const masters = options.masters ?? 3;
  const replicas = options.replicas ?? 0;
  const timeoutMs = options.readyTimeoutMs ?? 30_000;
  const dir = await mkdtemp(path.join(os.tmpdir(), 'hourglass-redis-cluster-'));
  const processes: ChildProcess[] = [];
  const ports: number[] = [];
  const stop = async (): Promise<void> => {
    await Promise.all(
      processes.map(async (child) => {
        if (child.exitCode !== null || child.signalCode !== null) return;
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGKILL');
        await exited;
      }),
    );
    await rm(dir, { recursive: true, force: true });
  };
  try {
    for (let i = 0; i < masters * (1 + replicas); i++) {
      // The cluster bus port is set too: the default (port + 10000) may be out of range or taken.
      const [port, busPort] = [await freePort(), await freePort()];
      const args = [
        '--port',
        String(port),
        '--cluster-port',
        String(busPort),
        '--bind',
        '127.0.0.1',
        '--cluster-enabled',
        'yes',
        '--cluster-config-file',
        path.join(dir, `nodes-${port}.conf`),
        '--cluster-node-timeout',
        '5000',
        '--dir',
        dir,
        '--save',
        '',
        '--appendonly',
        'no',
        '--maxmemory',
        options.maxmemory ?? '128mb',
        '--maxmemory-policy',
        'noeviction',
        '--daemonize',
        'no',
        '--loglevel',
        'warning',
      ];
      const child = spawn('redis-server', args, { stdio: ['ignore', 'ignore', 'ignore'] });
      const spawned = await new Promise<Error | undefined>((resolve) => {
        child.once('spawn', () => resolve(undefined));
        child.once('error', (error) => resolve(error));
      });
      if (spawned)
        throw new AppError(
          'REDIS_UNAVAILABLE',
          (spawned as NodeJS.ErrnoException).code === 'ENOENT' ? REDIS_INSTALL_HINT : `cannot start redis-server: ${spawned.message}`,
        );
      processes.push(child);
      ports.push(port);
    }
    for (const port of ports) await waitFor(`node ${port} did not answer`, async () => (await clusterInfo(port)) !== '', timeoutMs);
    await run('redis-cli', ['--cluster', 'create', ...ports.map((p) => `127.0.0.1:${p}`), '--cluster-replicas', String(replicas), '--cluster-yes'], {
      timeout: timeoutMs,
    });
    for (const port of ports)
      await waitFor(`node ${port} did not reach cluster_state:ok`, async () => (await clusterInfo(port)).includes('cluster_state:ok'), timeoutMs);
  } catch (error) {
    await stop();
    throw error;
  }
  const nodes = ports.map((port) => ({ host: '127.0.0.1', port }));
  return { nodes, nodesEnv: nodes.map((n) => `${n.host}:${n.port}`).join(','), dir, processes, stop };
}
