/**
 * API process entry (`npm run api`): config → Redis → createApp → listen; SIGTERM/SIGINT stop
 * accepting connections, finish open requests, close queues and Redis.
 */
import { mkdir } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { Keys, connectRedis, createLogger, describeError, loadApiConfig, migrateLegacyBatchIndex, realDataRoot, warnUnlessNoEviction } from '@hourglass/core';
import { createApp } from './app.js';

const log = createLogger('api');

async function main(): Promise<void> {
  const config = loadApiConfig();
  if (config.HOURGLASS_AUTH === 'off') log.warn('HOURGLASS_AUTH=off: every endpoint is open to anyone who can reach this port');
  const redis = connectRedis(config, 'client');
  redis.on('error', (error) => log.warn({ err: error.message }, 'redis connection error (retrying)'));
  await warnUnlessNoEviction(redis, log);
  const migrated = await migrateLegacyBatchIndex(redis, new Keys(config.HOURGLASS_PREFIX));
  if (migrated.moved + migrated.dropped > 0) log.info(migrated, 'moved batches from the old shared index to per-caller indices');
  await mkdir(config.DATA_ROOT, { recursive: true });
  const { app, close } = createApp({ config, redis, dataRoot: await realDataRoot(config.DATA_ROOT), log });
  const server = app.listen(config.PORT, config.HOST, () => {
    const { port } = server.address() as AddressInfo;
    log.info({ port, board: `http://localhost:${port}/admin/queues` }, 'api listening');
  });
  // Headers within 10 s; a stalled body is cut after REQUEST_BODY_TIMEOUT_MS of silence (app.ts).
  // The whole request may still take 10 min: a 2 GiB model upload on a slow link is legitimate.
  server.headersTimeout = 10_000;
  server.requestTimeout = 10 * 60_000;

  let stopping = false;
  const shutdown = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down');
    server.close(() => {
      void close()
        .then(() => redis.quit())
        .finally(() => process.exit(0));
    });
    // Server-sent event streams never end by themselves.
    server.closeIdleConnections();
    setTimeout(() => server.closeAllConnections(), 5_000).unref();
    // Closing queues and Redis waits on Redis: during an outage it would never finish.
    setTimeout(() => {
      log.warn('shutdown did not finish in 10 s (Redis unreachable?); exiting anyway');
      process.exit(0);
    }, 10_000).unref();
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

main().catch((error: unknown) => {
  log.fatal({ err: describeError(error), code: (error as { code?: string }).code }, 'api failed to start');
  process.exit(1);
});
