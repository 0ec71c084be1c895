/**
 * `npm run demo`: the whole system on one machine with nothing to configure. Finds or starts Redis,
 * makes sure a model and real images exist, starts the API in this process and worker processes
 * beside it, submits a batch over REST, follows its progress, and prints the results and the Bull
 * Board URL.
 */
import { randomBytes } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import path from 'node:path';
import { createLogger, createRedis, loadModel, parseEnv, apiEnvSchema, realDataRoot, writeModel, type ResultRow } from '@hourglass/core';
import { buildColourNet, freePort } from '@hourglass/core/testing';
import { createApp } from '@hourglass/api';
import { spawnWorker, type SpawnedWorker } from '@hourglass/worker';
import { HourglassClient, ProgressLine, renderTable } from '@hourglass/cli';
import { harnessEnv } from '../env.js';
import { ensureDemoImages } from './images.js';
import { findOrStartRedis } from '../local-system/redis.js';
import { runTransferDemo } from './transfer.js';

export interface DemoOptions {
  images: number;
  workers: number;
  keep: boolean;
  /** Also fine-tune the bundled MobileNetV2 on the demo images and classify with it. */
  transfer: boolean;
}

export const DEMO_MODEL = 'colours';

/** Where the demo keeps its models and images: MODELS_DIR and DATA_ROOT (env.ts: ./models and ./data unless set). */
export function demoPaths(env: NodeJS.ProcessEnv): { modelsDir: string; dataRoot: string } {
  const { MODELS_DIR, DATA_ROOT } = harnessEnv(env);
  return { modelsDir: MODELS_DIR, dataRoot: DATA_ROOT };
}

export async function ensureColourModel(modelsDir: string): Promise<void> {
  const exists = await loadModel(modelsDir, DEMO_MODEL).then(
    () => true,
    () => false,
  );
  if (exists) return;
  const { manifest, onnx } = buildColourNet({ name: DEMO_MODEL, size: 64, channels: 16 });
  await writeModel(modelsDir, manifest, onnx);
}

async function portFor(env: NodeJS.ProcessEnv): Promise<number> {
  const { PORT } = harnessEnv(env);
  if (PORT !== undefined) return PORT;
  // 3000 when free, so the printed URL is the familiar one; otherwise any free port.
  const probe = await import('node:net').then(
    (net) =>
      new Promise<boolean>((resolve) => {
        const s = net
          .createServer()
          .once('error', () => resolve(false))
          .listen(3000, () => s.close(() => resolve(true)));
      }),
  );
  return probe ? 3000 : freePort();
}

