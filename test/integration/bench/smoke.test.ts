/**
 * The benchmark harness end to end on a small scale (what CI runs so it keeps working): 100
 * images, 1 real worker process, the generated colour model, the test run's Redis under a private
 * prefix. Checks the report's shape and sanity, never timings.
 */
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeModel } from '@hourglass/core';
import type { BenchReport } from '@hourglass/core/bench';
import { buildColourNet } from '@hourglass/core/testing';
import { runBench } from '../../../apps/harness/src/bench/run.js';
import { testRedis, testRedisUrl } from '../../helpers/redis.js';

async function smokeRun(root: string, extra: Partial<Parameters<typeof runBench>[0]>, log: (text: string) => void): Promise<BenchReport> {
  const { manifest, onnx } = buildColourNet({ name: 'colours', size: 32, channels: 8 });
  await writeModel(path.join(root, 'models'), manifest, onnx);
  const sink = new Writable({
    write(chunk, _enc, done) {
      log(String(chunk));
      done();
    },
  }) as unknown as NodeJS.WriteStream;
  return runBench(
    {
      models: ['colours'],
      images: [100],
      workers: [1],
      ep: 'cpu',
      external: false,
      batch: 8,
      chunkAt: 100,
      outDir: path.join(root, 'out'),
      resultsMd: path.join(root, 'RESULTS.md'),
      photoDirs: [],
      knownPhotoFolders: [],
      corpusSize: 12,
      seed: 3,
      inProcessMax: 100,
      naiveSamples: 5,
      command: 'npm run bench -- --model colours --images 100 --workers 1',
      out: sink,
      ...extra,
    },
    { PATH: process.env.PATH, REDIS_URL: testRedisUrl(), MODELS_DIR: path.join(root, 'models'), DATA_ROOT: path.join(root, 'data'), LOG_LEVEL: 'warn' },
  );
}

