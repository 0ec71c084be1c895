/**
 * The planner's own error, measured leave-one-out: each drain run the planner's curves are made of
 * (default job size, no failures) is predicted from the report without it, and the prediction is
 * set beside the measured drain time. A prediction counts only when it rests on measurements:
 * - the run's worker count still has runs at ≥ 2 image counts, so its line (fixed + N × ms/image,
 *   two unknowns) is fitted and not guessed; otherwise that worker count's curve is left out and
 * - the other worker counts answer it, by interpolation between two of them or along a scaling
 *   curve fitted to ≥ 2 of them (all runs of a report are on one host, so never by adding hosts).
 * Anything else is reported as not predictable, with the reason, instead of a guess.
 */
import { isDefaultSizeRun } from './drain.js';
import { curvesFromReport, predictDrain, type DrainMethod } from './planner.js';
import { formatCount, formatDuration, type BenchReport, type RunRecord } from './report.js';

/** The methods whose answers rest on measurements (see DrainMethod). */
const MEASURED_METHODS: ReadonlySet<DrainMethod> = new Set(['curve', 'interpolated', 'scaling-curve']);

export interface BacktestRow {
  model: string;
  workers: number;
  images: number;
  measuredMs: number;
  /** Absent when the rest of the report cannot predict this run (see `basis` for why). */
  predictedMs?: number;
  /** (predicted − measured) ÷ measured; absent with predictedMs. */
  relativeError?: number;
  /** What the prediction rests on, or why there is none. */
  basis: string;
}

export interface BacktestSummary {
  predicted: number;
  notPredicted: number;
  /** Median and largest |relative error| over the predicted runs; null when none was predicted. */
  medianAbsError: number | null;
  maxAbsError: number | null;
}

export interface PlannerBacktest {
  rows: BacktestRow[];
  summary: BacktestSummary;
}

/** The same report without one run (by identity), for a leave-one-out fit. */
function without(report: BenchReport, left: RunRecord): BenchReport {
  return { ...report, models: report.models.map((m) => ({ ...m, configs: m.configs.map((c) => ({ ...c, runs: c.runs.filter((r) => r !== left) })) })) };
}

function backtestRun(report: BenchReport, model: string, workers: number, run: RunRecord): BacktestRow {
  const row = { model, workers, images: run.images, measuredMs: run.wallMs };
  const curves = curvesFromReport(without(report, run), model);
  const own = curves.find((c) => c.workers === workers);
  const ownSizes = new Set(own?.points.map((p) => p.images)).size;
  // One point fits a line of two unknowns only by assuming no start-up cost: a guess, so drop it.
  const usable = ownSizes >= 2 ? curves : curves.filter((c) => c.workers !== workers);
  const tooFew = `${ownSizes} other image count(s) at ${workers} worker(s), a line needs 2`;
  if (usable.length === 0) return { ...row, basis: `cannot predict: ${tooFew}; no other worker count measured` };
  // Every run of a report ran on its one host: predict it on one host, never by adding hosts.
  const prediction = predictDrain(usable, run.images, workers, { hostCores: Number.POSITIVE_INFINITY });
  if (!MEASURED_METHODS.has(prediction.method)) return { ...row, basis: `cannot predict: ${tooFew}; one other worker count gives no scaling curve` };
  return { ...row, predictedMs: prediction.ms, relativeError: (prediction.ms - run.wallMs) / run.wallMs, basis: prediction.basis };
}

const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

export function summarizeBacktest(rows: readonly BacktestRow[]): BacktestSummary {
  const errors = rows.filter((r) => r.relativeError !== undefined).map((r) => Math.abs(r.relativeError!));
  return {
    predicted: errors.length,
    notPredicted: rows.length - errors.length,
    medianAbsError: errors.length > 0 ? median(errors) : null,
    maxAbsError: errors.length > 0 ? Math.max(...errors) : null,
  };
}

/** Every planner run of `model` (default: every model) in the report, predicted leave-one-out. */
export function backtestPlanner(report: BenchReport, model?: string): PlannerBacktest {
  const rows = report.models
    .filter((m) => model === undefined || m.model === model)
    .flatMap((m) =>
      [...m.configs]
        .sort((a, b) => a.workers - b.workers)
        .flatMap((c) => c.runs.filter((r) => isDefaultSizeRun(r) && r.failures === 0).map((r) => backtestRun(report, m.model, c.workers, r))),
    );
  return { rows, summary: summarizeBacktest(rows) };
}

/** "+12.3 %" or "–" when there is no prediction. */
export const errorText = (row: Pick<BacktestRow, 'relativeError'>): string =>
  row.relativeError === undefined ? '–' : `${row.relativeError >= 0 ? '+' : ''}${(row.relativeError * 100).toFixed(1)} %`;

/** The table's cells, shared by the Markdown section and the CLI: model, workers, images, measured, predicted, error, basis. */
export function backtestCells(row: BacktestRow): string[] {
  return [row.model, String(row.workers), formatCount(row.images), formatDuration(row.measuredMs), row.predictedMs === undefined ? '–' : formatDuration(row.predictedMs), errorText(row), row.basis];
}

export const BACKTEST_HEADERS = ['Model', 'Workers', 'Images', 'Measured', 'Predicted', 'Error', 'Basis'];

export function backtestSummaryText(summary: BacktestSummary): string {
  const pct = (v: number | null): string => (v === null ? '–' : `${(v * 100).toFixed(1)} %`);
  return `${summary.predicted} run(s) predicted leave-one-out, ${summary.notPredicted} not predictable; |error| median ${pct(summary.medianAbsError)}, max ${pct(summary.maxAbsError)}`;
}

/** The report's "Planner error" section; empty when the report has no planner runs. */
export function renderPlannerErrorMarkdown(report: BenchReport): string {
  const { rows, summary } = backtestPlanner(report);
  if (rows.length === 0) return '';
  const line = (cells: string[]): string => `| ${cells.join(' | ')} |`;
  return [
    '## Planner error',
    '',
    `Each default-size drain predicted by \`hourglass plan\` from the rest of this report (leave-one-out), beside its measured time. ${backtestSummaryText(summary)}.`,
    '',
    line(BACKTEST_HEADERS),
    line(['---', '---:', '---:', '---:', '---:', '---:', '---']),
    ...rows.map((r) => line(backtestCells(r))),
    '',
    'Error = (predicted − measured) ÷ measured. A run is predicted only from measurements: its worker count\'s line refitted without it (needs runs at 2 other image counts), else interpolation between two other worker counts or the scaling curve fitted to two or more of them; otherwise the row says why not.',
    '',
  ].join('\n');
}
