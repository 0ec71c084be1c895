/**
 * Worker process entry: `npm run worker -- --model NAME` (or MODEL=NAME). Parses config once,
 * builds the worker, and on SIGTERM/SIGINT drains in-flight jobs within SHUTDOWN_GRACE_MS.
 */
// First: onnxruntime's telemetry opt-out must be in the environment before the runtime loads.
import './telemetry-opt-out.js';
import { createLogger, describeError, loadWorkerConfig, preprocessConcurrencyOf } from '@hourglass/core';
import { createWorkerApp } from './app.js';
import { modelFromArgs } from './cli-args.js';
import { serveWorker } from './serve.js';

const log = createLogger('worker');

async function main(): Promise<void> {
  const config = loadWorkerConfig();
  // sharp decodes on libuv's thread pool, 4 threads unless told otherwise, read once at its first
  // use (none yet): give it one thread per decode in flight, or a GPU worker decodes only 4 at once.
  const decodes = preprocessConcurrencyOf(config);
  if (!process.env.UV_THREADPOOL_SIZE && decodes > 4) process.env.UV_THREADPOOL_SIZE = String(Math.min(decodes, 1024));
  const model = modelFromArgs(process.argv.slice(2), process.env);
  if (!model) {
    log.fatal('no model: run `npm run worker -- --model NAME` or set MODEL');
    process.exit(2);
  }
  await serveWorker(config, log, () => createWorkerApp(config, model, log));
}

main().catch((error: unknown) => {
  log.fatal({ err: describeError(error), code: (error as { code?: string }).code }, 'worker failed to start');
  process.exit(1);
});
