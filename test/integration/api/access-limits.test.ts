/**
 * Access and limits: the API process refuses to start without keys unless HOURGLASS_AUTH=off;
 * Bull Board's mutating endpoints need the key; per-model backpressure (429 QUEUE_FULL) and per-key
 * rate limiting (429 RATE_LIMITED) answer with Retry-After; a Redis whose maxmemory-policy is not
 * noeviction gets a loud warning from the API and the workers.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { warnUnlessNoEviction, type Logger } from '@hourglass/core';
import { startRedisServer, type RedisServerHandle } from '@hourglass/core/testing';
import { spawnWorker } from '@hourglass/worker';
import { solidImage } from '../../helpers/images.js';
import { testRedisUrl } from '../../helpers/redis.js';
import { TEST_ADMIN_KEY, TEST_API_KEY, startTestSystem, type TestSystem } from '../../helpers/system.js';

const API_MAIN = fileURLToPath(new URL('../../../apps/api/dist/main.js', import.meta.url));
const OTHER_KEY = 'other-key-0123456789';

interface ApiProcess {
  exited: Promise<number | string>;
  lines: Array<Record<string, any>>;
  /** Resolves with the first log record that matches. */
  waitFor(match: (record: Record<string, any>) => boolean, timeoutMs?: number): Promise<Record<string, any>>;
  kill(signal?: NodeJS.Signals): void;
}

function startApiProcess(env: NodeJS.ProcessEnv): ApiProcess {
  const child = spawn(process.execPath, [API_MAIN], {
    env: { PATH: process.env.PATH, LOG_LEVEL: 'info', PORT: '0', HOST: '127.0.0.1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<number | string>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')));
  const lines: Array<Record<string, any>> = [];
  const waiters: Array<{ match: (r: Record<string, any>) => boolean; resolve: (r: Record<string, any>) => void }> = [];
  readline.createInterface({ input: child.stdout! }).on('line', (line) => {
    let record: Record<string, any>;
    try {
      record = JSON.parse(line) as Record<string, any>;
    } catch {
      record = { msg: line };
    }
    lines.push(record);
    for (const w of waiters.filter((w) => w.match(record))) w.resolve(record);
  });
  return {
    exited,
    lines,
    waitFor(match, timeoutMs = 20_000) {
      const found = lines.find(match);
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no matching log line in ${timeoutMs} ms: ${JSON.stringify(lines.slice(-5))}`)), timeoutMs);
        waiters.push({ match, resolve: (r) => (clearTimeout(timer), resolve(r)) });
        void exited.then((code) => reject(new Error(`api exited (${code}): ${JSON.stringify(lines.slice(-5))}`)));
      });
    },
    kill: (signal = 'SIGTERM') => void child.kill(signal),
  };
}

describe('the API process and its keys', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'hg-access-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('refuses to start without HOURGLASS_API_KEYS (exit 1, says why)', async () => {
    const api = startApiProcess({
      REDIS_URL: testRedisUrl(),
      DATA_ROOT: path.join(dir, 'data'),
      MODELS_DIR: path.join(dir, 'models'),
      HOURGLASS_API_KEYS: ' , ',
    });
    expect(await api.exited).toBe(1);
    const fatal = api.lines.find((l) => l.level === 60);
    expect(fatal?.code).toBe('CONFIG_INVALID');
    expect(fatal?.err).toMatch(/HOURGLASS_API_KEYS is empty.*HOURGLASS_AUTH=off/);
  });

  it('starts without keys only with HOURGLASS_AUTH=off, warns about it (and about an evicting Redis), serves /v1 openly, exits 0 on SIGTERM', async () => {
    const evicting = await startRedisServer();
    const client = new Redis(evicting.url);
    try {
      await client.config('SET', 'maxmemory-policy', 'allkeys-lru');
      const api = startApiProcess({ REDIS_URL: evicting.url, DATA_ROOT: path.join(dir, 'data'), MODELS_DIR: path.join(dir, 'models'), HOURGLASS_AUTH: 'off' });
      const listening = await api.waitFor((l) => l.msg === 'api listening');
      expect(api.lines.some((l) => l.level === 40 && /HOURGLASS_AUTH=off/.test(l.msg))).toBe(true);
      expect(api.lines.some((l) => l.level === 40 && l.policy === 'allkeys-lru' && /noeviction/.test(l.msg))).toBe(true);
      const response = await fetch(`http://127.0.0.1:${listening.port}/v1/models`);
      expect(response.status).toBe(200);
      api.kill('SIGTERM');
      expect(await api.exited).toBe(0);
    } finally {
      await client.quit();
      await evicting.stop();
    }
  });
});

