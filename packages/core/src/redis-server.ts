/**
 * Starts a private redis-server on a free port (demo, tests, chaos runs): never the shared one on
 * 6379, and never flushed. Configured the way BullMQ needs Redis: maxmemory-policy noeviction.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { AppError } from './errors.js';

export interface RedisServerOptions {
  port?: number;
  /** Folder for the AOF/RDB; a fresh temp folder when absent (removed on stop). */
  dir?: string;
  /** appendonly yes + appendfsync everysec, as production should run. */
  appendOnly?: boolean;
}

export interface RedisServerHandle {
  url: string;
  port: number;
  dir: string;
  process: ChildProcess;
  /** SIGTERM by default (Redis fsyncs its AOF on the way down); SIGKILL simulates a crash. */
  stop(options?: { keepDir?: boolean; signal?: NodeJS.Signals }): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export const REDIS_INSTALL_HINT =
  'redis-server was not found on PATH. Install it (Debian/Ubuntu: `apt-get install -y redis-server`; macOS: `brew install redis`), or set REDIS_URL to a running Redis 6.2+.';

async function waitForPing(url: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new AppError('REDIS_UNAVAILABLE', `redis-server exited with code ${child.exitCode}`);
    const probe = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    probe.on('error', () => undefined);
    try {
      await probe.connect();
      if ((await probe.ping()) === 'PONG') return;
    } catch {
      // not up yet
    } finally {
      probe.disconnect();
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new AppError('REDIS_UNAVAILABLE', `redis-server did not answer within ${timeoutMs} ms`);
}

export async function startRedisServer(options: RedisServerOptions = {}): Promise<RedisServerHandle> {
  const port = options.port ?? (await freePort());
  const ownDir = options.dir === undefined;
  const dir = options.dir ?? (await mkdtemp(path.join(os.tmpdir(), 'hourglass-redis-')));
  const args = [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--dir',
    dir,
    '--save',
    '',
    '--maxmemory-policy',
    'noeviction',
    '--daemonize',
    'no',
    '--loglevel',
    'warning',
  ];
  args.push(...(options.appendOnly ? ['--appendonly', 'yes', '--appendfsync', 'everysec'] : ['--appendonly', 'no']));
  const child = spawn('redis-server', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  const spawned = await new Promise<Error | undefined>((resolve) => {
    child.once('spawn', () => resolve(undefined));
    child.once('error', (error) => resolve(error));
  });
  if (spawned) {
    if (ownDir) await rm(dir, { recursive: true, force: true });
    throw new AppError(
      'REDIS_UNAVAILABLE',
      (spawned as NodeJS.ErrnoException).code === 'ENOENT' ? REDIS_INSTALL_HINT : `cannot start redis-server: ${spawned.message}`,
    );
  }
  const url = `redis://127.0.0.1:${port}`;
  try {
    await waitForPing(url, child, 10_000);
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  return {
    url,
    port,
    dir,
    process: child,
    async stop(stopOptions = {}) {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill(stopOptions.signal ?? 'SIGTERM');
        await exited;
      }
      if (ownDir && !stopOptions.keepDir) await rm(dir, { recursive: true, force: true });
    },
  };
}
