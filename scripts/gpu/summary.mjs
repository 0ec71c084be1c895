#!/usr/bin/env node
/**
 * The GPU run's table, from what scripts/gpu/bench.sh left in its output folder: per model, the
 * decode-only ceiling, the in-process inference ceiling (best WebGPU option), the e2e drain at each
 * size with the naive projection beside it, the ratio of e2e to the smaller ceiling, and the CPU
 * provider fleet. Markdown to stdout.   node scripts/gpu/summary.mjs OUT_DIR
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';

const dir = process.argv[2];
const read = (f) => (existsSync(path.join(dir, f)) ? readFileSync(path.join(dir, f), 'utf8') : '');
const jsonLines = (f) =>
  read(f)
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l));
const fmt = (n) => (n == null ? '—' : n >= 100 ? Math.round(n).toLocaleString('en-US') : n.toFixed(1));
const secs = (ms) =>
  ms == null
    ? '—'
    : ms >= 60_000
      ? `${Math.floor(ms / 60_000)} min ${String(Math.round((ms % 60_000) / 1000)).padStart(2, '0')} s`
      : `${(ms / 1000).toFixed(1)} s`;

/** Every bench report under a step's folder. */
function reports(step) {
  const d = path.join(dir, step);
  if (!existsSync(d)) return [];
  return readdirSync(d)
    .filter((f) => f.endsWith('.json'))
    .map((f) => JSON.parse(readFileSync(path.join(d, f), 'utf8')))
    .filter((r) => r.schema?.startsWith('hourglass-bench'));
}
const runsOf = (step) =>
  reports(step).flatMap((r) => r.models.flatMap((m) => m.configs.flatMap((c) => c.runs.map((run) => ({ model: m.model, naive: m.naive, config: c, run })))));

const decode = jsonLines('decode-ceiling.json')[0];
const lines = [];
lines.push(`# GPU run summary`, '', '```', read('machine.txt').trim(), '```', '');
lines.push(
  `Vulkan: ${
    read('vulkan-variant.txt')
      .split('\n')
      .filter((l) => /^winner:|-> WebGPU on/.test(l))
      .join('; ') || 'no variant log'
  }`,
  '',
);
lines.push(
  `Decode-only ceiling (sharp, ${decode?.concurrency ?? '?'} in flight, ${decode?.uvThreadpool ?? '?'} libuv threads, ${decode?.distinctFiles ?? '?'} corpus files at ${decode?.size ?? '?'} px): **${fmt(decode?.imagesPerSecond)} img/s**`,
  '',
);
lines.push(
  '| model | inference ceiling (best WebGPU option, in-process) | CPU provider in-process (all cores) | e2e drain | img/s | e2e ÷ min(ceilings) | naive projection | CPU-provider fleet e2e |',
  '|---|---|---:|---|---:|---:|---:|---|',
);
for (const model of ['mobilenet-v2', 'vit-shaped']) {
  const sweep = jsonLines(`sweep-${model}.jsonl`);
  const best = sweep.find((r) => r.best);
  const cpu = sweep.find((r) => r.ep === 'cpu');
  const gpuRuns = runsOf(`${model}-webgpu`);
  const cpuRuns = runsOf(`${model}-cpu`);
  const cpuCell =
    cpuRuns
      .map(
        ({ config, run }) =>
          `${config.workers}×${config.intraOpThreads}: ${run.images.toLocaleString('en-US')} (${run.chunkSize ?? 1}/job) in ${secs(run.wallMs)} (${fmt(run.imagesPerSecond)} img/s)`,
      )
      .join('; ') || '—';
  const ceiling = Math.min(best?.imagesPerSecond ?? Infinity, decode?.imagesPerSecond ?? Infinity);
  const bestCell = best ? `${fmt(best.imagesPerSecond)} img/s (${best.layout}, batch ${best.batch})` : 'no WebGPU row';
  if (gpuRuns.length === 0) lines.push(`| ${model} | ${bestCell} | ${fmt(cpu?.imagesPerSecond)} | — | — | — | — | ${cpuCell} |`);
  for (const { run, config, naive } of gpuRuns) {
    lines.push(
      `| ${model} | ${bestCell} | ${fmt(cpu?.imagesPerSecond)} | ${run.images.toLocaleString('en-US')} images (${run.chunkSize ?? 1}/job), ${config.ep}${config.providerOptions ? ` ${JSON.stringify(config.providerOptions)}` : ''}, batch ${config.batchSize}: ${secs(run.wallMs)} | ${fmt(run.imagesPerSecond)} | ${Number.isFinite(ceiling) ? (run.imagesPerSecond / ceiling).toFixed(2) : '—'} | ${secs(run.naiveMs)} (${naive?.medianMs?.toFixed(2) ?? '?'} ms/img) | ${cpuCell} |`,
    );
  }
}
lines.push(
  '',
  '## WebGPU option sweep (in-process, ready-made tensors)',
  '',
  '| model | ep | layout | batch | variant | img/s | run ms (median) | max abs diff vs cpu | note |',
  '|---|---|---|---:|---|---:|---:|---:|---|',
);
for (const f of readdirSync(dir)
  .filter((f) => /^sweep-.*\.jsonl$/.test(f))
  .sort()) {
  for (const r of jsonLines(f)) {
    const variant = r.outputLocation
      ? `output ${r.outputLocation}`
      : r.sessions
        ? `${r.sessions} sessions, 1 process`
        : r.processes
          ? `${r.processes} processes`
          : r.best
            ? 'best (repeat)'
            : r.threads
              ? `${r.threads} threads`
              : '1 session';
    lines.push(
      `| ${r.model} | ${r.ep} | ${r.layout ?? '—'} | ${r.batch} | ${variant} | ${r.ok ? fmt(r.imagesPerSecond) : '—'} | ${r.runMsMedian ?? '—'} | ${r.maxAbsDiffVsCpu == null ? '—' : r.maxAbsDiffVsCpu.toExponential(1)} | ${r.ok ? (r.perProcess ? `per process ${r.perProcess.join(' + ')}` : '') : String(r.error).replace(/\|/g, '/').slice(0, 160)} |`,
    );
  }
}
lines.push('', '## Steps', '', '```', read('steps.txt').trim(), '```');
console.log(lines.join('\n'));