describe('limits', () => {
  let system: TestSystem;
  beforeAll(async () => {
    system = await startTestSystem({ apiEnv: { HOURGLASS_API_KEYS: `${TEST_API_KEY},${OTHER_KEY}`, MAX_QUEUED_PER_MODEL: '10', RATE_LIMIT_PER_MINUTE: '8' } });
    await writeFile(path.join(system.dataRoot, 'a.jpg'), await solidImage({ colour: 'red' }));
  });
  afterAll(async () => {
    await system?.stop();
  });

  const submit = (count: number, key = OTHER_KEY): Promise<Response> =>
    system.request('/v1/batches', {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'colours', images: Array.from({ length: count }, () => ({ path: 'a.jpg' })) }),
    });

  it('Bull Board: reading and mutating endpoints need an admin key', async () => {
    const board = `${system.baseUrl}/admin/queues`;
    const mutations: Array<[string, string]> = [
      ['PUT', '/api/queues/pause'],
      ['PUT', '/api/queues/resume'],
      ['PUT', '/api/queues/classify-colours/pause'],
      ['PUT', '/api/queues/classify-colours/retry/failed'],
      ['PUT', '/api/queues/classify-colours/clean/completed'],
      ['PUT', '/api/queues/classify-colours/empty'],
      ['POST', '/api/queues/classify-colours/add'],
      ['PUT', '/api/queues/classify-colours/some-job/promote'],
      ['DELETE', '/api/queues/classify-colours/obliterate'],
      ['GET', '/api/queues'],
      ['GET', '/api/redis/stats'],
    ];
    for (const [method, route] of mutations) {
      for (const headers of [{}, { authorization: 'Bearer wrong' }, { authorization: `Basic ${Buffer.from('admin:wrong').toString('base64')}` }] as Array<
        Record<string, string>
      >) {
        const response = await fetch(`${board}${route}`, {
          method,
          headers: { 'content-type': 'application/json', ...headers },
          body: method === 'GET' ? null : '{}',
        });
        expect({ method, route, status: response.status }).toEqual({ method, route, status: 401 });
      }
    }
    // With an admin key the board answers (pause, then resume so the queue works again).
    const auth = { authorization: `Bearer ${TEST_ADMIN_KEY}` };
    expect((await fetch(`${board}/api/queues/classify-colours/pause`, { method: 'PUT', headers: auth })).status).toBeLessThan(300);
    expect(await system.api.context.queues.get('colours').isPaused()).toBe(true);
    expect((await fetch(`${board}/api/queues/classify-colours/resume`, { method: 'PUT', headers: auth })).status).toBeLessThan(300);
    expect(await system.api.context.queues.get('colours').isPaused()).toBe(false);
  });

  it('backpressure: more than MAX_QUEUED_PER_MODEL waiting -> 429 QUEUE_FULL with Retry-After', async () => {
    expect((await submit(7, TEST_API_KEY)).status).toBe(202);
    const full = await submit(4, TEST_API_KEY);
    expect(full.status).toBe(429);
    expect(full.headers.get('retry-after')).toBe('30');
    const body = (await full.json()) as any;
    expect(body.error).toMatchObject({ code: 'QUEUE_FULL', waiting: 7, limit: 10 });
    expect((await submit(3, TEST_API_KEY)).status).toBe(202);
  });

  it('rate limit per key: over RATE_LIMIT_PER_MINUTE -> 429 RATE_LIMITED with Retry-After; other keys and /healthz unaffected', async () => {
    // Fixed one-minute windows: start in a fresh one if this one is about to end.
    const probe = await system.request('/v1/models', { headers: { authorization: `Bearer ${OTHER_KEY}` } });
    const reset = Number(probe.headers.get('ratelimit-reset'));
    if (reset < 10) await new Promise((r) => setTimeout(r, reset * 1000 + 200));
    const statuses: number[] = [];
    let last: Response | undefined;
    const remaining: string[] = [];
    for (let i = 0; i < 10; i++) {
      last = await system.request('/v1/models', { headers: { authorization: `Bearer ${OTHER_KEY}` } });
      statuses.push(last.status);
      remaining.push(last.headers.get('ratelimit-remaining') ?? '');
      if (last.status === 429) break;
    }
    expect(statuses.at(-1)).toBe(429);
    expect(statuses.slice(0, -1).every((s) => s === 200)).toBe(true);
    // The probe (and, when we waited, nothing else) counted in this window: at most 8 got through.
    expect(statuses.length).toBeLessThanOrEqual(9);
    expect(remaining.at(-2)).toBe('0');
    const retryAfter = Number(last!.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    const body = (await last!.json()) as any;
    expect(body.error).toMatchObject({ code: 'RATE_LIMITED', limit: 8 });
    // Submits are limited too, the other key is not, health is never.
    expect((await submit(1)).status).toBe(429);
    expect((await fetch(`${system.baseUrl}/healthz`)).status).toBe(200);
    const mine = await system.request('/v1/models');
    expect(mine.status).toBe(200);
    expect(Number(mine.headers.get('ratelimit-remaining'))).toBeGreaterThan(0);
  });
});

