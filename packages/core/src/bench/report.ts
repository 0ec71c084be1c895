/**
 * The benchmark report: one JSON document (bench/results/<date>-<host>-<model>.json) and its
 * Markdown rendering, with the blog's table (Model | 100 | 10,000 | 100,000) filled with measured
 * drain times beside the naive projection, then every run's efficiency, overhead and stage costs.
 */
import type { Corpus } from './corpus.js';
import type { BracketSide } from './bracketed-ceiling.js';
import type { CpuUsage } from './cpu.js';
import { chunkLabel, isDefaultSizeRun, type DrainResult } from './drain.js';
import type { RedisCost } from './redis-cost.js';
import type { MachineInfo } from './machine.js';
import { machineSummary } from './machine.js';
import type { InProcessResult, NaiveResult, PipelineSettings } from './measure.js';
import { round } from './stats.js';

export const BENCH_SCHEMA = 'hourglass-bench/1';

export interface RunRecord extends DrainResult {
  workers: number;
  /**
   * The in-process baseline this run is compared with (same N, or the largest measured N below it).
   * With `bracket`, it was measured just before and just after this drain and is their mean.
   */
  inProcess: { images: number; wallMs: number; imagesPerSecond: number; cpu?: CpuUsage; bracket?: [BracketSide, BracketSide] };
  /** e2e images/s ÷ in-process images/s (1 = the queue costs nothing). */
  efficiency: number;
  /** (e2e wall − in-process wall at this N) ÷ N, ms: what the queue adds per image. */
  overheadMsPerImage: number;
  /** The blog's projection: median single-image latency × N, ms. */
  naiveMs: number;
  /** naiveMs ÷ wallMs: how far the blog's method is off. */
  naiveRatio: number;
  /** The planner's prediction before the run, and what it was based on. */
  predictedMs: number;
  predictedFrom: string;
  /** CPU use during the drain: ours (coordinator, workers, Redis) and other programs'. */
  cpu?: CpuUsage;
  /** What the drain cost Redis per image (absent where INFO is disabled, and in older reports). */
  redis?: RedisCost;
}

export interface ConfigRecord extends Omit<PipelineSettings, 'inferenceThread' | 'provider' | 'inferenceSessions'> {
  /** Absent in reports written before the option existed: those ran one session per worker. */
  inferenceSessions?: number;
  /** The execution provider the workers asked for (the report keeps the flat field it always had). */
  ep: PipelineSettings['provider']['ep'];
  /** Its options, when any were set (WEBGPU_PREFERRED_LAYOUT, CUDA_DEVICE_ID...). */
  providerOptions?: PipelineSettings['provider']['options'];
  /** Absent in reports written before the option existed: those ran on the inference thread. */
  inferenceThread?: PipelineSettings['inferenceThread'];
  workers: number;
  /** Workers were already running elsewhere (--external): their settings are theirs. */
  external: boolean;
  inProcess: InProcessResult[];
  runs: RunRecord[];
}

export interface ModelRecord {
  model: string;
  version: number;
  input: string;
  onnxBytes: number;
  source: string;
  naive: NaiveResult;
  configs: ConfigRecord[];
}

export interface BenchReport {
  schema: typeof BENCH_SCHEMA;
  createdAt: string;
  /** The exact command line that produced it. */
  command: string;
  machine: MachineInfo;
  corpus: Omit<Corpus, 'files' | 'dir'> & { count: number };
  options: { images: number[]; workers: number[]; batch?: number; ep: string; chunk?: number; external: boolean; quietBelow?: number; bracket?: boolean };
  models: ModelRecord[];
  notes: string[];
}

/** `2026-05-01-myhost-mobilenet-v2` (no extension). */
export function reportBaseName(report: Pick<BenchReport, 'createdAt' | 'machine'>, model: string): string {
  const host = report.machine.host.replace(/[^A-Za-z0-9_-]+/g, '-').slice(0, 40) || 'host';
  return `${report.createdAt.slice(0, 10)}-${host}-${model}`;
}

/** 0.85 s, 12.3 s, 6 min 12 s, 2 h 05 min. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '–';
  const s = ms / 1000;
  if (s < 10) return `${s.toFixed(2)} s`;
  if (s < 60) return `${s.toFixed(1)} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${String(Math.round(s % 60)).padStart(2, '0')} s`;
  return `${Math.floor(s / 3600)} h ${String(Math.round((s % 3600) / 60)).padStart(2, '0')} min`;
}

export const formatCount = (n: number): string => n.toLocaleString('en-US');

const workersLabel = (w: number): string => `${w} worker${w === 1 ? '' : 's'}`;

function table(headers: string[], rows: Array<Array<string | number>>, align?: Array<'l' | 'r'>): string {
  // Default: the first column (names) left, the rest (numbers) right.
  const rule = headers.map((_, i) => ((align?.[i] ?? (i === 0 ? 'l' : 'r')) === 'l' ? '---' : '---:'));
  return [headers, rule, ...rows.map((r) => r.map(String))].map((r) => `| ${r.join(' | ')} |`).join('\n');
}

/** All runs of a report with their model, in report order. */
export function allRuns(report: BenchReport): Array<{ model: ModelRecord; config: ConfigRecord; run: RunRecord }> {
  return report.models.flatMap((model) => model.configs.flatMap((config) => config.runs.map((run) => ({ model, config, run }))));
}

