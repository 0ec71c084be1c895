import { describe, expect, it } from 'vitest';
import { renderAccuracyChart } from '@hourglass/core/bench';

describe('renderAccuracyChart', () => {
  const points = [
    { label: 'mobilenet-v2 (speed)', accuracy: 0.805, imagesPerSecond: 42.9 },
    { label: 'inception-v3 (accuracy)', accuracy: 0.775, imagesPerSecond: 6.3 },
  ];

  it('draws one labelled point per model on a log throughput axis', () => {
    const svg = renderAccuracyChart(points);
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
    expect(svg.match(/<circle /g)).toHaveLength(2);
    expect(svg).toContain('mobilenet-v2 (speed)');
    expect(svg).toContain('images per second (log scale)');
    // Decade ticks 1, 10, 100 cover 6.3 .. 42.9 img/s.
    for (const tick of ['>1<', '>10<', '>100<']) expect(svg).toContain(tick);
    // The faster model sits to the right of the slower one.
    const xs = [...svg.matchAll(/<circle cx="([\d.]+)"/g)].map((m) => Number(m[1]));
    expect(xs[0]).toBeGreaterThan(xs[1]!);
  });

  it('escapes labels and refuses an empty plot', () => {
    expect(renderAccuracyChart([{ label: '<b>&', accuracy: 0.5, imagesPerSecond: 3 }])).toContain('&lt;b&gt;&amp;');
    expect(() => renderAccuracyChart([])).toThrow(RangeError);
  });
});
