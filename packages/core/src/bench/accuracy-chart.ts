/**
 * The plot the blog opens with (fast.ai's accuracy against speed): one point per fine-tuned
 * backbone, accuracy on the y axis, images per second on a log x axis. Hand-written SVG.
 */
import { decades, escapeXml } from './chart.js';

export interface AccuracyPoint {
  label: string;
  /** 0..1 */
  accuracy: number;
  imagesPerSecond: number;
}

const WIDTH = 720;
const HEIGHT = 420;
const PAD = { left: 70, right: 40, top: 60, bottom: 56 };

export function renderAccuracyChart(points: readonly AccuracyPoint[], title = 'Accuracy vs throughput'): string {
  const usable = points.filter((p) => p.imagesPerSecond > 0 && Number.isFinite(p.accuracy));
  if (usable.length === 0) throw new RangeError('nothing to plot');
  const xTicks = decades(Math.min(...usable.map((p) => p.imagesPerSecond)), Math.max(...usable.map((p) => p.imagesPerSecond)));
  const [x0, x1] = [Math.log10(xTicks[0]!), Math.log10(xTicks.at(-1)!)];
  // Accuracy axis in whole tens of percent around the points.
  const lo = Math.max(0, Math.floor(Math.min(...usable.map((p) => p.accuracy)) * 10) / 10 - 0.1);
  const hi = Math.min(1, Math.ceil(Math.max(...usable.map((p) => p.accuracy)) * 10) / 10 + 0.05);
  const plotW = WIDTH - PAD.left - PAD.right;
  const plotH = HEIGHT - PAD.top - PAD.bottom;
  const sx = (v: number): number => PAD.left + ((Math.log10(v) - x0) / Math.max(1e-9, x1 - x0)) * plotW;
  const sy = (v: number): number => PAD.top + plotH - ((v - lo) / Math.max(1e-9, hi - lo)) * plotH;
  const f = (n: number): string => n.toFixed(1);

  const parts: string[] = [];
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" font-family="Helvetica, Arial, sans-serif" font-size="12">`);
  parts.push(`<rect width="${WIDTH}" height="${HEIGHT}" fill="#ffffff"/>`);
  parts.push(`<text x="${PAD.left}" y="28" font-size="16" font-weight="bold">${escapeXml(title)}</text>`);
  for (const t of xTicks) {
    parts.push(`<line x1="${f(sx(t))}" y1="${PAD.top}" x2="${f(sx(t))}" y2="${PAD.top + plotH}" stroke="#e5e5e5"/>`);
    parts.push(`<text x="${f(sx(t))}" y="${PAD.top + plotH + 18}" text-anchor="middle">${t}</text>`);
  }
  for (let v = lo; v <= hi + 1e-9; v += 0.05) {
    parts.push(`<line x1="${PAD.left}" y1="${f(sy(v))}" x2="${PAD.left + plotW}" y2="${f(sy(v))}" stroke="#e5e5e5"/>`);
    parts.push(`<text x="${PAD.left - 8}" y="${f(sy(v) + 4)}" text-anchor="end">${Math.round(v * 100)} %</text>`);
  }
  parts.push(`<rect x="${PAD.left}" y="${PAD.top}" width="${plotW}" height="${plotH}" fill="none" stroke="#333"/>`);
  parts.push(`<text x="${PAD.left + plotW / 2}" y="${HEIGHT - 14}" text-anchor="middle">images per second (log scale)</text>`);
  parts.push(`<text transform="translate(18 ${PAD.top + plotH / 2}) rotate(-90)" text-anchor="middle">validation accuracy</text>`);
  for (const p of usable) {
    const [x, y] = [sx(p.imagesPerSecond), sy(p.accuracy)];
    parts.push(`<circle cx="${f(x)}" cy="${f(y)}" r="5" fill="#1f77b4"><title>${escapeXml(`${p.label}: ${(p.accuracy * 100).toFixed(1)} %, ${p.imagesPerSecond.toFixed(1)} img/s`)}</title></circle>`);
    // Labels of points in the right half go to their left, so they stay inside the chart.
    const left = x > PAD.left + plotW / 2;
    parts.push(`<text x="${f(left ? x - 8 : x + 8)}" y="${f(y - 8)}"${left ? ' text-anchor="end"' : ''}>${escapeXml(p.label)}</text>`);
  }
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}