describe('Redis eviction policy', () => {
  let server: RedisServerHandle;
  let client: Redis;
  beforeAll(async () => {
    server = await startRedisServer();
    client = new Redis(server.url);
  });
  afterAll(async () => {
    await client.quit();
    await server.stop();
  });

  const capture = (): { log: Logger; warnings: unknown[][] } => {
    const warnings: unknown[][] = [];
    const log = { warn: (...args: unknown[]) => warnings.push(args) } as unknown as Logger;
    return { log, warnings };
  };

  it('noeviction: no warning; anything else: a warning that names the policy and the fix', async () => {
    const quiet = capture();
    await warnUnlessNoEviction(client, quiet.log);
    expect(quiet.warnings).toEqual([]);
    await client.config('SET', 'maxmemory-policy', 'volatile-lru');
    const loud = capture();
    await warnUnlessNoEviction(client, loud.log);
    expect(loud.warnings).toHaveLength(1);
    expect(loud.warnings[0]![0]).toEqual({ policy: 'volatile-lru' });
    expect(loud.warnings[0]![1]).toMatch(/noeviction/);
  });

  it('a worker process started against an evicting Redis says so in its log', async () => {
    await client.config('SET', 'maxmemory-policy', 'allkeys-random');
    const system = await startTestSystem({ redisUrl: server.url });
    const warnings: Array<Record<string, unknown>> = [];
    const worker = spawnWorker({ model: 'colours', env: system.workerEnv(), onLog: (record) => void (Number(record.level) === 40 && warnings.push(record)) });
    try {
      await worker.ready;
      expect(warnings.some((w) => w.policy === 'allkeys-random' && /noeviction/.test(String(w.msg)))).toBe(true);
    } finally {
      await worker.stop('SIGKILL');
      await system.stop();
      await client.config('SET', 'maxmemory-policy', 'noeviction');
    }
  });
});
