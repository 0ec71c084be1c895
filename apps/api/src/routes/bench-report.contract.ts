/** The contract of /v1/bench (routes/bench-report.ts): the latest benchmark report and its charts. */
import { z } from 'zod';
import { errorResponse, errors } from './contract/errors.js';
import { isoTime, json, ref, type RouteContract } from './contract/openapi-parts.js';
import type { BenchReport } from './bench-report.js';

export const benchReportSchema = z.object({
  markdown: z.string().nullable(),
  updatedAt: isoTime.nullable(),
  charts: z.array(z.object({ name: z.string(), url: z.string(), bytes: z.number().int().nonnegative() })),
});

// Compile-time drift check: the route's answer must fit its schema.
export const benchReportSchemaCheck: BenchReport extends z.infer<typeof benchReportSchema> ? true : never = true;

export const benchReportContract: RouteContract = {
  responses: {
    BenchReport: { schema: benchReportSchema },
  },
  paths: {
    '/v1/bench/report': {
      get: {
        operationId: 'benchReport',
        tags: ['bench'],
        summary: 'The latest benchmark report in BENCH_REPORT_DIR (RESULTS.md and SVG charts), read-only',
        responses: {
          200: {
            description: 'The report (fields null / empty when no benchmark has run)',
            content: json(ref('BenchReport'), {
              none: { markdown: null, updatedAt: null, charts: [] },
              report: {
                markdown: '# Results\n\n| images | workers | drain s |\n|---|---|---|\n| 10000 | 2 | 71.3 |\n',
                updatedAt: '2025-11-26T04:00:00.000Z',
                charts: [{ name: 'drain.svg', url: '/v1/bench/charts/drain.svg', bytes: 5120 }],
              },
            }),
          },
          401: errors[401],
        },
      },
    },
    '/v1/bench/charts/{name}': {
      get: {
        operationId: 'benchChart',
        tags: ['bench'],
        summary: 'One SVG chart of the benchmark report',
        parameters: [{ name: 'name', in: 'path', required: true, schema: { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,127}\\.svg$' } }],
        responses: {
          200: { description: 'The chart', content: { 'image/svg+xml': { schema: { type: 'string' } } } },
          401: errors[401],
          404: errorResponse('No such chart', 'NOT_FOUND', 'no chart named drain.svg'),
        },
      },
    },
  },
};
