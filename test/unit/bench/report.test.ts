import { describe, expect, it } from 'vitest';
import { allRuns, blogTable, bracketCeiling, deriveRun, curvesFromReport, formatDuration, renderDrainChart, renderMarkdown, reportBaseName } from '@hourglass/core/bench';
import { sampleReport } from './sample-report.js';

describe('bench report', () => {
  const report = sampleReport();

  it('derives efficiency, overhead and the naive ratio from the run and its baselines', () => {
    const run = report.models[0]!.configs[0]!.runs[1]!; // 10,000 images in 41 s; in-process 40 s
    expect(run.efficiency).toBeCloseTo(250 * (40_000 / 41_000) / 250, 3);
    expect(run.overheadMsPerImage).toBeCloseTo((41_000 - 40_000) / 10_000, 6);
    expect(run.naiveMs).toBe(80_000);
    expect(run.naiveRatio).toBeCloseTo(80_000 / 41_000, 2);
    // 100,000 has no in-process run of its own: compared with the rate at 10,000.
    const big = report.models[0]!.configs[0]!.runs[2]!;
    expect(big.inProcess.images).toBe(10_000);
    expect(big.overheadMsPerImage).toBeCloseTo((405_000 - 400_000) / 100_000, 6);
  });

  it('renders the blog table: Model | 100 | 10,000 | 100,000, one row per model × workers', () => {
    const lines = blogTable(report).split('\n');
    expect(lines[0]).toBe('| Model | 100 | 10,000 | 100,000 |');
    expect(lines[1]).toBe('| --- | ---: | ---: | ---: |');
    expect(lines).toHaveLength(4);
    expect(lines[2]).toMatch(/^\| mobilenet-v2 · 1 worker \| \*\*0\.80 s\*\* · naive 0\.80 s · 1\.0× \| \*\*41\.0 s\*\* · naive 1 min 20 s · 1\.9× \| \*\*6 min 45 s\*\* · naive 13 min 20 s · 2\.0× \|$/);
    expect(lines[3]).toMatch(/^\| mobilenet-v2 · 2 workers \|/);
    // every row has as many cells as the header
    for (const line of lines) expect(line.split('|')).toHaveLength(6);
  });

  it('renders the Markdown report with machine, command, corpus, every run and the stage table', () => {
    const md = renderMarkdown(report);
    expect(md).toMatch(/^# hourglass benchmark, 2026-05-01/);
    expect(md).toContain('**Machine:** AMD EPYC, 2 cores');
    expect(md).toContain(`\`${report.command}\``);
    expect(md).toContain('real photos (dog.jpg)');
    for (const heading of ['## Drain time: measured vs the naive projection', '## Every run', '## Where the time went', '## Baselines', '## Notes']) expect(md).toContain(heading);
    const everyRun = md.split('## Every run')[1]!.split('\n\n')[1]!.split('\n');
    expect(everyRun).toHaveLength(2 + allRuns(report).length);
    const columns = everyRun[0]!.split('|').length;
    for (const line of everyRun) expect(line.split('|')).toHaveLength(columns);
    expect(md).toMatch(/\| mobilenet-v2 \| 1 \| 10,000 \| 16 \|/); // the chunked run is listed
  });

  it('shows a bracketed ceiling with both of its sides, and says once how it was measured', () => {
    const cfg = report.models[0]!.configs[0]!;
    const plain = cfg.runs[1]!;
    const side = (wallMs: number) => ({ ...cfg.inProcess[1]!, wallMs, imagesPerSecond: (10_000 * 1000) / wallMs });
    const ceiling = bracketCeiling(side(38_000), side(42_000));
    const run = deriveRun(plain, 1, ceiling, { medianMs: 8 }, { ms: 1, from: 'test' });
    expect(run.inProcess.bracket).toEqual(ceiling.bracket);
    expect(run.efficiency).toBeCloseTo(plain.imagesPerSecond / 250, 3); // 10,000 in the mean 40 s: 250 img/s
    const bracketed = { ...report, models: [{ ...report.models[0]!, configs: [{ ...cfg, runs: [run] }] }] };
    const md = renderMarkdown(bracketed);
    expect(md).toContain('| 250.0 (263.2 before, 238.1 after) |');
    expect(md).toContain('measured just before and just after its drain (`--bracket`)');
    expect(renderMarkdown(report)).not.toContain('--bracket');
  });

  it('names files <date>-<host>-<model>', () => {
    expect(reportBaseName(report, 'mobilenet-v2')).toBe('2026-05-01-box-mobilenet-v2');
    expect(reportBaseName({ ...report, machine: { ...report.machine, host: 'a.b/c d' } }, 'm')).toBe('2026-05-01-a-b-c-d-m');
  });

  it('formats durations for people', () => {
    expect(formatDuration(850)).toBe('0.85 s');
    expect(formatDuration(12_340)).toBe('12.3 s');
    expect(formatDuration(372_000)).toBe('6 min 12 s');
    expect(formatDuration(7_500_000)).toBe('2 h 05 min');
    expect(formatDuration(-1)).toBe('–');
  });

  it('charts every worker count, the in-process ceiling and the naive line', () => {
    const svg = renderDrainChart(report, 'mobilenet-v2');
    expect(svg.match(/class="series"/g)).toHaveLength(4);
    expect(svg).toContain('data-label="measured, 2 workers"');
    expect(svg).toContain('naive: 8.0 ms × N');
  });

  it('gives the planner one curve per worker count from one-image-per-job runs', () => {
    const curves = curvesFromReport(report, 'mobilenet-v2');
    expect(curves.map((c) => c.workers)).toEqual([1, 2]);
    expect(curves[0]!.points).toHaveLength(3); // the chunked run is left out
    expect(curves[0]!.msPerImage).toBeGreaterThan(3.9);
    expect(curves[0]!.msPerImage).toBeLessThan(4.2);
  });
});
