/** The contract of GET /metrics (routes/metrics.ts). */
import { errorResponse } from './contract/errors.js';
import type { RouteContract } from './contract/openapi-parts.js';

export const metricsContract: RouteContract = {
  paths: {
    '/metrics': {
      get: {
        operationId: 'metrics',
        tags: ['operations'],
        summary: 'Prometheus metrics (text exposition format)',
        description:
          'Open unless METRICS_TOKEN is set; then send `Authorization: Bearer <METRICS_TOKEN>`. Aggregates only: model names, job states, route templates, timings.',
        security: [{}, { metricsToken: [] }],
        responses: {
          200: {
            description: 'Metrics',
            content: {
              'text/plain': {
                schema: { type: 'string' },
                example: '# TYPE hourglass_queue_jobs gauge\nhourglass_queue_jobs{model="mobilenet-v2",state="waiting"} 1200\n',
              },
            },
          },
          401: errorResponse('METRICS_TOKEN is set and was not sent', 'UNAUTHORIZED', 'send Authorization: Bearer <METRICS_TOKEN>'),
        },
      },
    },
  },
};
