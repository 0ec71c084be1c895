/** GET /healthz (open, no key): 200 when Redis answers, 503 otherwise. */
import { Router, type Request, type Response } from 'express';
import type { ApiContext } from '../context.js';

export function healthRouter(ctx: ApiContext): Router {
  const router = Router();
  router.get('/healthz', async (_req: Request, res: Response) => {
    const redis = await Promise.race([
      ctx.redis.ping().then(() => 'ok', () => 'down'),
      new Promise<string>((resolve) => setTimeout(() => resolve('timeout'), 1_000).unref()),
    ]);
    res.status(redis === 'ok' ? 200 : 503).json({ status: redis === 'ok' ? 'ok' : 'degraded', redis });
  });
  return router;
}
