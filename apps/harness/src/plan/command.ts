/**
 * `npm run hourglass -- plan --model M --images N --workers W [--target SECONDS] [--from DIR|FILE]`:
 * predicts drain time from the stored benchmark curves (bench/results), and with --target the
 * replicas needed: ceil(backlog / (rate per worker × target)).
 */
import { readFile, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import {
  BACKTEST_HEADERS,
  BENCH_SCHEMA,
  backtestCells,
  backtestPlanner,
  backtestSummaryText,
  curvesFromReport,
  formatCount,
  formatDuration,
  machineSummary,
  predictDrain,
  scaleAdvice,
  type BenchReport,
} from '@hourglass/core/bench';
import { BENCH_DEFAULTS } from '../bench/run.js';
import { renderTable, UsageError } from '@hourglass/cli';

export const PLAN_USAGE = `  plan --model NAME --images N [--workers W] [--target SECONDS] [--from DIR|FILE]
                                             predicted drain time (and replicas for a target) from stored bench curves
`;

/** The newest report holding `model`: a file, or the newest matching file in a folder. */
export async function findReport(from: string, model: string): Promise<{ file: string; report: BenchReport } | undefined> {
  const info = await stat(from).catch(() => undefined);
  const files = info?.isDirectory()
    ? (await readdir(from))
        .filter((n) => n.endsWith('.json'))
        .sort()
        .reverse()
        .map((n) => path.join(from, n))
    : info
      ? [from]
      : [];
  for (const file of files) {
    const report = await readFile(file, 'utf8').then(
      (t) => JSON.parse(t) as BenchReport,
      () => undefined,
    );
    if (report?.schema === BENCH_SCHEMA && report.models.some((m) => m.model === model)) return { file, report };
  }
  return undefined;
}

export async function planCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      model: { type: 'string' },
      images: { type: 'string' },
      workers: { type: 'string', default: '1' },
      target: { type: 'string' },
      from: { type: 'string', default: BENCH_DEFAULTS.outDir },
    },
  });
  const images = Number(values.images);
  const workers = Number(values.workers);
  if (!values.model || !Number.isInteger(images) || images < 1 || !Number.isInteger(workers) || workers < 1) {
    process.stderr.write(`usage:\n${PLAN_USAGE}`);
    return 2;
  }
  const targetMs = values.target === undefined ? undefined : Number(values.target) * 1000;
  if (targetMs !== undefined && !(targetMs > 0)) throw new UsageError('--target: seconds > 0');
  const found = await findReport(values.from!, values.model);
  if (!found) {
    process.stderr.write(`no benchmark of "${values.model}" in ${values.from}: run \`npm run bench -- --model ${values.model}\` first\n`);
    return 1;
  }
  const { report, file } = found;
  const curves = curvesFromReport(report, values.model);
  const out = (line = ''): boolean => process.stdout.write(`${line}\n`);
  out(`from ${file} (${report.createdAt.slice(0, 10)}; ${machineSummary(report.machine)})`);
  for (const c of curves)
    out(
      `  measured ${c.workers} worker(s): ${c.fixedMs.toFixed(0)} ms + ${c.msPerImage.toFixed(3)} ms/image (${(1000 / c.msPerImage).toFixed(1)} img/s) from N = ${c.points.map((p) => formatCount(p.images)).join(', ')}`,
    );
  const prediction = predictDrain(curves, images, workers, { hostCores: report.machine.cores });
  const naive = report.models.find((m) => m.model === values.model)!.naive.medianMs * images;
  out();
  out(
    `${formatCount(images)} images on ${workers} worker(s): predicted ${formatDuration(prediction.ms)} (${prediction.imagesPerSecond.toFixed(1)} img/s; ${prediction.basis})`,
  );
  out(`the naive projection (one image's latency × N) would say ${formatDuration(naive)}`);
  const backtest = backtestPlanner(report, values.model);
  out();
  out(`the planner's own error, each stored run predicted from the others (leave-one-out): ${backtestSummaryText(backtest.summary)}`);
  if (backtest.rows.length > 0) out(renderTable(BACKTEST_HEADERS, backtest.rows.map(backtestCells)).replace(/^/gm, '  '));
  if (targetMs !== undefined) {
    const advice = scaleAdvice(curves, images, targetMs, report.machine.cores);
    out();
    out(
      `to drain ${formatCount(images)} images within ${formatDuration(targetMs)}: ${advice.replicas} worker(s) = ceil(${formatCount(images)} / (${advice.ratePerWorker.toFixed(1)} img/s per worker × ${(targetMs / 1000).toFixed(0)} s, less start-up))`,
    );
    out(`  on hosts like this one: ${advice.usefulWorkersPerHost} worker(s) per host → ${advice.hosts} host(s); ${advice.reason}`);
  }
  return 0;
}
