/** The contract of GET /healthz (routes/health.ts). */
import { z } from 'zod';
import { json, ref, type RouteContract } from './contract/openapi-parts.js';

export const healthSchema = z.object({ status: z.enum(['ok', 'degraded']), redis: z.string() });

export const healthContract: RouteContract = {
  responses: {
    Health: { schema: healthSchema },
  },
  paths: {
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
  },
};
