/** GET /healthz (open, no key): 200 when Redis answers, 503 otherwise. */
import { Router, type Request, type Response } from 'express';
import type { ApiContext } from '../context.js';
import { withDeadline } from '../redis-deadline.js';

export function healthRouter(ctx: ApiContext): Router {
  const router = Router();
  router.get('/healthz', async (_req: Request, res: Response) => {
    const redis = await withDeadline(ctx.redis.ping()).then(
      () => 'ok',
      (error: unknown) =>
        (error as { code?: string }).code === 'REDIS_UNAVAILABLE' && String((error as Error).message).includes('within') ? 'timeout' : 'down',
    );
    res.status(redis === 'ok' ? 200 : 503).json({ status: redis === 'ok' ? 'ok' : 'degraded', redis });
  });
  return router;
}
