/**
 * `npm run chaos -- --images 10000`: the fault tests of test/integration/reliability at a larger
 * size, against real processes, with a report. One private redis-server (appendonly yes,
 * appendfsync everysec), the API in this process, worker processes beside it, and one fresh batch
 * of N images per scenario:
 *
 *   kill     SIGKILL a worker at K random moments, start a replacement each time
 *   redis    stop Redis mid-batch (SIGTERM, AOF kept), restart it on the same port and folder
 *   api      close the API mid-batch and build a new one on the same Redis and port
 *   sigterm  SIGTERM every worker mid-batch (drain within the grace period), then start new ones
 *
 * Each batch is then audited from its stored results: every index exactly once (lost = indices
 * without a row, duplicates = rows beyond one per index), failures, wrong labels. Exit code 0
 * only when nothing was lost, duplicated or failed.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { Queue } from 'bullmq';
import {
  COLOUR_LABELS,
  apiEnvSchema,
  buildColourNet,
  createLogger,
  createRedis,
  freePort,
  parseEnv,
  realDataRoot,
  startRedisServer,
  writeModel,
  type ApiConfig,
  type Redis,
  type RedisServerHandle,
} from '@hourglass/core';
import { createApp, type ApiApp } from '@hourglass/api';
import { spawnWorker, type SpawnedWorker } from '@hourglass/worker';
import { renderTable } from './table.js';
import { renderColourImage } from './demo-images.js';

export const CHAOS_USAGE = `  chaos [--images N] [--workers W] [--kills K] [--lock-ms MS] [--stalled-ms MS]
        [--only kill,redis,api,sigterm] [--out report.json]      fault injection at scale, with a report
`;

const MODEL = 'colours';
const SCENARIOS = ['kill', 'redis', 'api', 'sigterm'] as const;
type ScenarioName = (typeof SCENARIOS)[number];

export interface ChaosOptions {
  images: number;
  workers: number;
  kills: number;
  /** BullMQ lock and stalled-check interval for the workers (production defaults unless given). */
  lockMs: number;
  stalledMs: number;
  graceMs: number;
  only: ScenarioName[];
  out?: string;
}

export interface Audit {
  total: number;
  rows: number;
  lost: number;
  duplicates: number;
  failed: number;
  wrongLabels: number;
}

export interface ScenarioReport {
  scenario: ScenarioName;
  audit: Audit;
  wallMs: number;
  /** Set when the batch did not finish within the scenario's deadline. */
  incomplete?: string;
  kills?: Array<{ atDone: number; inFlightJobs: number; recoveryMs: number }>;
  redis?: { atDone: number; downMs: number; apiBackAfterMs: number; resumedAfterMs: number; apiAnswered503WhileDown: boolean; workersAlive: boolean };
  api?: { imagesFinishedWhileRestarting: number; queryableAfter: boolean };
  sigterm?: { exitCodes: Array<number | string>; drainMs: number; activeAfter: number };
}

export interface ChaosReport {
  startedAt: string;
  host: { cpus: number; platform: string };
  options: Omit<ChaosOptions, 'out'>;
  scenarios: ScenarioReport[];
  totals: { images: number; lost: number; duplicates: number; failed: number; killsSurvived: number };
  pass: boolean;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

interface BatchProgress {
  status: string;
  total: number;
  counts: { queued: number; active: number; completed: number; failed: number };
}

/** The system under test: private Redis, in-process API (restartable), worker processes. */
class ChaosSystem {
  readonly apiKey = `chaos_${randomBytes(12).toString('hex')}`;
  readonly prefix = `chaos${randomBytes(4).toString('hex')}`;
  workers: SpawnedWorker[] = [];
  redisServer!: RedisServerHandle;
  baseUrl = '';
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

  constructor(private readonly root: string, private readonly options: ChaosOptions) {}

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

