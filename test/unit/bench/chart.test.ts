import { describe, expect, it } from 'vitest';
import { decades, escapeXml, renderLogLogChart } from '@hourglass/core/bench';

/** A small XML well-formedness check: tags balance, attributes are quoted, entities are known. */
function assertWellFormed(xml: string): { root: string; elements: string[] } {
  const stack: string[] = [];
  const elements: string[] = [];
  const tag = /<(\/?)([A-Za-z][\w:-]*)((?:\s+[\w:-]+="[^"<]*")*)\s*(\/?)>|<!--[\s\S]*?-->|<\?[\s\S]*?\?>/g;
  let last = 0;
  let root = '';
  for (const m of xml.matchAll(tag)) {
    const text = xml.slice(last, m.index);
    expect(text, `stray markup before ${m[0]}`).not.toMatch(/[<>]/);
    expect(text.replace(/&(amp|lt|gt|quot|apos|#\d+);/g, ''), 'unknown entity').not.toContain('&');
    last = m.index! + m[0].length;
    if (!m[2]) continue;
    const [, closing, name, , selfClosing] = m;
    if (closing) {
      expect(stack.pop(), `</${name}> closes the wrong element`).toBe(name);
    } else {
      if (stack.length === 0) {
        expect(root, 'a second root element').toBe('');
        root = name!;
      }
      elements.push(name!);
      if (!selfClosing) stack.push(name!);
    }
  }
  expect(xml.slice(last).trim()).toBe('');
  expect(stack).toEqual([]);
  return { root, elements };
}

const chart = renderLogLogChart({
  title: 'm <&> "q"',
  xLabel: 'images',
  yLabel: 'drain time',
  series: [
    { label: 'measured, 1 worker', colour: '#1f77b4', markers: true, points: [{ x: 100, y: 900 }, { x: 10_000, y: 40_000 }, { x: 100_000, y: 380_000 }] },
    { label: 'naive', colour: '#d62728', dashed: true, points: [{ x: 100, y: 1_000 }, { x: 100_000, y: 1_000_000 }] },
  ],
});

describe('log-log SVG chart', () => {
  it('is well-formed XML with one svg root', () => {
    const { root, elements } = assertWellFormed(chart);
    expect(root).toBe('svg');
    expect(chart).toContain('xmlns="http://www.w3.org/2000/svg"');
    expect(elements.filter((e) => e === 'circle')).toHaveLength(3); // markers for measured points only
    expect(elements.filter((e) => e === 'path')).toHaveLength(2);
  });

  it('escapes text', () => {
    expect(chart).toContain('m &lt;&amp;&gt; &quot;q&quot;');
    expect(escapeXml(`a<b>&"'`)).toBe('a&lt;b&gt;&amp;&quot;&apos;');
  });

  it('has log axes: one tick per decade, equally spaced', () => {
    expect(decades(100, 100_000)).toEqual([100, 1_000, 10_000, 100_000]);
    expect(decades(900, 1_000_000)).toEqual([100, 1_000, 10_000, 100_000, 1_000_000]);
    const xTicks = /<g class="x-ticks" data-scale="log10"[^>]*>([\s\S]*?)<\/g>/.exec(chart)![1]!;
    const xs = [...xTicks.matchAll(/<text x="([\d.]+)"/g)].map((m) => Number(m[1]));
    expect(xs).toHaveLength(4);
    const gaps = xs.slice(1).map((x, i) => x - xs[i]!);
    for (const g of gaps) expect(g).toBeCloseTo(gaps[0]!, 0);
    expect([...xTicks.matchAll(/>([^<]+)<\/text>/g)].map((m) => m[1])).toEqual(['100', '1,000', '10,000', '100,000']);
    const yTicks = /<g class="y-ticks" data-scale="log10"[^>]*>([\s\S]*?)<\/g>/.exec(chart)![1]!;
    const ys = [...yTicks.matchAll(/y="([\d.]+)"/g)].map((m) => Number(m[1]));
    expect(ys.length).toBeGreaterThanOrEqual(4);
    const yGaps = ys.slice(1).map((y, i) => ys[i]! - y);
    for (const g of yGaps) expect(g).toBeCloseTo(yGaps[0]!, 0);
  });

  it('places a point where log10 says: 10,000 is two thirds of the way from 100 to 100,000', () => {
    const circles = [...chart.matchAll(/<circle cx="([\d.]+)"/g)].map((m) => Number(m[1]));
    const [a, b, c] = circles as [number, number, number];
    expect((b - a) / (c - a)).toBeCloseTo(2 / 3, 2);
  });

  it('refuses an empty chart', () => {
    expect(() => renderLogLogChart({ title: 't', xLabel: 'x', yLabel: 'y', series: [] })).toThrow(RangeError);
  });
});
