/**
 * The system the chaos scenarios break: one private redis-server (appendonly yes, appendfsync
 * everysec), the API in this process (restartable on the same port), worker processes beside it,
 * and the HTTP calls the scenarios make against it.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { Queue } from 'bullmq';
import { apiEnvSchema, createLogger, createRedis, parseEnv, realDataRoot, writeModel, type ApiConfig, type BatchView, type Redis } from '@hourglass/core';
import { COLOUR_LABELS, buildColourNet, freePort, startRedisServer, type RedisServerHandle } from '@hourglass/core/testing';
import { createApp, type ApiApp } from '@hourglass/api';
import { ApiError, HourglassClient } from '@hourglass/cli';
import { spawnWorker, type SpawnedWorker } from '@hourglass/worker';
import { renderColourImage } from '../demo/images.js';
import type { ChaosOptions } from './options.js';

const MODEL = 'colours';

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** What a scenario reads of a batch: the API's own view, through the client. */
export type BatchProgress = BatchView;

/** The system under test: private Redis, in-process API (restartable), worker processes. */
export class ChaosSystem {
  readonly apiKey = `chaos_${randomBytes(12).toString('hex')}`;
  readonly prefix = `chaos${randomBytes(4).toString('hex')}`;
  workers: SpawnedWorker[] = [];
  redisServer!: RedisServerHandle;
  baseUrl = '';
  /** The user's REST client, on the API of the moment (rebuilt on the same port after a restart). */
  client!: HourglassClient;
  api!: ApiApp;
  private apiRedis!: Redis;
  private server!: Server;
  private port = 0;
  private config!: ApiConfig;
  private dataRoot = '';
  private modelsDir = '';
  private redisDir = '';
  /** Worker log lines at warn or above, by message (Redis outages make many). */
  readonly workerWarnings = new Map<string, number>();

  constructor(
    private readonly root: string,
    private readonly options: ChaosOptions,
  ) {}

  async start(): Promise<void> {
    this.dataRoot = path.join(this.root, 'data');
    this.modelsDir = path.join(this.root, 'models');
    this.redisDir = path.join(this.root, 'redis');
    await Promise.all([mkdir(this.dataRoot, { recursive: true }), mkdir(this.redisDir, { recursive: true })]);
    const { manifest, onnx } = buildColourNet({ name: MODEL, size: 32, channels: 8 });
    await writeModel(this.modelsDir, manifest, onnx);
    this.redisServer = await startRedisServer({ port: await freePort(), dir: this.redisDir, appendOnly: true });
    this.config = parseEnv(apiEnvSchema, {
      REDIS_URL: this.redisServer.url,
      HOURGLASS_PREFIX: this.prefix,
      DATA_ROOT: this.dataRoot,
      MODELS_DIR: this.modelsDir,
      HOURGLASS_API_KEYS: this.apiKey,
      RATE_LIMIT_PER_MINUTE: '0',
      LOG_LEVEL: 'silent',
    });
    await this.startApi(0);
  }

  private async startApi(port: number): Promise<void> {
    this.apiRedis = createRedis(this.redisServer.url, 'client');
    this.apiRedis.on('error', () => undefined);
    this.api = createApp({ config: this.config, redis: this.apiRedis, dataRoot: await realDataRoot(this.dataRoot), log: createLogger('chaos-api', 'silent') });
    this.server = await new Promise<Server>((resolve) => {
      const s = this.api.app.listen(port, '127.0.0.1', () => resolve(s));
    });
    this.port = (this.server.address() as AddressInfo).port;
    this.baseUrl = `http://127.0.0.1:${this.port}`;
    this.client = new HourglassClient(this.baseUrl, this.apiKey);
  }

  private async stopApi(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    await this.api.close();
    await this.apiRedis.quit().catch(() => this.apiRedis.disconnect());
  }

