import { describe, expect, it } from 'vitest';
import { backtestPlanner, renderPlannerErrorMarkdown, type BenchReport, type RunRecord } from '@hourglass/core/bench';
import { sampleReport, sampleRun } from './sample-report.js';

/** The sample report with its model's configs replaced by these worker counts' runs. */
function reportWith(runsByWorkers: Record<number, RunRecord[]>): BenchReport {
  const report = sampleReport();
  const model = report.models[0]!;
  const template = model.configs[0]!;
  model.configs = Object.entries(runsByWorkers).map(([workers, runs]) => ({ ...template, workers: Number(workers), runs }));
  return report;
}

describe('planner backtest (leave-one-out)', () => {
  it('refits the run’s own worker count without it and reports the error, by hand', () => {
    const failed = { ...sampleRun(1, 800, 9_000), failures: 3 };
    const report = reportWith({ 1: [sampleRun(1, 100, 1_000), sampleRun(1, 200, 1_500), sampleRun(1, 400, 2_600), sampleRun(1, 400, 2_000, 16), failed] });
    const { rows, summary } = backtestPlanner(report);
    // The requested-size run (16/job) and the failed run are not planner runs.
    expect(rows.map((r) => r.images)).toEqual([100, 200, 400]);
    // Without 100: line through (200, 1500), (400, 2600) = 400 + 5.5·N → 950 ms at 100.
    expect(rows[0]!.predictedMs).toBeCloseTo(950, 6);
    expect(rows[0]!.relativeError).toBeCloseTo(-0.05, 9);
    // Without 200: through (100, 1000), (400, 2600) = 466.67 + 5.333·N → 1533.33 ms at 200.
    expect(rows[1]!.predictedMs).toBeCloseTo(1_000 + (1_600 / 300) * 100, 6);
    expect(rows[1]!.relativeError).toBeCloseTo((1_000 + (1_600 / 300) * 100 - 1_500) / 1_500, 9);
    // Without 400: through (100, 1000), (200, 1500) = 500 + 5·N → 2500 ms at 400.
    expect(rows[2]!.predictedMs).toBeCloseTo(2_500, 6);
    expect(rows[2]!.relativeError).toBeCloseTo(-100 / 2_600, 9);
    expect(rows.every((r) => /measured curve for 1 worker/.test(r.basis))).toBe(true);
    expect(summary.predicted).toBe(3);
    expect(summary.notPredicted).toBe(0);
    expect(summary.medianAbsError).toBeCloseTo(100 / 2_600, 9);
    expect(summary.maxAbsError).toBeCloseTo(0.05, 9);
  });

  it('says it cannot predict a run instead of guessing from too few points', () => {
    // 2 workers: one run, so nothing of its own left; 1 worker alone gives no scaling curve.
    // 1 worker: one other image count each, a line of two unknowns is not fitted from one point.
    const report = reportWith({ 1: [sampleRun(1, 100, 1_000), sampleRun(1, 200, 1_500)], 2: [sampleRun(2, 200, 900)] });
    const { rows, summary } = backtestPlanner(report);
    expect(rows).toHaveLength(3);
    for (const row of rows) {
      expect(row.predictedMs).toBeUndefined();
      expect(row.relativeError).toBeUndefined();
      expect(row.basis).toMatch(/^cannot predict: /);
    }
    expect(rows[2]!.basis).toMatch(/0 other image count\(s\) at 2 worker\(s\), a line needs 2; one other worker count gives no scaling curve/);
    expect(summary).toEqual({ predicted: 0, notPredicted: 3, medianAbsError: null, maxAbsError: null });

    const lonely = reportWith({ 1: [sampleRun(1, 2_000, 59_000)] });
    expect(backtestPlanner(lonely).rows[0]!.basis).toBe('cannot predict: 0 other image count(s) at 1 worker(s), a line needs 2; no other worker count measured');
  });

  it('predicts an unmeasured worker count along the scaling curve of the others', () => {
    // 1 worker: 200 ms + 8 ms/image (125 img/s); 2 workers: 200 ms + 5 ms/image (200 img/s).
    // k = log2(200 / 125) = log2 1.6, so 4 workers run 200 × 2^k = 320 img/s (efficiency 0.8).
    const report = reportWith({
      1: [sampleRun(1, 100, 1_000), sampleRun(1, 1_000, 8_200)],
      2: [sampleRun(2, 100, 700), sampleRun(2, 1_000, 5_200)],
      4: [sampleRun(4, 1_000, 3_500)],
    });
    const row = backtestPlanner(report, 'mobilenet-v2').rows.find((r) => r.workers === 4)!;
    expect(row.predictedMs).toBeCloseTo(200 + (1_000 / 320) * 1_000, 6);
    expect(row.relativeError).toBeCloseTo((3_325 - 3_500) / 3_500, 9);
    expect(row.basis).toMatch(/scaling curve from 2 worker\(s\): rate ∝ workers\^0\.68 fitted to 1, 2 workers, efficiency 0\.80 vs linear at 4/);
    expect(backtestPlanner(report, 'other-model').rows).toEqual([]);
  });

  it('renders the Planner error section from the same rows', () => {
    const report = reportWith({ 1: [sampleRun(1, 100, 1_000), sampleRun(1, 200, 1_500), sampleRun(1, 400, 2_600)], 2: [sampleRun(2, 200, 900)] });
    const md = renderPlannerErrorMarkdown(report);
    expect(md).toMatch(/^## Planner error\n/);
    expect(md).toContain('3 run(s) predicted leave-one-out, 1 not predictable; |error| median 3.8 %, max 5.0 %');
    expect(md).toContain('| Model | Workers | Images | Measured | Predicted | Error | Basis |');
    expect(md).toContain('| mobilenet-v2 | 1 | 100 | 1.00 s | 0.95 s | -5.0 % |');
    expect(md).toMatch(/\| mobilenet-v2 \| 2 \| 200 \| 0\.90 s \| – \| – \| cannot predict: /);
    expect(renderPlannerErrorMarkdown(reportWith({}))).toBe('');
  });
});