/** The blog's table: one row per model × worker count (one image per job), one column per N. */
export function blogTable(report: BenchReport): string {
  const sizes = [...new Set(allRuns(report).map((r) => r.run.images))].sort((a, b) => a - b);
  const rows = report.models.flatMap((model) =>
    model.configs.map((config) => [
      `${model.model} · ${workersLabel(config.workers)}`,
      ...sizes.map((n) => {
        const run = config.runs.find((r) => r.images === n && isDefaultSizeRun(r));
        return run ? `**${formatDuration(run.wallMs)}** · naive ${formatDuration(run.naiveMs)} · ${run.naiveRatio.toFixed(1)}×` : '–';
      }),
    ]),
  );
  return table(['Model', ...sizes.map(formatCount)], rows, ['l', ...sizes.map(() => 'r' as const)]);
}

/**
 * Efficiency per CPU second: (images per core-second our processes used, e2e) ÷ (the same for the
 * in-process run it is compared with). Other programs' load slows both sides' wall clocks but not
 * (to first order) what an image costs us, so on a shared machine this is the steadier figure.
 */
export function cpuEfficiency(config: Pick<ConfigRecord, 'inProcess'>, run: RunRecord): number | null {
  const base = run.inProcess.cpu ? run.inProcess : config.inProcess.find((r) => r.images === run.inProcess.images);
  const ours = run.cpu?.oursCores;
  const baseOurs = base?.cpu?.oursCores;
  if (!base || !ours || !baseOurs) return null;
  const perCpu = (images: number, wallMs: number, cores: number): number => images / ((wallMs / 1000) * cores);
  return round(perCpu(run.images, run.wallMs, ours) / perCpu(base.images, base.wallMs, baseOurs), 3);
}

/** CPU our processes spent per image, ms (cores × wall ÷ N); null without CPU figures. */
export function cpuMsPerImage(images: number, wallMs: number, cpu: CpuUsage | undefined): number | null {
  return cpu?.oursCores ? round((cpu.oursCores * wallMs) / images, 2) : null;
}

function cpuCostText(config: Pick<ConfigRecord, 'inProcess'>, run: RunRecord): string {
  const base = run.inProcess.cpu ? run.inProcess : config.inProcess.find((r) => r.images === run.inProcess.images);
  const e2e = cpuMsPerImage(run.images, run.wallMs, run.cpu);
  const inProc = base ? cpuMsPerImage(base.images, base.wallMs, base.cpu) : null;
  return e2e === null || inProc === null ? '–' : `${e2e.toFixed(1)} / ${inProc.toFixed(1)}`;
}

/** "118.3 (121.0 before, 115.7 after)" for a bracketed ceiling; "(at 10,000)" when measured at a smaller N. */
const inProcessCell = (run: RunRecord): string => {
  const { inProcess } = run;
  const at = inProcess.images !== run.images ? ` at ${formatCount(inProcess.images)}` : '';
  const sides = inProcess.bracket ? `${inProcess.bracket[0].imagesPerSecond.toFixed(1)} before, ${inProcess.bracket[1].imagesPerSecond.toFixed(1)} after` : '';
  const note = [sides, at.trim()].filter(Boolean).join('; ');
  return `${inProcess.imagesPerSecond.toFixed(1)}${note ? ` (${note})` : ''}`;
};

/** "0.27 / 176 (150)": script calls and µs per image, in brackets µs above Redis's idle floor (older reports have none). */
const redisCell = (cost: RedisCost | undefined): string =>
  cost
    ? `${cost.scriptCallsPerImage.toFixed(2)} / ${cost.cpuUsPerImage.toFixed(0)}${cost.cpuUsPerImageAboveIdle === undefined ? '' : ` (${cost.cpuUsPerImageAboveIdle.toFixed(0)})`}`
    : '–';

const cpuText = (cpu: CpuUsage | undefined): string =>
  cpu && cpu.oursCores !== null && cpu.foreignCores !== null ? `${cpu.oursCores.toFixed(2)} / ${cpu.foreignCores.toFixed(2)}` : '–';