  /** Closes the API and builds a new one on the same Redis and port, as a restarted process would. */
  async restartApi(): Promise<void> {
    await this.stopApi();
    await this.startApi(this.port);
  }

  /** SIGTERM: a clean stop (AOF fsynced); SIGKILL: a crash (up to the last second of writes lost). */
  async stopRedis(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    await this.redisServer.stop({ keepDir: true, signal });
  }

  async startRedis(): Promise<void> {
    this.redisServer = await startRedisServer({ port: this.redisServer.port, dir: this.redisDir, appendOnly: true });
  }

  queue(): Queue {
    return this.api.context.queues.get(MODEL) as unknown as Queue;
  }

  async startWorker(): Promise<SpawnedWorker> {
    const worker = spawnWorker({
      model: MODEL,
      env: {
        ...process.env,
        REDIS_URL: this.redisServer.url,
        HOURGLASS_PREFIX: this.prefix,
        DATA_ROOT: this.dataRoot,
        MODELS_DIR: this.modelsDir,
        WORKERS_PER_HOST: String(this.options.workers),
        LOCK_DURATION_MS: String(this.options.lockMs),
        STALLED_INTERVAL_MS: String(this.options.stalledMs),
        SHUTDOWN_GRACE_MS: String(this.options.graceMs),
        LOG_LEVEL: 'warn',
      },
      onLog: (record) => {
        if (Number(record.level) >= 40) {
          const key = `${String(record.msg)}${record.err ? `: ${String(record.err).replace(/:\d+$/, '')}` : ''}`;
          this.workerWarnings.set(key, (this.workerWarnings.get(key) ?? 0) + 1);
        }
      },
    });
    this.workers.push(worker);
    await worker.ready;
    return worker;
  }

  live(): SpawnedWorker[] {
    return this.workers.filter((w) => w.child.exitCode === null && w.child.signalCode === null);
  }

  async stopWorkers(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.stop('SIGKILL')));
    this.workers = [];
  }

  /** `count` references to three real JPEGs, one per colour; the expected label of i is COLOUR_LABELS[i % 3]. */
  async images(count: number): Promise<{ paths: string[]; expected: string[] }> {
    const dir = path.join(this.dataRoot, 'chaos');
    await mkdir(dir, { recursive: true });
    await Promise.all(
      COLOUR_LABELS.map(async (colour, i) =>
        writeFile(path.join(dir, `${i}.jpg`), await renderColourImage(colour, 7 + i, { width: 96, height: 72, noise: 50, disc: false })),
      ),
    );
    return {
      paths: Array.from({ length: count }, (_, i) => `chaos/${i % 3}.jpg`),
      expected: Array.from({ length: count }, (_, i) => COLOUR_LABELS[i % 3]!),
    };
  }

  async submit(paths: string[]): Promise<string> {
    return (await this.client.submitPaths(MODEL, paths)).id;
  }

  /** The batch view, or undefined while the API cannot answer (Redis or API away). */
  async progress(id: string): Promise<BatchProgress | undefined> {
    return this.client.getBatch(id).catch(() => undefined);
  }

  /** The HTTP status GET /v1/batches/:id answers now; 0 when nothing answers. */
  async batchStatus(id: string): Promise<number> {
    return this.client.getBatch(id).then(
      () => 200,
      (error: unknown) => (error instanceof ApiError ? error.status : 0),
    );
  }

  async waitForDone(id: string, done: number, deadline: number): Promise<BatchProgress | undefined> {
    let last: BatchProgress | undefined;
    while (Date.now() < deadline) {
      const view = await this.progress(id);
      if (view) last = view;
      if (view && view.counts.completed + view.counts.failed >= done) return view;
      await sleep(25);
    }
    return last;
  }

  async stop(): Promise<void> {
    await this.stopWorkers();
    await this.stopApi().catch(() => undefined);
    await this.redisServer.stop({ keepDir: true }).catch(() => undefined);
  }
}
