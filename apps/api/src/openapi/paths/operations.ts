/** Operations endpoints: liveness, Prometheus metrics, and this document. (Bull Board is in paths/admin.ts.) */
import { errorResponse, json, ref, type PathItems } from '../responses.js';

export function operationsPaths(): PathItems {
  return {
    '/healthz': {
      get: {
        operationId: 'health',
        tags: ['operations'],
        summary: 'Liveness: 200 when Redis answers',
        security: [],
        responses: {
          200: { description: 'Healthy', content: json(ref('Health'), { ok: { status: 'ok', redis: 'ok' } }) },
          503: { description: 'Redis does not answer', content: json(ref('Health'), { down: { status: 'degraded', redis: 'timeout' } }) },
        },
      },
    },
    '/metrics': {
      get: {
        operationId: 'metrics',
        tags: ['operations'],
        summary: 'Prometheus metrics (text exposition format)',
        description: 'Open unless METRICS_TOKEN is set; then send `Authorization: Bearer <METRICS_TOKEN>`. Aggregates only: model names, job states, route templates, timings.',
        security: [{}, { metricsToken: [] }],
        responses: {
          200: {
            description: 'Metrics',
            content: { 'text/plain': { schema: { type: 'string' }, example: '# TYPE hourglass_queue_jobs gauge\nhourglass_queue_jobs{model="mobilenet-v2",state="waiting"} 1200\n' } },
          },
          401: errorResponse('METRICS_TOKEN is set and was not sent', 'UNAUTHORIZED', 'send Authorization: Bearer <METRICS_TOKEN>'),
        },
      },
    },
    '/openapi.json': {
      get: {
        operationId: 'openapi',
        tags: ['operations'],
        summary: 'This document',
        security: [],
        responses: { 200: { description: 'OpenAPI 3.1', content: { 'application/json': { schema: { type: 'object' } } } } },
      },
    },
  };
}