describe('bench smoke', () => {
  let root: string;
  let report: BenchReport;
  let log = '';

  beforeAll(async () => {
    root = await mkdtemp(path.join(os.tmpdir(), 'hg-bench-'));
    report = await smokeRun(root, { chunk: 4 }, (text) => {
      log += text;
    });
  }, 180_000);

  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('reports every field of a run, with no failures and positive figures', () => {
    expect(report.schema).toBe('hourglass-bench/1');
    expect(report.machine.cores).toBeGreaterThan(0);
    expect(report.machine.versions.redis).toMatch(/^\d+\./);
    expect(report.corpus.count).toBe(12);
    expect(report.corpus.kind).toBe('generated'); // no photo folders given
    expect(report.notes.join(' ')).toMatch(/generated/);
    const model = report.models[0]!;
    expect(model.model).toBe('colours');
    expect(model.naive.medianMs).toBeGreaterThan(0);
    const config = model.configs[0]!;
    expect(config).toMatchObject({ workers: 1, batchSize: 8, external: false });
    expect(config.inProcess[0]!.imagesPerSecond).toBeGreaterThan(0);
    // The default run is sized like the API sizes it (auto, from the warm-up's heartbeat rate);
    // --chunk 4 asks for 4 per job.
    expect(config.runs.map((r) => [r.images, r.chunkSizeSource])).toEqual([
      [100, 'auto'],
      [100, 'request'],
    ]);
    expect(config.runs[1]!.chunkSize).toBe(4);
    expect(config.runs[0]!.chunkSize).toBeGreaterThanOrEqual(1);
    expect(config.runs[0]!.chunkSize).toBeLessThanOrEqual(25); // 100 images, 1 worker, 4+ jobs
    expect(config.runs[0]!.chunkSizeReason).toMatch(/images\/job/);
    for (const run of config.runs) {
      expect(run.failures).toBe(0);
      expect(run.failureCodes).toEqual({});
      expect(run.workersSeen).toBe(1);
      for (const key of ['wallMs', 'imagesPerSecond', 'efficiency', 'naiveMs', 'naiveRatio', 'predictedMs', 'submitMs'] as const) expect(run[key], key).toBeGreaterThan(0);
      expect(run.firstResultMs).toBeGreaterThanOrEqual(0);
      expect(run.firstResultMs).toBeLessThanOrEqual(run.wallMs + 1_000);
      expect(Number.isFinite(run.overheadMsPerImage)).toBe(true);
      expect(run.stages.preprocessMs).toBeGreaterThan(0);
      expect(run.stages.runMs).toBeGreaterThan(0);
      const histogramImages = Object.entries(run.batchHistogram).reduce((s, [size, count]) => s + Number(size) * count, 0);
      expect(histogramImages).toBe(100);
      expect(Math.max(...Object.keys(run.batchHistogram).map(Number))).toBeLessThanOrEqual(8);
      expect(run.predictedFrom.length).toBeGreaterThan(0);
      // CPU over the drain alone (Linux /proc), and where Redis's time went.
      expect(run.cpu?.oursCores).toBeGreaterThan(0);
      expect(run.redis?.idleSamplesCpuUsPerSecond).toHaveLength(2);
      expect(run.redis?.topCommands?.map((c) => c.command)).toContain('evalsha');
    }
    expect(log).toMatch(/predicted .* vs actual/);
  });

  it('writes the JSON, Markdown and SVG, and RESULTS.md', async () => {
    const all = (await readdir(path.join(root, 'out'))).sort();
    // Beside the report's three files, each worker's whole stderr (native libraries' own logs).
    expect(all.filter((f) => f.endsWith('.stderr.log')).length, all.join(', ')).toBeGreaterThan(0);
    const files = all.filter((f) => !f.endsWith('.stderr.log'));
    expect(files).toHaveLength(3);
    expect(files.map((f) => path.extname(f))).toEqual(['.json', '.md', '.svg']);
    expect(files[0]).toMatch(/^\d{4}-\d{2}-\d{2}-.+-colours\.json$/);
    const json = JSON.parse(await readFile(path.join(root, 'out', files[0]!), 'utf8')) as BenchReport;
    expect(json.models[0]!.configs[0]!.runs).toHaveLength(2);
    const svg = await readFile(path.join(root, 'out', files[2]!), 'utf8');
    expect(svg.startsWith('<svg')).toBe(true);
    const md = await readFile(path.join(root, 'RESULTS.md'), 'utf8');
    expect(md).toContain('| Model | 100 |');
    expect(md).toContain(`](out/${files[2]})`);
  });

  it('leaves no keys behind under its prefix', async () => {
    const redis = testRedis();
    try {
      const keys = await redis.keys('bench-*');
      expect(keys).toEqual([]);
    } finally {
      redis.disconnect();
    }
  });
});

describe('bench smoke, --bracket', () => {
  let root: string;
  let report: BenchReport;
  let log = '';

  beforeAll(async () => {
    root = await mkdtemp(path.join(os.tmpdir(), 'hg-bench-bracket-'));
    report = await smokeRun(root, { bracket: true }, (text) => {
      log += text;
    });
  }, 180_000);

  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it("compares each drain with the in-process runs just before and just after it, and keeps both", () => {
    const config = report.models[0]!.configs[0]!;
    expect(report.options.bracket).toBe(true);
    const [run] = config.runs;
    expect(config.runs).toHaveLength(1);
    const [before, after] = run!.inProcess.bracket!;
    expect(before.imagesPerSecond).toBeGreaterThan(0);
    expect(after.imagesPerSecond).toBeGreaterThan(0);
    expect(run!.inProcess.images).toBe(100);
    expect(run!.inProcess.wallMs).toBeCloseTo((before.wallMs + after.wallMs) / 2, 0);
    expect(run!.efficiency).toBeCloseTo(run!.imagesPerSecond / run!.inProcess.imagesPerSecond, 2);
    // The "before" run is the worker count's baseline too (no separate up-front runs).
    expect(config.inProcess.map((r) => r.images)).toEqual([100]);
    expect(log).toMatch(/ceiling [\d.]+ img\/s, the mean of [\d.]+ before and [\d.]+ after/);
  });
});
