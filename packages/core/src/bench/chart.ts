/**
 * A log-log SVG chart of drain time against the number of images, one line per worker count,
 * beside the naive projection and the in-process ceiling. Hand-written SVG: no dependencies, opens
 * in any browser and renders on GitHub.
 */
import type { BenchReport } from './report.js';
import { formatCount } from './report.js';
import { isDefaultSizeRun } from './drain.js';

export interface ChartSeries {
  label: string;
  points: Array<{ x: number; y: number }>;
  colour: string;
  dashed?: boolean;
  /** Draw a dot at each point (measured values); projections are lines only. */
  markers?: boolean;
}

export interface LogLogChart {
  title: string;
  subtitle?: string;
  xLabel: string;
  yLabel: string;
  series: ChartSeries[];
  formatX?: (v: number) => string;
  formatY?: (v: number) => string;
}

const WIDTH = 760;
const HEIGHT = 480;
const PAD = { left: 84, right: 200, top: 64, bottom: 60 };
const PALETTE = ['#1f77b4', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b', '#17becf'];

export const escapeXml = (s: string): string => s.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!);

/** Powers of ten covering [min, max]. */
export function decades(min: number, max: number): number[] {
  const out: number[] = [];
  for (let e = Math.floor(Math.log10(min)); e <= Math.ceil(Math.log10(max)); e++) out.push(10 ** e);
  return out;
}

export function renderLogLogChart(chart: LogLogChart): string {
  const all = chart.series.flatMap((s) => s.points).filter((p) => p.x > 0 && p.y > 0);
  if (all.length === 0) throw new RangeError('nothing to plot');
  const xTicks = decades(Math.min(...all.map((p) => p.x)), Math.max(...all.map((p) => p.x)));
  const yTicks = decades(Math.min(...all.map((p) => p.y)), Math.max(...all.map((p) => p.y)));
  const [x0, x1] = [Math.log10(xTicks[0]!), Math.log10(xTicks.at(-1)!)];
  const [y0, y1] = [Math.log10(yTicks[0]!), Math.log10(yTicks.at(-1)!)];
  const plotW = WIDTH - PAD.left - PAD.right;
  const plotH = HEIGHT - PAD.top - PAD.bottom;
  const sx = (v: number): number => PAD.left + ((Math.log10(v) - x0) / Math.max(1e-9, x1 - x0)) * plotW;
  const sy = (v: number): number => PAD.top + plotH - ((Math.log10(v) - y0) / Math.max(1e-9, y1 - y0)) * plotH;
  const fx = chart.formatX ?? formatCount;
  const fy = chart.formatY ?? String;
  const f = (n: number): string => n.toFixed(1);

  const parts: string[] = [];
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" font-family="Helvetica, Arial, sans-serif" font-size="12">`);
  parts.push(`<rect width="${WIDTH}" height="${HEIGHT}" fill="#ffffff"/>`);
  parts.push(`<text x="${PAD.left}" y="26" font-size="16" font-weight="bold">${escapeXml(chart.title)}</text>`);
  if (chart.subtitle) parts.push(`<text x="${PAD.left}" y="46" fill="#555555">${escapeXml(chart.subtitle)}</text>`);
  parts.push(`<g class="grid" stroke="#e5e5e5">`);
  for (const t of xTicks) parts.push(`<line x1="${f(sx(t))}" y1="${PAD.top}" x2="${f(sx(t))}" y2="${PAD.top + plotH}"/>`);
  for (const t of yTicks) parts.push(`<line x1="${PAD.left}" y1="${f(sy(t))}" x2="${PAD.left + plotW}" y2="${f(sy(t))}"/>`);
  parts.push(`</g>`);
  parts.push(`<g class="axes" stroke="#333333"><line x1="${PAD.left}" y1="${PAD.top + plotH}" x2="${PAD.left + plotW}" y2="${PAD.top + plotH}"/><line x1="${PAD.left}" y1="${PAD.top}" x2="${PAD.left}" y2="${PAD.top + plotH}"/></g>`);
  parts.push(`<g class="x-ticks" data-scale="log10" text-anchor="middle">`);
  for (const t of xTicks) parts.push(`<text x="${f(sx(t))}" y="${PAD.top + plotH + 18}">${escapeXml(fx(t))}</text>`);
  parts.push(`</g>`);
  parts.push(`<g class="y-ticks" data-scale="log10" text-anchor="end">`);
  for (const t of yTicks) parts.push(`<text x="${PAD.left - 8}" y="${f(sy(t) + 4)}">${escapeXml(fy(t))}</text>`);
  parts.push(`</g>`);
  parts.push(`<text x="${PAD.left + plotW / 2}" y="${HEIGHT - 16}" text-anchor="middle">${escapeXml(chart.xLabel)} (log scale)</text>`);
  parts.push(`<text transform="translate(20 ${PAD.top + plotH / 2}) rotate(-90)" text-anchor="middle">${escapeXml(chart.yLabel)} (log scale)</text>`);

  chart.series.forEach((s, i) => {
    const pts = s.points.filter((p) => p.x > 0 && p.y > 0).sort((a, b) => a.x - b.x);
    if (pts.length === 0) return;
    const path = pts.map((p, j) => `${j === 0 ? 'M' : 'L'}${f(sx(p.x))},${f(sy(p.y))}`).join(' ');
    parts.push(`<g class="series" data-label="${escapeXml(s.label)}">`);
    parts.push(`<path d="${path}" fill="none" stroke="${s.colour}" stroke-width="2"${s.dashed ? ' stroke-dasharray="6 4"' : ''}/>`);
    if (s.markers) for (const p of pts) parts.push(`<circle cx="${f(sx(p.x))}" cy="${f(sy(p.y))}" r="4" fill="${s.colour}"><title>${escapeXml(`${s.label}: ${fx(p.x)} → ${fy(p.y)}`)}</title></circle>`);
    parts.push(`</g>`);
    const ly = PAD.top + 10 + i * 22;
    const lx = PAD.left + plotW + 16;
    parts.push(`<line x1="${lx}" y1="${ly}" x2="${lx + 24}" y2="${ly}" stroke="${s.colour}" stroke-width="2"${s.dashed ? ' stroke-dasharray="6 4"' : ''}/>`);
    parts.push(`<text x="${lx + 30}" y="${ly + 4}">${escapeXml(s.label)}</text>`);
  });
  parts.push(`</svg>`);
  return `${parts.join('\n')}\n`;
}

