/**
 * Builds the Express app from a context; main.ts owns config, listening and shutdown. Routes:
 * /healthz (open), /v1/* and /admin/queues (API key), errors as { error: { code, message } }.
 */
import express, { type Express } from 'express';
import type { ApiConfig, Logger, Redis } from '@hourglass/core';
import { createContext, type ApiContext } from './context.js';
import { requireApiKey } from './middleware/auth.js';
import { errorHandler, notFound } from './middleware/errors.js';
import { noStore, securityHeaders } from './middleware/security.js';
import { batchesRouter } from './routes/batches.js';
import { modelsRouter } from './routes/models.js';
import { healthRouter } from './routes/health.js';
import { BOARD_PATH, createBoard } from './board.js';

export interface ApiApp {
  app: Express;
  context: ApiContext;
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

  app.use(healthRouter(ctx));

  const v1 = express.Router();
  v1.use(noStore);
  v1.use(requireApiKey(options.config.HOURGLASS_API_KEYS, auth));
  v1.use('/batches', batchesRouter(ctx));
  v1.use('/models', modelsRouter(ctx));
  app.use('/v1', v1);

  const board = createBoard(ctx);
  app.use(BOARD_PATH, requireApiKey(options.config.HOURGLASS_API_KEYS, auth, { browserPrompt: true }), board.refresh, board.router);

  app.use(notFound);
  app.use(errorHandler(options.log));

  return {
    app,
    context: ctx,
    close: () => ctx.queues.close(),
  };
}

export { ownerOf } from './middleware/auth.js';
