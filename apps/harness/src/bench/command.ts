/**
 * The `bench` and `bench-smoke` commands: argument parsing and the summary printed at the end.
 * The measuring itself is runBench (run.ts).
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { executionProviders, type ExecutionProvider } from '@hourglass/core';
import { BENCH_SCHEMA, chunkLabel, formatCount, formatDuration, type BenchReport } from '@hourglass/core/bench';
import { parseCount, parseCountList } from '../flags.js';
import { BENCH_DEFAULTS, runBench, writeOutputs } from './run.js';
import { UsageError, renderTable } from '@hourglass/cli';

export const BENCH_USAGE = `  bench --model NAME[,NAME] [--images 100,10000,100000] [--workers 1,2] [--batch B]
        [--ep cpu|webgpu] [--external] [--chunk K [--chunk-at N]] [--out DIR] [--photos DIR[,DIR]]
        [--corpus N] [--seed S] [--inprocess-max N] [--naive-samples N] [--quiet CORES [--quiet-wait S]] [--bracket] [--no-write]
                                             drain time of N images across W workers vs the naive projection
  bench-smoke [--model NAME] [--images 1000]  1 worker: e2e rate, in-process rate and their ratio
  bench-render FILE.json [...] [--out DIR] [--results-md FILE]
                                             re-render stored bench results (Markdown, SVG; RESULTS.md)
`;

const options = {
  model: { type: 'string' },
  images: { type: 'string' },
  workers: { type: 'string' },
  batch: { type: 'string' },
  ep: { type: 'string', default: 'cpu' },
  external: { type: 'boolean', default: false },
  chunk: { type: 'string' },
  'chunk-at': { type: 'string' },
  out: { type: 'string' },
  photos: { type: 'string' },
  corpus: { type: 'string' },
  seed: { type: 'string' },
  'inprocess-max': { type: 'string' },
  'naive-samples': { type: 'string' },
  'no-write': { type: 'boolean', default: false },
  bracket: { type: 'boolean', default: false },
  quiet: { type: 'string' },
  'quiet-wait': { type: 'string' },
} as const;

function summary(report: BenchReport): string {
  const rows = report.models.flatMap((m) =>
    m.configs.flatMap((c) =>
      c.runs.map((r) => [
        m.model,
        c.workers,
        formatCount(r.images),
        chunkLabel(r),
        formatDuration(r.wallMs),
        r.imagesPerSecond.toFixed(1),
        r.efficiency.toFixed(3),
        r.overheadMsPerImage.toFixed(3),
        formatDuration(r.firstResultMs),
        `${formatDuration(r.naiveMs)} (${r.naiveRatio.toFixed(1)}x)`,
        `${formatDuration(r.predictedMs)} (${(((r.predictedMs - r.wallMs) / r.wallMs) * 100).toFixed(0)} %)`,
        r.failures,
      ]),
    ),
  );
  return renderTable(['model', 'workers', 'images', 'img/job', 'drain', 'img/s', 'efficiency', 'overhead ms/img', 'first result', 'naive', 'predicted', 'failures'], rows);
}

export async function benchCommand(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const { values } = parseArgs({ args, options, allowPositionals: false });
  if (!values.model) {
    process.stderr.write(`bench: --model is required\nusage:\n${BENCH_USAGE}`);
    return 2;
  }
  const ep = values.ep as ExecutionProvider;
  if (!executionProviders.includes(ep)) throw new UsageError(`--ep: one of ${executionProviders.join(', ')}`);
  const outDir = values['no-write'] ? undefined : (values.out ?? BENCH_DEFAULTS.outDir);
  const report = await runBench({
    models: values.model.split(',').map((s) => s.trim()).filter(Boolean),
    images: values.images ? parseCountList(values.images, 'images') : BENCH_DEFAULTS.images,
    workers: values.workers ? parseCountList(values.workers, 'workers') : BENCH_DEFAULTS.workers,
    ...(values.batch ? { batch: parseCount(values.batch, 'batch', 16) } : {}),
    ep,
    external: values.external ?? false,
    ...(values.chunk ? { chunk: parseCount(values.chunk, 'chunk', 1) } : {}),
    chunkAt: parseCount(values['chunk-at'], 'chunk-at', BENCH_DEFAULTS.chunkAt),
    ...(outDir ? { outDir } : {}),
    // RESULTS.md is the committed report: only the default output folder updates it.
    ...(outDir && !values.out ? { resultsMd: BENCH_DEFAULTS.resultsMd } : {}),
    photoDirs: values.photos ? values.photos.split(',').filter(Boolean) : [],
    corpusSize: parseCount(values.corpus, 'corpus', BENCH_DEFAULTS.corpusSize),
    seed: parseCount(values.seed, 'seed', BENCH_DEFAULTS.seed),
    inProcessMax: parseCount(values['inprocess-max'], 'inprocess-max', BENCH_DEFAULTS.inProcessMax),
    naiveSamples: parseCount(values['naive-samples'], 'naive-samples', BENCH_DEFAULTS.naiveSamples),
    ...(values.bracket ? { bracket: true } : {}),
    ...(values.quiet ? { quietBelow: Number(values.quiet), quietMaxWaitMs: parseCount(values['quiet-wait'], 'quiet-wait', 300) * 1000 } : {}),
    command: `npm run bench -- ${args.join(' ')}`,
  }, env);
  process.stdout.write(`\n${summary(report)}\n`);
  if (outDir) process.stdout.write(`\nwritten to ${outDir}${!values.out ? ` and ${BENCH_DEFAULTS.resultsMd}` : ''}\n`);
  const failures = report.models.flatMap((m) => m.configs.flatMap((c) => c.runs)).reduce((s, r) => s + r.failures, 0);
  return failures > 0 ? 1 : 0;
}

/**
 * `npm run bench:smoke`: 1,000 images, 1 worker, one model (colours unless --model): the e2e rate,
 * the in-process rate and their ratio (issue 2 asks for ≥ 0.8). Writes nothing unless --out.
 */