  async stopRedis(): Promise<void> {
    await this.redisServer.stop({ keepDir: true });
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

  async request(pathname: string, init: RequestInit = {}): Promise<Response> {
    return fetch(`${this.baseUrl}${pathname}`, { ...init, headers: { authorization: `Bearer ${this.apiKey}`, ...(init.headers as Record<string, string>) } });
  }

  async submit(paths: string[]): Promise<string> {
    const response = await this.request('/v1/batches', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: MODEL, images: paths.map((p) => ({ path: p })) }),
    });
    if (response.status !== 202) throw new Error(`submit failed: HTTP ${response.status} ${await response.text()}`);
    return ((await response.json()) as { id: string }).id;
  }

  /** The batch view, or undefined while the API cannot answer (Redis or API away). */
  async progress(id: string): Promise<BatchProgress | undefined> {
    try {
      const response = await this.request(`/v1/batches/${id}`);
      return response.status === 200 ? ((await response.json()) as BatchProgress) : undefined;
    } catch {
      return undefined;
    }
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

  async audit(id: string, expected: readonly string[]): Promise<Audit> {
    let text = '';
    for (let attempt = 0; attempt < 20; attempt++) {
      const response = await this.request(`/v1/batches/${id}/results`).catch(() => undefined);
      if (response?.status === 200) {
        text = await response.text();
        break;
      }
      await sleep(500);
    }
    const rows = text.split('\n').filter(Boolean).map((line) => JSON.parse(line) as { index: number; label?: string; error?: unknown });
    const seen = new Map<number, number>();
    for (const row of rows) seen.set(row.index, (seen.get(row.index) ?? 0) + 1);
    let lost = 0;
    for (let i = 0; i < expected.length; i++) if (!seen.has(i)) lost++;
    return {
      total: expected.length,
      rows: rows.length,
      lost,
      duplicates: [...seen.values()].reduce((sum, n) => sum + n - 1, 0),
      failed: rows.filter((r) => r.error).length,
      wrongLabels: rows.filter((r) => !r.error && r.label !== expected[r.index]).length,
    };
  }

  async stop(): Promise<void> {
    await this.stopWorkers();
    await this.stopApi().catch(() => undefined);
    await this.redisServer.stop({ keepDir: true }).catch(() => undefined);
  }
}

/**
 * From a kill until every job that was active right after it (the dead worker's, whose locks are
 * expiring, and the survivors') has been completed by someone.
 */
async function trackRecovery(queue: Queue, killedAt: number, timeoutMs: number): Promise<{ jobs: number; ms: number }> {
  const ids = (await queue.getActive()).map((job) => job.id!);
  let pending = ids;
  while (pending.length > 0 && Date.now() - killedAt < timeoutMs) {
    const states = await Promise.all(pending.map((id) => queue.getJobState(id).catch(() => 'error')));
    pending = pending.filter((_, i) => !['completed', 'failed', 'unknown'].includes(states[i]!));
    if (pending.length > 0) await sleep(50);
  }
  return { jobs: ids.length, ms: pending.length === 0 ? Date.now() - killedAt : Number.NaN };
}

/** How long a scenario may take before it is reported incomplete. */
function deadlineFor(options: ChaosOptions): number {
  return Date.now() + Math.max(180_000, options.images * 30 + options.kills * (options.lockMs + 2 * options.stalledMs + 10_000));
}

async function finish(system: ChaosSystem, scenario: ScenarioName, id: string, expected: string[], t0: number, deadline: number): Promise<ScenarioReport> {
  const view = await system.waitForDone(id, expected.length, deadline);
  const done = view ? view.counts.completed + view.counts.failed : 0;
  const report: ScenarioReport = { scenario, audit: await system.audit(id, expected), wallMs: Date.now() - t0 };
  if (done < expected.length) report.incomplete = `${done}/${expected.length} images finished when the deadline passed`;
  return report;
}

