/**
 * GET /metrics: Prometheus text format. Open by default (Prometheus scrapes without a key) and it
 * serves aggregates only: model names, job states, route templates, timings, process figures; no
 * batch ids, file names or key owners. With METRICS_TOKEN set it wants `Bearer <METRICS_TOKEN>`.
 */
import { Router, type NextFunction, type Request, type Response } from 'express';
import { ApiMetrics, AppError, BULLMQ_COUNT_TYPES, createMetricsRegistry, listLiveWorkers, metricsAccessAllowed } from '@hourglass/core';
import type { ApiContext } from '../context.js';
import { withDeadline } from '../redis-deadline.js';

export const METRICS_PATH = '/metrics';

export function createApiMetrics(ctx: ApiContext): ApiMetrics {
  return new ApiMetrics(createMetricsRegistry(), {
    models: async () => [...(await ctx.models.snapshot()).models.keys()].sort(),
    // Bounded: a scrape while Redis is away answers in about a second with the last values.
    queueCounts: (model) => withDeadline(ctx.queues.get(model).getJobCounts(...BULLMQ_COUNT_TYPES)),
    liveWorkers: () => withDeadline(listLiveWorkers(ctx.redis, ctx.keys)),
  });
}

/** Counts every request by method, route template (never the raw URL) and status. */
export function httpMetrics(metrics: ApiMetrics) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      // Express types req.route as any: it is the matched route, with the template as path.
      const matched = req.route as { path?: unknown } | undefined;
      const template = matched?.path !== undefined ? `${req.baseUrl}${String(matched.path)}` : undefined;
      const route = template === undefined ? 'unmatched' : template.length > 1 ? template.replace(/\/$/, '') : template;
      const method = req.method;
      metrics.httpRequests.inc({ method, route, status: String(res.statusCode) });
      if (!String(res.getHeader('content-type') ?? '').startsWith('text/event-stream')) {
        metrics.httpDuration.observe({ method, route }, Number(process.hrtime.bigint() - started) / 1e9);
      }
    });
    next();
  };
}

export function metricsRouter(metrics: ApiMetrics, token: string | undefined): Router {
  const router = Router();
  router.get(METRICS_PATH, async (req: Request, res: Response) => {
    if (!metricsAccessAllowed(token, req.get('authorization'))) {
      res.set('WWW-Authenticate', 'Bearer realm="metrics"');
      throw new AppError('UNAUTHORIZED', 'send Authorization: Bearer <METRICS_TOKEN>');
    }
    res.set('Cache-Control', 'no-store');
    res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });
  return router;
}