// The most frequent batch sizes first (integer-like keys would otherwise come out in ascending order).
const histogramText = (h: Record<string, number>): string =>
  Object.entries(h)
    .sort((x, y) => y[1] - x[1])
    .slice(0, 4)
    .map(([size, count]) => `${size}×${formatCount(count)}`)
    .join(', ') + (Object.keys(h).length > 4 ? ', …' : '');

export function renderMarkdown(report: BenchReport): string {
  const runs = allRuns(report);
  const lines: string[] = [];
  lines.push(`# hourglass benchmark, ${report.createdAt.slice(0, 10)}`, '');
  lines.push(`- **Machine:** ${machineSummary(report.machine)} (host \`${report.machine.host}\`)`);
  lines.push(`- **Command:** \`${report.command}\``);
  const c = report.corpus;
  const from = c.kind === 'photos' ? `${c.sources.length} real photos (${c.sources.map((s) => s.file.split('/').pop()).join(', ')})` : 'GENERATED photo-like images (no real photos were found on this machine)';
  lines.push(`- **Corpus:** ${formatCount(c.count)} distinct JPEGs made from ${from} by random crops, flips, scales, colour shifts and JPEG quality; ${c.width.min}–${c.width.max} × ${c.height.min}–${c.height.max} px, mean ${Math.round(c.bytes.mean / 1024)} KiB; larger runs reuse them round-robin. Decoding is measured.`);
  lines.push(`- **Models:** ${report.models.map((m) => `${m.model} v${m.version} (${m.input}, ${(m.onnxBytes / 2 ** 20).toFixed(1)} MiB, ${m.source})`).join('; ')}`);
  lines.push('');
  lines.push('## Drain time: measured vs the naive projection', '');
  lines.push('Each cell: **measured wall clock** (submit of the first job → every result stored, coordinator clock) · the blog\'s naive projection (median single-image latency × N) · how many times the projection overstates the real drain time.', '');
  lines.push(blogTable(report), '');

  lines.push('## Every run', '');
  lines.push(
    table(
      ['Model', 'Workers', 'Images', 'Images/job', 'Drain', 'img/s', 'In-process img/s', 'Efficiency', 'Per-CPU efficiency', 'CPU ms/img e2e / in-process', 'Overhead ms/img', 'Redis calls / µs per img (above idle)', 'First result', 'Predicted', 'Failures', 'CPU ours / other'],
      runs.map(({ model, config, run }) => [
        model.model,
        config.workers,
        formatCount(run.images),
        chunkLabel(run),
        formatDuration(run.wallMs),
        run.imagesPerSecond.toFixed(1),
        inProcessCell(run),
        run.efficiency.toFixed(3),
        cpuEfficiency(config, run)?.toFixed(3) ?? '–',
        cpuCostText(config, run),
        run.overheadMsPerImage.toFixed(3),
        redisCell(run.redis),
        formatDuration(run.firstResultMs),
        formatDuration(run.predictedMs),
        run.failures,
        cpuText(run.cpu),
      ]),
    ),
    '',
  );
  lines.push('Efficiency = e2e images/s ÷ in-process images/s (same classifier code, batch size, threads and concurrency, no Redis or queue, same machine). Overhead = (e2e wall − in-process wall) ÷ N. Redis: Lua script calls (the round trips of BullMQ and the result store) and Redis CPU µs per image, from the INFO counters of the server (workers and the progress polling of the coordinator); in brackets the same less the idle floor of Redis (its CPU per second with the fleet connected and nothing queued, the mean of samples of 1-5 s taken before and after the drain, times the wall time of the drain), which the long drain of a slow model pays without any image costing more. CPU: average cores used during the drain by this benchmark (coordinator, workers, Redis) / by other programs on the machine; a run with other load is slower for reasons that are not hourglass\'s. Per-CPU efficiency = images per core-second our processes used, e2e ÷ in-process (the CPU ms/img column shows both costs): the steadier figure when other programs share the machine.', '');
  if (runs.some(({ run }) => run.inProcess.bracket)) {
    lines.push('In-process "before, after": that ceiling was measured just before and just after its drain (`--bracket`), at the same N, and is their mean (N ÷ the mean wall time): the ratio compares the drain with the machine as it was on both sides of it, where a ceiling measured once, minutes earlier, moves with the VM by ±10 %.', '');
  }

  lines.push('## Where the time went (ms per image, summed over the run ÷ N)', '');
  lines.push(
    table(
      ['Model', 'Workers', 'Images', 'Images/job', 'Queue wait', 'Decode + resize', 'Batch wait', 'Inference (run share)', 'Submit (all chunks)', 'Batches (size×count)'],
      runs.map(({ model, config, run }) => {
        const per = (v: number): string => (v / Math.max(1, run.images)).toFixed(2);
        return [model.model, config.workers, formatCount(run.images), chunkLabel(run), per(run.stages.queueMs), per(run.stages.preprocessMs), per(run.stages.batchWaitMs), per(run.stages.runMs), formatDuration(run.submitMs), histogramText(run.batchHistogram)];
      }),
    ),
    '',
  );
  lines.push('Each stage is the wall time an image spent in it, averaged over the run; images run concurrently (decodes in flight, a micro-batch together), so stages overlap and under load include waiting for a core. Queue wait is mostly backlog (a job waits for the images ahead of it), not overhead: the overhead column above is the cost of the queue.', '');

  lines.push('## Baselines', '');
  lines.push(
    table(
      ['Model', 'Single image (median)', 'p90', 'Decode', 'Run', 'Threads'],
      report.models.map((m) => [m.model, `${m.naive.medianMs.toFixed(2)} ms`, `${m.naive.p90Ms.toFixed(2)} ms`, `${m.naive.preprocessMedianMs.toFixed(2)} ms`, `${m.naive.runMedianMs.toFixed(2)} ms`, m.naive.intraOpThreads]),
      ['l', 'r', 'r', 'r', 'r', 'r'],
    ),
    '',
  );
  lines.push(
    table(
      ['Model', 'Workers', 'Sessions × threads per worker', 'Batch', 'Batch timeout', 'Decodes in flight', 'Images in flight', 'In-process runs'],
      report.models.flatMap((m) =>
        m.configs.map((cfg) => [m.model, `${cfg.workers}${cfg.external ? ' (external)' : ''}`, sessionsText(cfg), cfg.batchSize, `${cfg.batchTimeoutMs} ms`, cfg.preprocessConcurrency, cfg.concurrency, cfg.inProcess.map((r) => `${formatCount(r.images)}: ${r.imagesPerSecond.toFixed(1)} img/s`).join('; ')]),
      ),
      ['l', 'r', 'r', 'r', 'r', 'r', 'r', 'l'],
    ),
    '',
  );
  lines.push('## Reproduce', '');
  lines.push(
    'Real photos: `apt-get download darknet opencv-doc python3-skimage` and `dpkg -x` each into `/tmp/<package>` (or `apt-get install` them: their photo folders are searched), or copy any JPEGs into `$DATA_ROOT/bench-photos/`; without photos the corpus falls back to generated images and the report says so. Models: `npm run models:import`. Then the command above; `npm run hourglass -- plan --model M --images N --workers W [--target S]` predicts from these results.',
    '',
  );
  if (report.notes.length > 0) {
    lines.push('## Notes', '');
    for (const note of report.notes) lines.push(`- ${note}`);
    lines.push('');
  }
  return lines.join('\n');
}