async function killScenario(system: ChaosSystem, options: ChaosOptions, paths: string[], expected: string[]): Promise<ScenarioReport> {
  const deadline = deadlineFor(options);
  await Promise.all(Array.from({ length: options.workers }, () => system.startWorker()));
  const t0 = Date.now();
  const id = await system.submit(paths);
  // K random moments, one in each of K equal slices of the first 80 % of the batch.
  const slice = 0.75 / Math.max(1, options.kills);
  const moments = Array.from({ length: options.kills }, (_, k) => Math.floor(options.images * (0.05 + k * slice + Math.random() * slice)));
  const kills: Array<{ atDone: number; recovery: Promise<{ jobs: number; ms: number }> }> = [];
  for (const moment of moments) {
    const view = await system.waitForDone(id, moment, deadline);
    const live = system.live();
    const victim = live[Math.floor(Math.random() * live.length)];
    if (!victim) break;
    const at = Date.now();
    victim.child.kill('SIGKILL');
    await victim.exited;
    kills.push({ atDone: view ? view.counts.completed + view.counts.failed : 0, recovery: trackRecovery(system.queue(), at, deadline - at) });
    await system.startWorker();
  }
  const report = await finish(system, 'kill', id, expected, t0, deadline);
  report.kills = await Promise.all(kills.map(async (k) => ({ atDone: k.atDone, inFlightJobs: (await k.recovery).jobs, recoveryMs: (await k.recovery).ms })));
  return report;
}

async function redisScenario(system: ChaosSystem, options: ChaosOptions, paths: string[], expected: string[]): Promise<ScenarioReport> {
  const deadline = deadlineFor(options);
  await Promise.all(Array.from({ length: options.workers }, () => system.startWorker()));
  const t0 = Date.now();
  const id = await system.submit(paths);
  const before = await system.waitForDone(id, Math.floor(options.images * (0.2 + Math.random() * 0.3)), deadline);
  const doneBefore = before ? before.counts.completed + before.counts.failed : 0;
  const downAt = Date.now();
  await system.stopRedis();
  const whileDown = await system.request(`/v1/batches/${id}`).then((r) => r.status, () => 0);
  await sleep(3_000);
  await system.startRedis();
  const upAt = Date.now();
  // The API answers again (its connection is back), then a new result is stored (the workers' are).
  let first: BatchProgress | undefined;
  while (!first && Date.now() < deadline) first = (await system.progress(id)) ?? (await sleep(25), undefined);
  const apiBackAfterMs = Date.now() - upAt;
  const firstDone = first ? first.counts.completed + first.counts.failed : doneBefore;
  await system.waitForDone(id, Math.min(options.images, firstDone + 1), deadline);
  const resumedAfterMs = Date.now() - upAt;
  const report = await finish(system, 'redis', id, expected, t0, deadline);
  report.redis = { atDone: doneBefore, downMs: upAt - downAt, apiBackAfterMs, resumedAfterMs, apiAnswered503WhileDown: whileDown === 503, workersAlive: system.workers.every((w) => w.child.exitCode === null) };
  return report;
}

async function apiScenario(system: ChaosSystem, options: ChaosOptions, paths: string[], expected: string[]): Promise<ScenarioReport> {
  const deadline = deadlineFor(options);
  await Promise.all(Array.from({ length: options.workers }, () => system.startWorker()));
  const t0 = Date.now();
  const id = await system.submit(paths);
  const before = await system.waitForDone(id, Math.floor(options.images * (0.2 + Math.random() * 0.3)), deadline);
  await system.restartApi();
  await sleep(500);
  const after = await system.progress(id);
  const report = await finish(system, 'api', id, expected, t0, deadline);
  const done = (v: BatchProgress | undefined): number => (v ? v.counts.completed + v.counts.failed : 0);
  report.api = { imagesFinishedWhileRestarting: done(after) - done(before), queryableAfter: after !== undefined };
  return report;
}

async function sigtermScenario(system: ChaosSystem, options: ChaosOptions, paths: string[], expected: string[]): Promise<ScenarioReport> {
  const deadline = deadlineFor(options);
  await Promise.all(Array.from({ length: options.workers }, () => system.startWorker()));
  const t0 = Date.now();
  const id = await system.submit(paths);
  await system.waitForDone(id, Math.floor(options.images * (0.2 + Math.random() * 0.3)), deadline);
  const stopAt = Date.now();
  const exitCodes = await Promise.all(system.live().map((w) => w.stop('SIGTERM')));
  const drainMs = Date.now() - stopAt;
  const activeAfter = await system.queue().getActiveCount();
  await Promise.all(Array.from({ length: options.workers }, () => system.startWorker()));
  const report = await finish(system, 'sigterm', id, expected, t0, deadline);
  report.sigterm = { exitCodes, drainMs, activeAfter };
  return report;
}

