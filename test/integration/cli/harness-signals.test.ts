/**
 * `hourglass demo --keep` through the client, stopped with Ctrl-C as a terminal sends it: SIGINT to
 * the whole foreground process group. The client passes it on to the harness once, and the harness
 * stops its workers and API and exits 0. (Had the harness shared the client's process group, it
 * would get the group's SIGINT and the client's copy, and the second would kill it mid-cleanup.)
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLI_MAIN } from '../../helpers/cli.js';
import { testRedisUrl, uniquePrefix } from '../../helpers/redis.js';

describe('hourglass <harness command> and Ctrl-C', () => {
  it('a SIGINT to the process group stops demo --keep cleanly: exit 0, its API gone', async () => {
    const home = await mkdtemp(path.join(os.tmpdir(), 'hourglass-signals-'));
    try {
      const client = spawn(process.execPath, [CLI_MAIN, 'demo', '--keep', '--no-transfer', '--images', '6'], {
        env: {
          PATH: process.env.PATH,
          REDIS_URL: testRedisUrl(),
          HOURGLASS_PREFIX: uniquePrefix('signals'),
          DATA_ROOT: path.join(home, 'data'),
          MODELS_DIR: path.join(home, 'models'),
          PORT: '0',
          LOG_LEVEL: 'warn',
        },
        // Its own group, as a shell gives a foreground job: process.kill(-pid) is the terminal's Ctrl-C.
        detached: true,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      client.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      client.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
        client.once('exit', (code, signal) => resolve({ code, signal })),
      );

      await expect.poll(() => stdout.includes('Running until Ctrl-C'), { timeout: 180_000, interval: 200 }).toBe(true);
      const board = /Bull Board: (http:\/\/127\.0\.0\.1:\d+)\//.exec(stdout)?.[1];
      expect(board, stdout).toBeDefined();
      expect((await fetch(`${board}/healthz`)).ok).toBe(true);

      process.kill(-client.pid!, 'SIGINT');
      const { code, signal } = await exited;
      expect({ code, signal }, `${stdout}\n${stderr}`).toEqual({ code: 0, signal: null });
      await expect(fetch(`${board}/healthz`)).rejects.toThrow();
    } finally {
      await rm(home, { recursive: true, force: true });
    }
  }, 240_000);
});