export async function benchSmokeCommand(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const { values } = parseArgs({ args, options: { model: { type: 'string', default: 'colours' }, images: { type: 'string', default: '1000' }, out: { type: 'string' }, ep: { type: 'string', default: 'cpu' }, batch: { type: 'string' } } });
  const images = parseCount(values.images, 'images', 1_000);
  const report = await runBench({
    models: [values.model!],
    images: [images],
    workers: [1],
    ep: values.ep as ExecutionProvider,
    external: false,
    ...(values.batch ? { batch: parseCount(values.batch, 'batch', 16) } : {}),
    chunkAt: images,
    ...(values.out ? { outDir: values.out } : {}),
    photoDirs: [],
    corpusSize: BENCH_DEFAULTS.corpusSize,
    seed: BENCH_DEFAULTS.seed,
    inProcessMax: images,
    naiveSamples: 20,
    command: `npm run bench:smoke -- ${args.join(' ')}`.trim(),
  }, env);
  const run = report.models[0]!.configs[0]!.runs[0]!;
  process.stdout.write(
    `\nbench smoke (${values.model}, ${formatCount(images)} images, 1 worker): e2e ${run.imagesPerSecond.toFixed(1)} img/s, in-process ${run.inProcess.imagesPerSecond.toFixed(1)} img/s, ratio ${run.efficiency.toFixed(3)}` +
      ` (overhead ${run.overheadMsPerImage.toFixed(3)} ms/img${run.redis ? `, redis ${run.redis.scriptCallsPerImage.toFixed(2)} script calls and ${run.redis.cpuUsPerImage.toFixed(0)} µs cpu per image` : ''}, first result ${formatDuration(run.firstResultMs)}, failures ${run.failures})\n`,
  );
  return run.failures > 0 ? 1 : 0;
}

/**
 * `bench-render FILE.json [...]`: renders stored results again (after a change to the report or
 * chart code, or to combine several models' files into one RESULTS.md) without measuring anything.
 */
export async function benchRenderCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { out: { type: 'string', default: BENCH_DEFAULTS.outDir }, 'results-md': { type: 'string', default: BENCH_DEFAULTS.resultsMd } } });
  if (positionals.length === 0) {
    process.stderr.write(`usage:\n${BENCH_USAGE}`);
    return 2;
  }
  const reports: BenchReport[] = [];
  for (const file of positionals) {
    const report = JSON.parse(await readFile(file, 'utf8')) as BenchReport;
    if (report.schema !== BENCH_SCHEMA) throw new Error(`${file}: not a ${BENCH_SCHEMA} report`);
    reports.push(report);
  }
  // One report holding every model (machine, corpus and command of the first file).
  const combined: BenchReport = { ...reports[0]!, models: reports.flatMap((r) => r.models), notes: [...new Set(reports.flatMap((r) => r.notes))] };
  // Never rewrites the JSON it reads; one input file names its outputs after itself.
  const written = await writeOutputs(combined, values.out!, values['results-md'], { writeJson: false, ...(positionals.length === 1 ? { baseName: path.basename(positionals[0]!, '.json') } : {}) });
  process.stdout.write(`${written.join('\n')}\n`);
  return 0;
}