const RUNNERS: Record<ScenarioName, (system: ChaosSystem, options: ChaosOptions, paths: string[], expected: string[]) => Promise<ScenarioReport>> = {
  kill: killScenario,
  redis: redisScenario,
  api: apiScenario,
  sigterm: sigtermScenario,
};

function passed(report: ScenarioReport): boolean {
  const a = report.audit;
  const extra =
    (report.sigterm ? report.sigterm.exitCodes.every((c) => c === 0) && report.sigterm.activeAfter === 0 : true) &&
    (report.redis ? report.redis.workersAlive : true) &&
    (report.kills ? report.kills.every((k) => Number.isFinite(k.recoveryMs)) : true);
  return !report.incomplete && a.lost === 0 && a.duplicates === 0 && a.failed === 0 && a.wrongLabels === 0 && a.rows === a.total && extra;
}

function detail(report: ScenarioReport, options: ChaosOptions): string {
  const s = (ms: number): string => (Number.isFinite(ms) ? `${(ms / 1000).toFixed(1)} s` : 'not recovered');
  if (report.kills) return `${report.kills.length} kills survived; recovery ${report.kills.map((k) => s(k.recoveryMs)).join(' / ')} (jobs in flight ${report.kills.map((k) => k.inFlightJobs).join('/')})`;
  if (report.redis) {
    const r = report.redis;
    return `stopped at ${r.atDone} done, down ${s(r.downMs)}; after restart API back in ${s(r.apiBackAfterMs)}, new results in ${s(r.resumedAfterMs)}; API 503 while down: ${r.apiAnswered503WhileDown ? 'yes' : 'no'}; workers alive: ${r.workersAlive ? 'yes' : 'no'}`;
  }
  if (report.api) return `+${report.api.imagesFinishedWhileRestarting} images while the API restarted; queryable after: ${report.api.queryableAfter ? 'yes' : 'no'}`;
  if (report.sigterm) return `exit codes ${report.sigterm.exitCodes.join(',')}; drained in ${s(report.sigterm.drainMs)} (grace ${s(options.graceMs)}); active after ${report.sigterm.activeAfter}`;
  return '';
}

export async function runChaos(options: ChaosOptions, out: (line?: string) => void = (line = '') => void process.stdout.write(`${line}\n`)): Promise<ChaosReport> {
  const root = await mkdtemp(path.join(os.tmpdir(), 'hourglass-chaos-'));
  const system = new ChaosSystem(root, options);
  const { out: _file, ...shown } = options;
  const report: ChaosReport = {
    startedAt: new Date().toISOString(),
    host: { cpus: os.availableParallelism(), platform: `${os.platform()} ${os.arch()}` },
    options: shown,
    scenarios: [],
    totals: { images: 0, lost: 0, duplicates: 0, failed: 0, killsSurvived: 0 },
    pass: false,
  };
  out(`hourglass chaos: ${options.images} images per scenario, ${options.workers} workers, lock ${options.lockMs} ms, stalled check every ${options.stalledMs} ms, grace ${options.graceMs} ms`);
  try {
    await system.start();
    out(`  redis ${system.redisServer.url} (appendonly yes, appendfsync everysec), api ${system.baseUrl}`);
    const { paths, expected } = await system.images(options.images);
    for (const name of options.only) {
      out(`  running ${name} ...`);
      const scenario = await RUNNERS[name](system, options, paths, expected);
      report.scenarios.push(scenario);
      out(`    ${passed(scenario) ? 'ok' : 'FAILED'}: ${detail(scenario, options)}${scenario.incomplete ? ` — ${scenario.incomplete}` : ''}`);
      await system.stopWorkers();
    }
  } finally {
    await system.stop();
    await rm(root, { recursive: true, force: true });
  }
  for (const s of report.scenarios) {
    report.totals.images += s.audit.total;
    report.totals.lost += s.audit.lost;
    report.totals.duplicates += s.audit.duplicates;
    report.totals.failed += s.audit.failed;
    report.totals.killsSurvived += s.kills?.filter((k) => Number.isFinite(k.recoveryMs)).length ?? 0;
  }
  report.pass = report.scenarios.length === options.only.length && report.scenarios.every(passed);

  out();
  out(
    renderTable(
      ['scenario', 'images', 'results', 'lost', 'duplicates', 'failed', 'wall s', 'detail'],
      report.scenarios.map((s) => [s.scenario, s.audit.total, s.audit.rows, s.audit.lost, s.audit.duplicates, s.audit.failed, (s.wallMs / 1000).toFixed(1), detail(s, options)]),
    ),
  );
  if (system.workerWarnings.size > 0) {
    out();
    out('worker warnings (expected during Redis outages and kills):');
    for (const [message, count] of [...system.workerWarnings].sort((a, b) => b[1] - a[1]).slice(0, 8)) out(`  ${count} × ${message}`);
  }
  out();
  out(
    `${report.pass ? 'PASS' : 'FAIL'}: ${report.totals.images} images, ${report.totals.lost} lost, ${report.totals.duplicates} duplicates, ${report.totals.failed} failed; ${report.totals.killsSurvived} worker kills survived`,
  );
  if (options.out) {
    await writeFile(options.out, `${JSON.stringify(report, null, 2)}\n`);
    out(`report written to ${options.out}`);
  }
  return report;
}

