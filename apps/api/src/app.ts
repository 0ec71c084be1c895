/**
 * Builds the Express app from a context; main.ts owns config, listening and shutdown. Routes:
 * /healthz (open), /v1/* (tenant or admin key) and /admin/queues (admin key), errors as { error: { code, message } }.
 */
import express, { type Express } from 'express';
import type { ApiConfig, ApiMetrics, Logger, Redis } from '@hourglass/core';
import { createContext, type ApiContext } from './context.js';
import { requireAdmin, requireApiKey } from './middleware/auth.js';
import { boardWriteGuard } from './middleware/board-guard.js';
import { authFailureLimiter } from './middleware/auth-failures.js';
import { bodyIdleTimeout, rejectEmptyJson } from './middleware/body-checks.js';
import { errorHandler, notFound } from './middleware/errors.js';
import { pathScrubber } from './middleware/scrub-paths.js';
import { noStore, securityHeaders } from './middleware/security.js';
import { rateLimitPerKey } from './middleware/rate-limit.js';
import { requireRedis } from './middleware/redis-ready.js';
import { batchesRouter } from './routes/batches.js';
import { modelsRouter } from './routes/models.js';
import { datasetsRouter } from './routes/datasets.js';
import { trainRouter } from './routes/train.js';
import { createTrainQueues } from './train-queues.js';
import { healthRouter } from './routes/health.js';
import { BOARD_PATH, createBoard } from './board.js';
import { createApiMetrics, httpMetrics, metricsRouter } from './routes/metrics.js';
import { openapiRouter } from './routes/openapi.js';
import { uiRouter } from './routes/ui.js';
import { batchImagesRouter } from './routes/batch-images.js';
import { benchReportRouter } from './routes/bench-report.js';
import { startJobSweep, type JobSweep } from './job-sweep.js';
import { startBlobSweep, type BlobSweep } from './blob-sweep.js';
import { buildOpenApiDocument } from './openapi/document.js';
import { boardContract } from './board.contract.js';
import { batchImagesContract } from './routes/batch-images.contract.js';
import { batchesContract } from './routes/batches.contract.js';
import { benchReportContract } from './routes/bench-report.contract.js';
import { datasetsContract } from './routes/datasets.contract.js';
import { healthContract } from './routes/health.contract.js';
import { metricsContract } from './routes/metrics.contract.js';
import { modelsContract } from './routes/models.contract.js';
import { openapiContract } from './routes/openapi.contract.js';
import { trainContract } from './routes/train.contract.js';
import { uiContract } from './routes/ui.contract.js';

/**
 * What GET /openapi.json documents: the contract of every router mounted below, in the order of the
 * document's `paths`. test/integration/api/openapi.test.ts fails on a mounted route no contract here
 * documents (and on a documented one nothing serves).
 */
const API_CONTRACTS = [
  healthContract,
  metricsContract,
  openapiContract,
  uiContract,
  batchesContract,
  batchImagesContract,
  modelsContract,
  datasetsContract,
  trainContract,
  benchReportContract,
  boardContract,
];

export interface ApiApp {
  app: Express;
  context: ApiContext;
  /** This app's Prometheus registry and metrics (served at GET /metrics). */
  metrics: ApiMetrics;
  /** Gives images of removed queue jobs their JOB_REMOVED rows (runs on a timer; sweep() runs one now). */
  jobSweep: JobSweep;
  /** Reclaims uploaded blobs no live batch refers to (runs on a timer; sweep() runs one now). */
  blobSweep: BlobSweep;
  /** Closes the queues this app opened (not Redis: the caller owns it). */
  close(): Promise<void>;
}

export function createApp(options: { config: ApiConfig; redis: Redis; dataRoot: string; log: Logger }): ApiApp {
  const ctx = createContext(options.config, options.redis, options.dataRoot, options.log);
  const auth = options.config.HOURGLASS_AUTH === 'on';
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', false);
  app.use(securityHeaders);
  app.use(bodyIdleTimeout(options.config.REQUEST_BODY_TIMEOUT_MS));
  const metrics = createApiMetrics(ctx);
  app.use(httpMetrics(metrics));

  app.use(healthRouter(ctx));
  // Open: Prometheus, the API description, and the results page (which asks for a key itself).
  app.use(metricsRouter(metrics, options.config.METRICS_TOKEN));
  app.use(openapiRouter(buildOpenApiDocument(API_CONTRACTS)));
  app.use(uiRouter());

  // After the key check: Redis briefly away -> fast 503; then the per-key request budget.
  const redisReady = requireRedis(options.redis);
  const rateLimit = rateLimitPerKey({ redis: options.redis, keys: ctx.keys, limitPerMinute: options.config.RATE_LIMIT_PER_MINUTE, log: options.log });

  const keyRing = { tenant: options.config.HOURGLASS_API_KEYS, admin: options.config.HOURGLASS_ADMIN_KEYS };
  const authFailures = authFailureLimiter(options.config.AUTH_FAILURES_PER_MINUTE);
  const v1 = express.Router();
  v1.use(noStore);
  v1.use(authFailures.gate, requireApiKey(keyRing, auth, { onFailure: authFailures.record }), rejectEmptyJson);
  v1.use(redisReady, rateLimit);
  v1.use('/batches', batchesRouter(ctx));
  v1.use('/batches', batchImagesRouter(ctx));
  v1.use('/bench', benchReportRouter(ctx));
  v1.use('/models', modelsRouter(ctx));
  const trainQueues = createTrainQueues(options.redis, options.config.HOURGLASS_PREFIX, options.config.REDIS_CLUSTER_NODES !== undefined);
  v1.use('/datasets', datasetsRouter(ctx));
  v1.use('/train', trainRouter(ctx, trainQueues));
  app.use('/v1', v1);

  const board = createBoard(ctx);
  // Admin keys only (a tenant key would see and change every tenant's jobs), and no write that a
  // page on another site could make a browser send.
  app.use(
    BOARD_PATH,
    authFailures.gate,
    requireApiKey(keyRing, auth, { browserPrompt: true, onFailure: authFailures.record }),
    requireAdmin,
    boardWriteGuard,
    redisReady,
    rateLimit,
    board.refresh,
    board.router,
  );

  app.use(notFound);
  app.use(errorHandler(options.log, pathScrubber({ dataRoot: options.dataRoot, modelsDir: options.config.MODELS_DIR })));
  const jobSweep = startJobSweep(ctx, options.config.JOB_SWEEP_INTERVAL_MS);
  const blobSweep = startBlobSweep(ctx, options.config.BLOB_SWEEP_INTERVAL_MS);

  return {
    app,
    context: ctx,
    metrics,
    jobSweep,
    blobSweep,
    close: async () => {
      jobSweep.stop();
      blobSweep.stop();
      await Promise.all([ctx.queues.close(), trainQueues.close()]);
    },
  };
}
