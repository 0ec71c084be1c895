/**
 * The worker's /metrics, served on WORKER_HTTP_PORT beside /healthz through the health server's
 * extra-route hook. Same access rule as the API: open unless METRICS_TOKEN is set.
 */
import type http from 'node:http';
import { WorkerMetrics, createMetricsRegistry, metricsAccessAllowed } from '@hourglass/core';
import type { ExtraRoute } from './health-server.js';

export function createWorkerMetrics(): WorkerMetrics {
  return new WorkerMetrics(createMetricsRegistry());
}

export function metricsRoute(metrics: WorkerMetrics, token: string | undefined): ExtraRoute {
  return async (req: http.IncomingMessage, res: http.ServerResponse) => {
    const pathname = (req.url ?? '').split('?')[0];
    if (pathname !== '/metrics') return false;
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { code: 'BAD_REQUEST', message: 'use GET /metrics' } }));
      return true;
    }
    if (!metricsAccessAllowed(token, req.headers.authorization)) {
      res.writeHead(401, { 'content-type': 'application/json', 'www-authenticate': 'Bearer realm="metrics"' });
      res.end(JSON.stringify({ error: { code: 'UNAUTHORIZED', message: 'send Authorization: Bearer <METRICS_TOKEN>' } }));
      return true;
    }
    const body = await metrics.registry.metrics();
    res.writeHead(200, { 'content-type': metrics.registry.contentType, 'cache-control': 'no-store' });
    res.end(req.method === 'HEAD' ? undefined : body);
    return true;
  };
}