function positive(name: string, value: string | undefined, fallback: number): number {
  const n = value === undefined ? fallback : Number(value);
  if (!Number.isInteger(n) || n < 0) throw new Error(`--${name} must be a non-negative integer`);
  return n;
}

/** `hourglass chaos ...`: 0 when every scenario lost, duplicated and failed nothing; 1 otherwise; 2 usage. */
export async function chaosCommand(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      images: { type: 'string' },
      workers: { type: 'string' },
      kills: { type: 'string' },
      'lock-ms': { type: 'string' },
      'stalled-ms': { type: 'string' },
      'grace-ms': { type: 'string' },
      only: { type: 'string' },
      out: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(`usage: hourglass chaos [options]
  --images N        images per scenario (default 10000)
  --workers W       worker processes (default 2)
  --kills K         SIGKILLs in the kill scenario (default 3)
  --lock-ms MS      worker LOCK_DURATION_MS (default: LOCK_DURATION_MS or the production default 15000)
  --stalled-ms MS   worker STALLED_INTERVAL_MS (default: STALLED_INTERVAL_MS or 5000)
  --grace-ms MS     worker SHUTDOWN_GRACE_MS (default 30000)
  --only LIST       scenarios to run, from ${SCENARIOS.join(',')} (default all)
  --out FILE        also write the report as JSON
`);
    return 0;
  }
  const only = (values.only ?? SCENARIOS.join(',')).split(',').map((s) => s.trim()).filter(Boolean);
  const unknown = only.filter((s) => !(SCENARIOS as readonly string[]).includes(s));
  if (unknown.length > 0) {
    process.stderr.write(`unknown scenario(s): ${unknown.join(', ')}; choose from ${SCENARIOS.join(', ')}\n`);
    return 2;
  }
  let options: ChaosOptions;
  try {
    options = {
      images: Math.max(1, positive('images', values.images, 10_000)),
      workers: Math.max(1, positive('workers', values.workers, 2)),
      kills: positive('kills', values.kills, 3),
      lockMs: Math.max(1, positive('lock-ms', values['lock-ms'] ?? env.LOCK_DURATION_MS, 15_000)),
      stalledMs: Math.max(1, positive('stalled-ms', values['stalled-ms'] ?? env.STALLED_INTERVAL_MS, 5_000)),
      graceMs: positive('grace-ms', values['grace-ms'], 30_000),
      only: only as ScenarioName[],
      ...(values.out ? { out: path.resolve(values.out) } : {}),
    };
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n`);
    return 2;
  }
  const report = await runChaos(options);
  return report.pass ? 0 : 1;
}
