/**
 * The scaling curve of one model in a bench report: images/s against the number of worker
 * processes N (each with its S sessions of T intra-op threads), from each worker count's largest default-size
 * drain, with the efficiency against linear scaling from the smallest N measured:
 * efficiency(N) = rate(N) ÷ (rate(N₀) × N / N₀).
 */
import { isDefaultSizeRun } from './drain.js';
import { renderLogLogChart } from './chart.js';
import type { BenchReport } from './report.js';

export interface ScalingPoint {
  workers: number;
  /** ONNX sessions per worker process (1 in older reports). */
  sessions: number;
  /** Intra-op threads of each session. */
  threads: number;
  images: number;
  imagesPerSecond: number;
  /** rate ÷ the smallest worker count's rate. */
  speedup: number;
  /** speedup ÷ (workers ÷ the smallest worker count): 1 = linear. */
  efficiency: number;
}

export function scalingCurve(report: BenchReport, model: string): ScalingPoint[] {
  const record = report.models.find((m) => m.model === model);
  if (!record) return [];
  const points = record.configs
    .map((config) => {
      const runs = config.runs.filter((r) => isDefaultSizeRun(r) && r.failures === 0);
      const largest = runs.reduce<(typeof runs)[number] | undefined>((a, r) => (!a || r.images > a.images ? r : a), undefined);
      return largest ? { workers: config.workers, sessions: config.inferenceSessions ?? 1, threads: config.intraOpThreads, images: largest.images, imagesPerSecond: largest.imagesPerSecond } : undefined;
    })
    .filter((p): p is NonNullable<typeof p> => p !== undefined)
    .sort((a, b) => a.workers - b.workers);
  const base = points[0];
  if (!base) return [];
  const round = (v: number): number => Math.round(v * 1000) / 1000;
  return points.map((p) => {
    const speedup = p.imagesPerSecond / base.imagesPerSecond;
    return { ...p, speedup: round(speedup), efficiency: round(speedup / (p.workers / base.workers)) };
  });
}

export function renderScalingMarkdown(report: BenchReport): string {
  const rows: string[] = [];
  for (const model of report.models) {
    for (const p of scalingCurve(report, model.model)) {
      rows.push(`| ${model.model} | ${p.workers} | ${p.sessions} × ${p.threads} | ${p.images.toLocaleString('en-US')} | ${p.imagesPerSecond.toFixed(1)} | ${p.speedup.toFixed(2)}× | ${p.efficiency.toFixed(3)} |`);
    }
  }
  if (rows.length === 0) return '';
  return ['| Model | Worker processes | Sessions × threads each | Images | img/s | Speedup | Efficiency vs linear |', '| --- | ---: | ---: | ---: | ---: | ---: | ---: |', ...rows, ''].join('\n');
}

/** img/s against worker processes (log-log), measured beside linear scaling from the first point. */
export function renderScalingChart(report: BenchReport, model: string): string | undefined {
  const curve = scalingCurve(report, model);
  if (curve.length < 2) return undefined;
  const base = curve[0]!;
  return renderLogLogChart({
    title: `${model}: images/s vs worker processes`,
    subtitle: `${report.machine.cpuModel}, ${report.machine.cores} cores · ${report.createdAt.slice(0, 10)} · largest default-size drain per worker count`,
    xLabel: 'worker processes',
    yLabel: 'images/s',
    series: [
      { label: 'measured', colour: '#1f77b4', markers: true, points: curve.map((p) => ({ x: p.workers, y: p.imagesPerSecond })) },
      { label: 'linear from the first', colour: '#7f7f7f', dashed: true, points: curve.map((p) => ({ x: p.workers, y: (base.imagesPerSecond * p.workers) / base.workers })) },
    ],
    formatX: (v) => String(v),
    formatY: (v) => v.toFixed(0),
  });
}

/**
 * The scaling exponent k of rate ∝ workers^k, least squares in log-log over the measured points
 * (the chart's axes): k = 1 is linear scaling, k = 0 no gain from more workers. Efficiency vs linear
 * at N, from N₀, is then (N ÷ N₀)^(k − 1). Undefined under two distinct worker counts: one point
 * says nothing about how rate changes with workers. k is capped at 1: a superlinear step between
 * measured counts is noise or a cache effect, not something to extrapolate.
 */
export function fitScalingExponent(points: ReadonlyArray<{ workers: number; imagesPerSecond: number }>): number | undefined {
  const usable = points.filter((p) => p.workers > 0 && p.imagesPerSecond > 0);
  if (new Set(usable.map((p) => p.workers)).size < 2) return undefined;
  const xs = usable.map((p) => Math.log(p.workers));
  const ys = usable.map((p) => Math.log(p.imagesPerSecond));
  const mx = xs.reduce((s, x) => s + x, 0) / xs.length;
  const my = ys.reduce((s, y) => s + y, 0) / ys.length;
  const sxy = xs.reduce((s, x, i) => s + (x - mx) * (ys[i]! - my), 0);
  const sxx = xs.reduce((s, x) => s + (x - mx) ** 2, 0);
  return Math.min(1, sxy / sxx);
}

/** Efficiency vs linear scaling at `workers` from `baseWorkers` under exponent k: (N ÷ N₀)^(k − 1). */
export const scalingEfficiency = (exponent: number, workers: number, baseWorkers: number): number => (workers / baseWorkers) ** (exponent - 1);