const secondsLabel = (ms: number): string => (ms >= 1000 ? `${formatCount(ms / 1000)} s` : `${ms >= 1 ? ms : ms.toFixed(2)} ms`);

/** Drain time vs images for one model of a report: measured per worker count, naive, in-process. */
export function renderDrainChart(report: BenchReport, model: string): string {
  const record = report.models.find((m) => m.model === model);
  if (!record) throw new RangeError(`model ${model} is not in the report`);
  const sizes = [...new Set(record.configs.flatMap((c) => c.runs.map((r) => r.images)))].sort((a, b) => a - b);
  const series: ChartSeries[] = record.configs.map((config, i) => ({
    label: `measured, ${config.workers} worker${config.workers === 1 ? '' : 's'}`,
    colour: PALETTE[i % PALETTE.length]!,
    markers: true,
    points: config.runs.filter((r) => isDefaultSizeRun(r)).map((r) => ({ x: r.images, y: r.wallMs })),
  }));
  const best = record.configs.flatMap((c) => c.inProcess).reduce((a, b) => (b.imagesPerSecond > a ? b.imagesPerSecond : a), 0);
  if (best > 0) series.push({ label: 'in-process, no queue', colour: '#7f7f7f', dashed: true, points: sizes.map((n) => ({ x: n, y: (n / best) * 1000 })) });
  series.push({ label: `naive: ${record.naive.medianMs.toFixed(1)} ms × N`, colour: '#d62728', dashed: true, points: sizes.map((n) => ({ x: n, y: record.naive.medianMs * n })) });
  return renderLogLogChart({
    title: `${model}: drain time vs number of images`,
    subtitle: `${report.machine.cpuModel}, ${report.machine.cores} cores${report.machine.gpus.length ? `, ${report.machine.gpus[0]!.name}` : ''} · ${report.createdAt.slice(0, 10)} · one image alone: ${record.naive.medianMs.toFixed(1)} ms`,
    xLabel: 'images',
    yLabel: 'drain time',
    series,
    formatY: secondsLabel,
  });
}