export async function runDemo(options: DemoOptions, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const out = (line = ''): boolean => process.stdout.write(`${line}\n`);
  const log = createLogger('demo', harnessEnv(env).LOG_LEVEL);
  const { modelsDir, dataRoot } = demoPaths(env);
  await mkdir(dataRoot, { recursive: true });

  out("hourglass demo: measure N images instead of multiplying one image's latency by N");
  const redisInfo = await findOrStartRedis(env);
  out(`  redis     ${redisInfo.url} (${redisInfo.origin})`);
  await ensureColourModel(modelsDir);
  const images = await ensureDemoImages(dataRoot, options.images);
  out(`  model     ${DEMO_MODEL} (generated CNN; labels an image by its dominant colour) in ${modelsDir}`);
  out(`  images    ${images.length} real JPEG/PNG files, 500x375, in ${path.join(dataRoot, 'demo')}`);

  // A tenant key for the batch, an admin key for Bull Board (tenant keys get 403 there).
  const apiKey = `hg_${randomBytes(16).toString('hex')}`;
  const adminKey = `hg_admin_${randomBytes(16).toString('hex')}`;
  const config = parseEnv(apiEnvSchema, {
    ...env,
    REDIS_URL: redisInfo.url,
    DATA_ROOT: dataRoot,
    MODELS_DIR: modelsDir,
    HOURGLASS_API_KEYS: apiKey,
    HOURGLASS_ADMIN_KEYS: adminKey,
    HOURGLASS_AUTH: 'on',
    PORT: String(await portFor(env)),
  });
  const redis = createRedis(config.REDIS_URL, 'client');
  const api = createApp({ config, redis, dataRoot: await realDataRoot(dataRoot), log });
  const server = await new Promise<Server>((resolve) => {
    const s = api.app.listen(config.PORT, '127.0.0.1', () => resolve(s));
  });
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  out(`  api       ${base}   (API key: ${apiKey}; admin key: ${adminKey})`);

  const workerEnv = {
    ...env,
    REDIS_URL: redisInfo.url,
    DATA_ROOT: dataRoot,
    MODELS_DIR: modelsDir,
    WORKERS_PER_HOST: String(options.workers),
    LOG_LEVEL: harnessEnv(env).LOG_LEVEL,
  };
  const workers: SpawnedWorker[] = [];
  for (let i = 0; i < options.workers; i++) {
    workers.push(
      spawnWorker({
        model: DEMO_MODEL,
        env: workerEnv,
        onLog: (record, line) => (Number(record.level) >= 40 ? process.stderr.write(`  worker: ${line}\n`) : undefined),
      }),
    );
  }
  let exitCode = 0;
  try {
    await Promise.all(workers.map((w) => w.ready));
    out(`  workers   ${workers.length} process(es) serving queue classify-${DEMO_MODEL}`);
    out();

    const client = new HourglassClient(base, apiKey);
    const t0 = Date.now();
    const submitted = await client.submitPaths(
      DEMO_MODEL,
      images.map((i) => i.path),
    );
    const progress = new ProgressLine(`batch ${submitted.id}`, submitted.total);
    const final = await client.follow(submitted.id, (view) => progress.update(view.counts.completed + view.counts.failed, view.counts.failed));
    progress.finish();
    const wallMs = Date.now() - t0;
    const rows = await client.results(submitted.id);
    printResults(
      out,
      rows,
      images.map((i) => i.expected),
    );

    const correct = rows.filter((r) => r.label === images[r.index]?.expected).length;
    const failed = rows.filter((r) => r.error).length;
    out();
    out(`${rows.length} results, ${correct} labelled as expected, ${failed} failed`);
    out(
      `drain time ${(wallMs / 1000).toFixed(2)} s for ${final.total} images = ${((final.total / wallMs) * 1000).toFixed(1)} images/s with ${workers.length} worker(s)`,
    );
    const preprocess = median(rows.flatMap((r) => (r.timings ? [r.timings.preprocessMs] : [])));
    out(`median per image: preprocess ${preprocess.toFixed(1)} ms; the blog's method would multiply one image's latency by ${final.total}`);
    if (options.transfer) {
      out();
      const transfer = await runTransferDemo({ client, modelsDir, dataRoot, workerEnv, workers, out }, images);
      // A learned model may mislabel an image; an image without a label is a failure of the system.
      if (transfer.labelled !== transfer.total) exitCode = 1;
    }
    out();
    out(`Bull Board: ${base}/admin/queues  (browser: user anything, password = the admin key ${adminKey})`);
    out(`Results:    curl -H 'Authorization: Bearer ${apiKey}' ${base}/v1/batches/${submitted.id}/results`);
    if (rows.length !== final.total || correct !== final.total) exitCode = 1;

    if (options.keep) {
      out('\nRunning until Ctrl-C (the board and API stay up).');
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
    }
  } finally {
    await Promise.all(workers.map((w) => w.stop('SIGTERM')));
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
    await api.close();
    await redis.quit().catch(() => undefined);
    await redisInfo.server?.stop();
  }
  return exitCode;
}

function median(values: number[]): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function printResults(out: (line?: string) => void, rows: ResultRow[], expected: string[]): void {
  const shown = rows.slice(0, 12);
  out(
    renderTable(
      ['#', 'image', 'label', 'confidence', 'expected', 'preprocess ms', 'batch'],
      shown.map((r) => [
        r.index,
        r.source,
        r.label ?? `ERROR ${r.error?.code}`,
        r.confidence?.toFixed(4) ?? '',
        expected[r.index] ?? '',
        r.timings?.preprocessMs.toFixed(1) ?? '',
        r.timings?.batchSize ?? '',
      ]),
    ),
  );
  if (rows.length > shown.length) out(`... and ${rows.length - shown.length} more rows`);
}