/** The run figures derived from a drain result and its baselines. */
export function deriveRun(
  drain: DrainResult,
  workers: number,
  inProcess: Pick<InProcessResult, 'images' | 'wallMs' | 'imagesPerSecond' | 'cpu'> & { bracket?: [BracketSide, BracketSide] },
  naive: Pick<NaiveResult, 'medianMs'>,
  prediction: { ms: number; from: string },
): RunRecord {
  const inProcessWallAtN = inProcess.images === drain.images ? inProcess.wallMs : (drain.images / Math.max(1e-9, inProcess.imagesPerSecond)) * 1000;
  const naiveMs = naive.medianMs * drain.images;
  return {
    ...drain,
    workers,
    inProcess: {
      images: inProcess.images,
      wallMs: inProcess.wallMs,
      imagesPerSecond: inProcess.imagesPerSecond,
      ...(inProcess.cpu ? { cpu: inProcess.cpu } : {}),
      ...(inProcess.bracket ? { bracket: inProcess.bracket } : {}),
    },
    efficiency: round(drain.imagesPerSecond / Math.max(1e-9, inProcess.imagesPerSecond), 3),
    overheadMsPerImage: round((drain.wallMs - inProcessWallAtN) / drain.images, 3),
    naiveMs: round(naiveMs, 1),
    naiveRatio: round(naiveMs / Math.max(1e-9, drain.wallMs), 2),
    predictedMs: round(prediction.ms, 1),
    predictedFrom: prediction.from,
  };
}

/** "2 × 1": a worker's ONNX sessions × the intra-op threads of each (one session in older reports). */
export function sessionsText(config: Pick<ConfigRecord, 'inferenceSessions' | 'intraOpThreads'>): string {
  return `${config.inferenceSessions ?? 1} × ${config.intraOpThreads}`;
}

/** A config record's settings part: the pipeline settings with the provider spec flattened as reports store it. */
export function settingsRecord(settings: PipelineSettings): Omit<ConfigRecord, 'workers' | 'external' | 'inProcess' | 'runs'> {
  const { provider, ...rest } = settings;
  return { ...rest, ep: provider.ep, ...(provider.options ? { providerOptions: provider.options } : {}) };
}
