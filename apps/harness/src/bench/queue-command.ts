/**
 * `bench-queue [--images 20000] [--chunks 1,4,16,64,256,auto] [--workers 1,2,4] [--redis-url URL]
 * [--out DIR] [--no-write]`: the queue-only ceiling (queue.ts), printed, and written as
 * bench/results/<date>-<host>-queue-only.{json,md} plus its section of bench/RESULTS.md.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { renderQueueMarkdown, reportBaseName } from '@hourglass/core/bench';
import { parseCount, parseCountList } from '../flags.js';
import { BENCH_DEFAULTS } from './run.js';
import { runQueueBench } from './queue.js';
import { upsertResultsSection } from './results-sections.js';

export const BENCH_QUEUE_USAGE = `  bench-queue [--images 20000] [--chunks 1,4,16,64,256,auto] [--workers 1,2,4] [--redis-url URL] [--out DIR] [--no-write]
                                             queue-only ceiling: img/s and Redis CPU per image, no decode or inference
`;

export function parseChunkList(value: string): Array<number | 'auto'> {
  return value.split(',').map((s) => s.trim()).filter(Boolean).map((s) => {
    if (s === 'auto') return 'auto' as const;
    const n = Number(s);
    if (!Number.isInteger(n) || n < 1 || n > 256) throw new Error(`--chunks: expected 1-256 or auto, got "${s}"`);
    return n;
  });
}

export async function benchQueueCommand(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      images: { type: 'string', default: '20000' },
      chunks: { type: 'string', default: '1,4,16,64,256,auto' },
      workers: { type: 'string', default: '1,2,4' },
      'redis-url': { type: 'string' },
      out: { type: 'string' },
      'no-write': { type: 'boolean', default: false },
    },
  });
  const report = await runQueueBench({
    images: parseCount(values.images, 'images'),
    chunks: parseChunkList(values.chunks!),
    workers: parseCountList(values.workers!, 'workers'),
    ...(values['redis-url'] ? { redisUrl: values['redis-url'] } : {}),
    command: `npm run bench:queue -- ${args.join(' ')}`.trim(),
  }, env);
  const markdown = renderQueueMarkdown(report);
  process.stdout.write(`\n${markdown}`);
  if (values['no-write']) return report.runs.some((r) => r.failures > 0) ? 1 : 0;
  const outDir = values.out ?? BENCH_DEFAULTS.outDir;
  await mkdir(outDir, { recursive: true });
  const base = path.join(outDir, reportBaseName(report, 'queue-only'));
  await writeFile(`${base}.json`, `${JSON.stringify(report, null, 2)}\n`);
  await writeFile(`${base}.md`, `# Queue-only ceiling, ${report.createdAt.slice(0, 10)}\n\n${markdown}`);
  // RESULTS.md is the committed report: only the default output folder updates it.
  if (!values.out) await upsertResultsSection(BENCH_DEFAULTS.resultsMd, 'queue-only', `## Queue-only ceiling: images/s per Redis core\n\n${markdown}\nRaw data: [${path.basename(base)}.json](results/${path.basename(base)}.json).\n`);
  process.stdout.write(`\nwritten to ${base}.{json,md}${values.out ? '' : ` and ${BENCH_DEFAULTS.resultsMd}`}\n`);
  return report.runs.some((r) => r.failures > 0) ? 1 : 0;
}
