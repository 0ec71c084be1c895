/**
 * Queue-only worker process, for `npm run bench:queue` and `npm run bench:cluster` only: the production worker with the
 * null classifier (no decode, no inference), so a drain measures what the queue, the result store
 * and their Lua scripts cost per image. Same config, same BullMQ options, same result path.
 */
import { createLogger, describeError, loadWorkerConfig } from '@hourglass/core';
import { createWorkerApp } from './app.js';
import { modelFromArgs } from './cli-args.js';
import { openNullClassifier } from './null-classifier.js';
import { serveWorker } from './serve.js';

const log = createLogger('worker');

async function main(): Promise<void> {
  const config = loadWorkerConfig();
  const model = modelFromArgs(process.argv.slice(2), process.env);
  if (!model) {
    log.fatal('no model: pass --model NAME');
    process.exit(2);
  }
  await serveWorker(config, log, () => createWorkerApp(config, model, log, { openClassifier: async (registered) => openNullClassifier(registered) }));
}

main().catch((error: unknown) => {
  log.fatal({ err: describeError(error), code: (error as { code?: string }).code }, 'queue-only worker failed to start');
  process.exit(1);
});
