/**
 * The bench report: the skeleton a run fills in, the stored report a run predicts from, and the
 * files it is written to (bench/results/<date>-<host>-<model>.{json,md,svg}, bench/RESULTS.md).
 */
import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import {
  BENCH_SCHEMA,
  renderDrainChart,
  renderMarkdown,
  renderPlannerErrorMarkdown,
  renderScalingChart,
  renderScalingMarkdown,
  reportBaseName,
  type BenchReport,
  type Corpus,
  type MachineInfo,
} from '@hourglass/core/bench';
import type { BenchOptions } from './options.js';
import { resultsSections } from './results-sections.js';

/** The report before any model is measured: machine, corpus and options. */
export function newBenchReport(options: BenchOptions, machine: MachineInfo, corpus: Corpus, notes: string[]): BenchReport {
  return {
    schema: BENCH_SCHEMA,
    createdAt: new Date().toISOString(),
    command: options.command,
    machine,
    corpus: { kind: corpus.kind, seed: corpus.seed, sources: corpus.sources, width: corpus.width, height: corpus.height, bytes: corpus.bytes, cached: corpus.cached, count: corpus.files.length },
    options: { images: options.images, workers: options.workers, ep: options.ep, external: options.external, ...(options.batch ? { batch: options.batch } : {}), ...(options.chunk ? { chunk: options.chunk } : {}), ...(options.quietBelow !== undefined ? { quietBelow: options.quietBelow } : {}), ...(options.bracket ? { bracket: true } : {}) },
    models: [],
    notes,
  };
}

/** The newest stored report for this model from a machine like this one, for predictions. */
export async function storedReport(outDir: string | undefined, model: string, cpuModel: string, cores: number): Promise<BenchReport | undefined> {
  if (!outDir) return undefined;
  const names = (await readdir(outDir).catch(() => [] as string[])).filter((n) => n.endsWith(`-${model}.json`)).sort().reverse();
  for (const name of names) {
    const report = await readFile(path.join(outDir, name), 'utf8').then((t) => JSON.parse(t) as BenchReport, () => undefined);
    if (report?.schema === BENCH_SCHEMA && report.machine.cpuModel === cpuModel && report.machine.cores === cores) return report;
  }
  return undefined;
}

/** bench/results/<date>-<host>-<model>.{json,md,svg}, and the combined Markdown as RESULTS.md. */
export async function writeOutputs(report: BenchReport, outDir: string, resultsMd?: string, render: { writeJson?: boolean; baseName?: string } = {}): Promise<string[]> {
  await mkdir(outDir, { recursive: true });
  const written: string[] = [];
  const charts: string[] = [];
  const scalingCharts: string[] = [];
  for (const model of report.models) {
    const single: BenchReport = { ...report, models: [model] };
    const base = path.join(outDir, render.baseName && report.models.length === 1 ? render.baseName : reportBaseName(report, model.model));
    if (render.writeJson !== false) {
      await writeFile(`${base}.json`, `${JSON.stringify(single, null, 2)}\n`);
      written.push(`${base}.json`);
    }
    await writeFile(`${base}.md`, `${renderMarkdown(single)}${scalingSection(single, path.basename(base))}${plannerErrorSection(single)}`);
    written.push(`${base}.md`);
    // A checkpoint before the first drain has nothing to chart yet.
    if (model.configs.some((c) => c.runs.length > 0)) {
      await writeFile(`${base}.svg`, renderDrainChart(single, model.model));
      written.push(`${base}.svg`);
      charts.push(`${base}.svg`);
    }
    const scaling = renderScalingChart(single, model.model);
    if (scaling) {
      await writeFile(`${base}-scaling.svg`, scaling);
      written.push(`${base}-scaling.svg`);
      scalingCharts.push(`${base}-scaling.svg`);
    }
  }
  if (resultsMd) {
    const rel = (file: string): string => path.relative(path.dirname(path.resolve(resultsMd)), path.resolve(file)).split(path.sep).join('/');
    const images = charts.map((c) => `![drain time vs images](${rel(c)})`).join('\n\n');
    const scalingImages = scalingCharts.map((c) => `![images/s vs worker processes](${rel(c)})`).join('\n\n');
    const scaling = renderScalingMarkdown(report);
    const body = `${renderMarkdown(report).replace('## Every run', `${images}\n\n## Every run`)}${scaling ? `\n## Scaling: images/s vs worker processes\n\n${scaling}\nEach row: that worker count's largest drain at the default (auto) job size. Efficiency vs linear = speedup ÷ (workers ÷ the first row's workers); on a 2-core machine the second worker splits the same two cores (threads each), so 1.0 is not expected.\n\n${scalingImages}\n` : ''}${plannerErrorSection(report)}`;
    // Sections other benchmarks keep in RESULTS.md (queue-only ceiling, scaling curve) stay.
    const kept = resultsSections(await readFile(resultsMd, 'utf8').catch(() => ''));
    await writeFile(resultsMd, `${body}\nRaw data: ${charts.map((c) => `[${path.basename(c, '.svg')}.json](${rel(c).replace(/\.svg$/, '.json')})`).join(', ')}.\n${kept.map((k) => `\n${k}`).join('')}`);
    written.push(resultsMd);
  }
  return written;
}

/** The scaling table (and its chart) of a one-model report, for its own Markdown file. */
function scalingSection(report: BenchReport, baseName: string): string {
  const table = renderScalingMarkdown(report);
  if (!table) return '';
  const chart = report.models.length === 1 && report.models[0]!.configs.length >= 2 ? `\n![images/s vs worker processes](${baseName}-scaling.svg)\n` : '';
  return `\n## Scaling: images/s vs worker processes\n\n${table}${chart}`;
}

/** The planner's leave-one-out error over the report's runs, set apart from what comes before. */
function plannerErrorSection(report: BenchReport): string {
  const section = renderPlannerErrorMarkdown(report);
  return section ? `\n${section}` : '';
}
