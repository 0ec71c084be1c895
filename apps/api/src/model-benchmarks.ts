/**
 * The last measured throughput of each model, for GET /v1/models: read from the benchmark reports
 * `hourglass bench` writes (BENCH_REPORT_DIR/results/<date>-<host>-<model>.json, schema
 * hourglass-bench/1). Optional and cheap: one readdir + stat per listing, each report parsed once
 * per file version, and nothing at all when there are no reports.
 */
import { readFile, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { BENCH_SCHEMA, type BenchReport } from '@hourglass/core/bench';

export interface ModelBenchmark {
  /** End-to-end images per second of the largest run (best worker count at that size). */
  imagesPerSecond: number;
  images: number;
  workers: number;
  /** The model version that was measured. */
  version: number;
  measuredAt: string;
  report: string;
}

const MAX_REPORT_BYTES = 20 * 1024 * 1024;
const MAX_REPORTS = 500;

type Summary = Map<string, ModelBenchmark>;
const parsed = new Map<string, { key: string; summary: Summary }>();

function summarise(report: BenchReport, file: string): Summary {
  const summary: Summary = new Map();
  for (const model of report.models ?? []) {
    let best: ModelBenchmark | undefined;
    for (const config of model.configs ?? []) {
      for (const run of config.runs ?? []) {
        if (!(run.imagesPerSecond > 0) || run.failures > 0) continue;
        const better = !best || run.images > best.images || (run.images === best.images && run.imagesPerSecond > best.imagesPerSecond);
        if (better) {
          best = {
            imagesPerSecond: Math.round(run.imagesPerSecond * 10) / 10,
            images: run.images,
            workers: config.workers,
            version: model.version,
            measuredAt: report.createdAt,
            report: path.basename(file),
          };
        }
      }
    }
    if (best) summary.set(model.model, best);
  }
  return summary;
}

async function readSummary(file: string, key: string): Promise<Summary> {
  const cached = parsed.get(file);
  if (cached?.key === key) return cached.summary;
  let summary: Summary = new Map();
  try {
    const report = JSON.parse(await readFile(file, 'utf8')) as BenchReport;
    if (report?.schema === BENCH_SCHEMA && Array.isArray(report.models)) summary = summarise(report, file);
  } catch {
    // Half-written or foreign JSON: no numbers from it.
  }
  parsed.set(file, { key, summary });
  return summary;
}

/** The newest measurement per model name, from the reports under `benchDir` (and its results/). */
export async function latestBenchmarks(benchDir: string): Promise<Map<string, ModelBenchmark>> {
  const files: Array<{ file: string; mtimeMs: number; key: string }> = [];
  for (const dir of [path.join(benchDir, 'results'), benchDir]) {
    const names = await readdir(dir).catch(() => [] as string[]);
    for (const name of names.filter((n) => n.endsWith('.json')).slice(0, MAX_REPORTS)) {
      const file = path.join(dir, name);
      const info = await stat(file).catch(() => undefined);
      if (!info?.isFile() || info.size > MAX_REPORT_BYTES) continue;
      files.push({ file, mtimeMs: info.mtimeMs, key: `${info.size}:${info.mtimeMs}` });
    }
  }
  const latest = new Map<string, ModelBenchmark>();
  for (const { file, key } of files) {
    for (const [model, bench] of await readSummary(file, key)) {
      const current = latest.get(model);
      if (!current || bench.measuredAt > current.measuredAt) latest.set(model, bench);
    }
  }
  return latest;
}
