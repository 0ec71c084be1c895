/**
 * A whole hourglass system for integration tests: the API in this process on an ephemeral port,
 * real worker processes, the test run's private Redis under a unique prefix, and a temp folder
 * holding DATA_ROOT and MODELS_DIR with the generated colour model. stop() leaves nothing behind.
 */
import { mkdtemp, mkdir, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { apiEnvSchema, connectRedis, createLogger, parseEnv, realDataRoot, writeModel, type ApiConfig, type Redis } from '@hourglass/core';
import { buildColourNet } from '@hourglass/core/testing';
import { createApp, type ApiApp } from '@hourglass/api';
import { spawnWorker, type SpawnedWorker } from '@hourglass/worker';
import { testRedisUrl, uniquePrefix } from './redis.js';

export const TEST_MODEL = 'colours';
export const TEST_API_KEY = 'test-key-0123456789';
/** Bull Board and the shared model namespace (HOURGLASS_ADMIN_KEYS). */
export const TEST_ADMIN_KEY = 'test-admin-key-0123456789';

export interface TestSystem {
  baseUrl: string;
  dataRoot: string;
  modelsDir: string;
  prefix: string;
  redisUrl: string;
  redis: Redis;
  api: ApiApp;
  config: ApiConfig;
  workers: SpawnedWorker[];
  /** Env a worker process of this system runs with (plus overrides). */
  workerEnv(overrides?: NodeJS.ProcessEnv): NodeJS.ProcessEnv;
  startWorker(options?: { model?: string; env?: NodeJS.ProcessEnv }): Promise<SpawnedWorker>;
  /** fetch against the API with the test key. */
  request(pathname: string, init?: RequestInit): Promise<Response>;
  /**
   * Closes the API (server, queues, its Redis connection) and builds a new one on the same Redis
   * and port, as a restarted API process would; `api`, `redis` and `baseUrl` stay valid.
   */
  restartApi(): Promise<void>;
  stop(): Promise<void>;
}

export interface TestSystemOptions {
  /** API env overrides (limits, auth). */
  apiEnv?: Record<string, string>;
  redisUrl?: string;
  /**
   * Env the API and every worker share: REDIS_CLUSTER_NODES (a test Redis Cluster, see
   * test/helpers/redis-cluster.ts), QUEUE_SHARDS.
   */
  sharedEnv?: Record<string, string>;
}

export async function startTestSystem(options: TestSystemOptions = {}): Promise<TestSystem> {
  const root = await mkdtemp(path.join(os.tmpdir(), 'hourglass-test-'));
  const dataRoot = path.join(root, 'data');
  const modelsDir = path.join(root, 'models');
  await mkdir(dataRoot, { recursive: true });
  const { manifest, onnx } = buildColourNet({ name: TEST_MODEL, size: 32, channels: 8 });
  await writeModel(modelsDir, manifest, onnx);

  const prefix = uniquePrefix('it');
  const redisUrl = options.redisUrl ?? testRedisUrl();
  const config = parseEnv(apiEnvSchema, {
    REDIS_URL: redisUrl,
    HOURGLASS_PREFIX: prefix,
    DATA_ROOT: dataRoot,
    MODELS_DIR: modelsDir,
    HOURGLASS_API_KEYS: TEST_API_KEY,
    HOURGLASS_ADMIN_KEYS: TEST_ADMIN_KEY,
    LOG_LEVEL: 'silent',
    ...options.sharedEnv,
    ...options.apiEnv,
  });
  const startApi = async (port: number): Promise<{ redis: Redis; api: ApiApp; server: Server }> => {
    const apiRedis = connectRedis(config, 'client');
    apiRedis.on('error', () => undefined);
    const app = createApp({ config, redis: apiRedis, dataRoot: await realDataRoot(dataRoot), log: createLogger('api-test', 'silent') });
    const listening = await new Promise<Server>((resolve) => {
      const s = app.app.listen(port, '127.0.0.1', () => resolve(s));
    });
    return { redis: apiRedis, api: app, server: listening };
  };
  const stopApi = async (running: { redis: Redis; api: ApiApp; server: Server }): Promise<void> => {
    running.server.closeAllConnections();
    await new Promise<void>((resolve) => running.server.close(() => resolve()));
    await running.api.close();
    await running.redis.quit().catch(() => running.redis.disconnect());
  };
  let current = await startApi(0);
  const port = (current.server.address() as AddressInfo).port;
  const baseUrl = `http://127.0.0.1:${port}`;
  const workers: SpawnedWorker[] = [];

  const workerEnv = (overrides: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => ({
    PATH: process.env.PATH,
    REDIS_URL: redisUrl,
    HOURGLASS_PREFIX: prefix,
    DATA_ROOT: dataRoot,
    MODELS_DIR: modelsDir,
    LOG_LEVEL: 'warn',
    INTRA_OP_THREADS: '1',
    BATCH_SIZE: '8',
    HEARTBEAT_INTERVAL_MS: '1000',
    ...options.sharedEnv,
    ...overrides,
  });

  const system: TestSystem = {
    baseUrl,
    dataRoot,
    modelsDir,
    prefix,
    redisUrl,
    redis: current.redis,
    api: current.api,
    config,
    workers,
    workerEnv,
    async startWorker(workerOptions = {}) {
      const worker = spawnWorker({ model: workerOptions.model ?? TEST_MODEL, env: workerEnv(workerOptions.env) });
      workers.push(worker);
      await worker.ready;
      return worker;
    },
    request(pathname, init = {}) {
      const headers = new Headers(init.headers);
      if (!headers.has('authorization')) headers.set('authorization', `Bearer ${TEST_API_KEY}`);
      return fetch(`${baseUrl}${pathname}`, { ...init, headers });
    },
    async restartApi() {
      await stopApi(current);
      current = await startApi(port);
      system.redis = current.redis;
      system.api = current.api;
    },
    async stop() {
      await Promise.all(workers.map((w) => w.stop('SIGKILL')));
      await stopApi(current);
      await rm(root, { recursive: true, force: true });
    },
  };
  return system;
}

/** Polls GET /v1/batches/:id until completed (or the timeout passes); returns the last view. */
export async function waitForBatch(system: TestSystem, id: string, timeoutMs = 60_000): Promise<Record<string, any>> {
  const deadline = Date.now() + timeoutMs;
  let view: Record<string, any> = {};
  while (Date.now() < deadline) {
    view = (await (await system.request(`/v1/batches/${id}`)).json()) as Record<string, any>;
    if (view.status === 'completed') return view;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`batch ${id} not completed after ${timeoutMs} ms: ${JSON.stringify(view)}`);
}

/** All result rows of a batch (NDJSON). */
export async function fetchResults(system: TestSystem, id: string): Promise<Array<Record<string, any>>> {
  const text = await (await system.request(`/v1/batches/${id}/results`)).text();
  return text
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, any>);
}
