import { describe, expect, it } from 'vitest';
import { renderScalingChart, renderScalingMarkdown, scalingCurve } from '@hourglass/core/bench';
import { sampleReport } from './sample-report.js';

describe('scaling curve', () => {
  it("takes each worker count's largest default-size drain and compares it with linear scaling", () => {
    const report = sampleReport();
    const curve = scalingCurve(report, report.models[0]!.model);
    expect(curve.length).toBeGreaterThanOrEqual(2);
    expect(curve[0]!.speedup).toBe(1);
    expect(curve[0]!.efficiency).toBe(1);
    for (const p of curve.slice(1)) {
      expect(p.workers).toBeGreaterThan(curve[0]!.workers);
      expect(p.efficiency).toBeCloseTo(p.speedup / (p.workers / curve[0]!.workers), 2);
    }
    expect(renderScalingMarkdown(report)).toMatch(/\| Efficiency vs linear \|/);
    const svg = renderScalingChart(report, report.models[0]!.model)!;
    expect(svg).toMatch(/^<svg/);
    expect(svg).toContain('linear from the first');
  });

  it('is empty for a model it does not know, and has no chart for one worker count', () => {
    const report = sampleReport();
    expect(scalingCurve(report, 'nope')).toEqual([]);
    const one = { ...report, models: [{ ...report.models[0]!, configs: report.models[0]!.configs.slice(0, 1) }] };
    expect(renderScalingChart(one, one.models[0]!.model)).toBeUndefined();
  });
});
