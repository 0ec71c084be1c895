/**
 * `npm run bench -- --model NAME[,NAME] --images 100,10000,100000 --workers 1,2 [--batch B]
 * [--ep cpu|webgpu] [--external] [--chunk K] [--out DIR]`: the measurement hourglass exists for.
 *
 * For each model: the naive baseline (one image's latency × N); then for each worker count the
 * in-process baseline (the worker's own classifier, no queue) and real drains through Redis/BullMQ
 * with N worker processes, each run printed with its prediction beside it. Results go to
 * bench/results/<date>-<host>-<model>.{json,md,svg} and bench/RESULTS.md.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {
  BENCH_SCHEMA,
  CpuMeter,
  Keys,
  buildColourNet,
  corpusItems,
  createClassifyQueue,
  createRedis,
  curvesFromReport,
  deriveRun,
  describeMachine,
  drainBatch,
  ensureCorpus,
  forgetBatch,
  fitCurve,
  formatCount,
  formatDuration,
  loadModel,
  loadWorkerConfig,
  machineLoad,
  machineSummary,
  measureNaive,
  openClassifiers,
  predictDrain,
  predictFromRate,
  realDataRoot,
  renderDrainChart,
  renderMarkdown,
  reportBaseName,
  runInProcess,
  startRedisServer,
  unlinkPrefix,
  workerPipelineSettings,
  writeModel,
  type BenchReport,
  type ConfigRecord,
  type Corpus,
  type DrainPrediction,
  type ExecutionProvider,
  type InProcessResult,
  type PhotoFolder,
  type ModelRecord,
  type RedisServerHandle,
  type RegisteredModel,
  type RunRecord,
} from '@hourglass/core';
import { externalFleet, startLocalFleet, type Fleet } from './bench-fleet.js';
import { ProgressLine } from './progress.js';

export interface BenchOptions {
  models: string[];
  images: number[];
  workers: number[];
  batch?: number;
  ep: ExecutionProvider;
  external: boolean;
  /** Also drain `chunkAt` images with K images per job. */
  chunk?: number;
  chunkAt: number;
  /** Where the JSON/Markdown/SVG go; undefined writes nothing. */
  outDir?: string;
  /** Also write the combined Markdown here (bench/RESULTS.md). */
  resultsMd?: string;
  photoDirs: string[];
  knownPhotoFolders?: readonly PhotoFolder[];
  corpusSize: number;
  seed: number;
  /** In-process baselines run at each N up to this; larger N use the rate measured here. */
  inProcessMax: number;
  naiveSamples: number;
  /**
   * On a shared machine: before each measured run wait (at most quietMaxWaitMs) until other
   * programs use fewer than this many cores. Undefined: do not wait.
   */
  quietBelow?: number;
  quietMaxWaitMs?: number;
  /** The command line recorded in the report. */
  command: string;
  /** Where progress and per-run lines go. */
  out?: NodeJS.WriteStream;
}

export const BENCH_DEFAULTS = {
  images: [100, 10_000, 100_000],
  workers: [1, 2],
  chunkAt: 10_000,
  corpusSize: 1_000,
  seed: 1,
  inProcessMax: 10_000,
  naiveSamples: 50,
  outDir: 'bench/results',
  resultsMd: 'bench/RESULTS.md',
};

/** Models the bench can make itself when they are not registered: the generated colour nets. */
const GENERATED: Record<string, { size: number; channels: number }> = {
  colours: { size: 64, channels: 16 },
  'colours-224': { size: 224, channels: 16 },
};

interface Paths {
  /** Folders searched for models, in order. */
  modelDirs: string[];
  dataRoot: string;
}

function benchPaths(env: NodeJS.ProcessEnv): Paths {
  const home = path.resolve(env.HOURGLASS_HOME ?? '.hourglass');
  const modelDirs = env.MODELS_DIR ? [path.resolve(env.MODELS_DIR)] : [path.resolve('models'), path.join(home, 'models')];
  return { modelDirs, dataRoot: path.resolve(env.DATA_ROOT ?? path.join(home, 'data')) };
}

/** Finds a registered model in the model folders; generates the colour nets when missing. */
export async function resolveBenchModel(name: string, modelDirs: readonly string[]): Promise<{ model: RegisteredModel; modelsDir: string }> {
  let lastError: unknown;
  for (const dir of modelDirs) {
    try {
      return { model: await loadModel(dir, name), modelsDir: dir };
    } catch (error) {
      lastError = error;
    }
  }
  const generated = GENERATED[name];
  if (!generated) throw lastError;
  const dir = modelDirs.at(-1)!;
  const { manifest, onnx } = buildColourNet({ name, ...generated });
  await writeModel(dir, manifest, onnx);
  return { model: await loadModel(dir, name), modelsDir: dir };
}

/** The newest stored report for this model from a machine like this one, for predictions. */
async function storedReport(outDir: string | undefined, model: string, cpuModel: string, cores: number): Promise<BenchReport | undefined> {
  if (!outDir) return undefined;
  const names = (await readdir(outDir).catch(() => [] as string[])).filter((n) => n.endsWith(`-${model}.json`)).sort().reverse();
  for (const name of names) {
    const report = await readFile(path.join(outDir, name), 'utf8').then((t) => JSON.parse(t) as BenchReport, () => undefined);
    if (report?.schema === BENCH_SCHEMA && report.machine.cpuModel === cpuModel && report.machine.cores === cores) return report;
  }
  return undefined;
}

const cpuNote = (cpu: { oursCores: number | null; foreignCores: number | null } | undefined): string =>
  !cpu || cpu.oursCores === null ? '' : ` · cpu ours ${cpu.oursCores.toFixed(2)} / other programs ${cpu.foreignCores!.toFixed(2)} cores`;

const pct = (predicted: number, actual: number): string => `${predicted >= actual ? '+' : ''}${(((predicted - actual) / actual) * 100).toFixed(1)} %`;

export async function runBench(options: BenchOptions, env: NodeJS.ProcessEnv = process.env): Promise<BenchReport> {
  const out = options.out ?? process.stderr;
  const say = (line = ''): void => void out.write(`${line}\n`);
  const paths = benchPaths(env);
  await mkdir(paths.dataRoot, { recursive: true });
  const dataRoot = await realDataRoot(paths.dataRoot);

  let redisServer: RedisServerHandle | undefined;
  let redisUrl = env.REDIS_URL;
  if (!redisUrl) {
    redisServer = await startRedisServer();
    redisUrl = redisServer.url;
  }
  // A private prefix per run (never a flush): --external must use the workers' own prefix.
  const prefix = options.external ? (env.HOURGLASS_PREFIX ?? 'hg') : `bench-${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
  const redis = createRedis(redisUrl, 'worker');
  const keys = new Keys(prefix);
  const notes: string[] = [];
  const cleanups: Array<() => void> = [];
  // Batches are forgotten at the end, not as each finishes: the worker that stored a batch's last
  // row reads its timings right after (one log line), and must find them.
  const batchIds: string[] = [];

  try {
    say(`hourglass bench: redis ${redisUrl}${redisServer ? ' (spawned for this run)' : ''}, prefix ${prefix}`);
    const machine = await describeMachine(redis);
    say(`  machine   ${machineSummary(machine)}`);

    const corpusStarted = Date.now();
    const photoDirs = [...options.photoDirs, path.join(dataRoot, 'bench-photos')];
    const corpus: Corpus = await ensureCorpus({
      dataRoot,
      count: options.corpusSize,
      seed: options.seed,
      photoDirs,
      ...(options.knownPhotoFolders ? { knownFolders: options.knownPhotoFolders } : {}),
      onProgress: (done, total) => {
        if (done % 200 === 0 || done === total) say(`  corpus    ${done}/${total} files made`);
      },
    });
    say(
      `  corpus    ${formatCount(corpus.files.length)} JPEGs (${corpus.kind === 'photos' ? `from ${corpus.sources.length} real photos` : 'GENERATED photo-like images: no real photos found'}), ${corpus.width.min}-${corpus.width.max} x ${corpus.height.min}-${corpus.height.max} px, ${corpus.cached ? 'cached' : `made in ${formatDuration(Date.now() - corpusStarted)}`}: ${corpus.dir}`,
    );
    if (corpus.kind === 'generated') {
      notes.push('No real photos were found (see bench/RESULTS.md for `apt-get download darknet`): the corpus is generated photo-like JPEGs; decode costs may differ from real photos.');
    }

    let fleetPids: () => number[] = () => [];
    let activeFleet: Fleet | undefined;
    // Ctrl-C or a kill: stop our workers and our Redis, keep what was measured (checkpointed).
    const onSignal = (signal: NodeJS.Signals): void => {
      say(`\n${signal}: stopping workers${redisServer ? ' and redis-server' : ''}; results so far are in ${options.outDir ?? '(nothing written)'}`);
      // Workers first (they drain their in-flight jobs through Redis), then Redis.
      void Promise.resolve(activeFleet?.stop())
        .catch(() => undefined)
        .then(() => redisServer?.stop())
        .finally(() => process.exit(130));
    };
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    cleanups.push(() => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    });
    const ourPids = (): number[] => [process.pid, ...(redisServer?.process.pid ? [redisServer.process.pid] : []), ...fleetPids()];
    /** Waits until other programs leave the machine (nearly) idle, when asked to. */
    const waitQuiet = async (): Promise<void> => {
      if (options.quietBelow === undefined) return;
      const deadline = Date.now() + (options.quietMaxWaitMs ?? 300_000);
      let said = false;
      for (;;) {
        const meter = await CpuMeter.start(ourPids);
        await new Promise((r) => setTimeout(r, 1_000));
        const { foreignCores } = await meter.stop();
        if (foreignCores === null || foreignCores < options.quietBelow || Date.now() > deadline) {
          if (said) say(`  quiet     other programs now use ${foreignCores?.toFixed(2) ?? '?'} cores${Date.now() > deadline ? ' (gave up waiting)' : ''}`);
          return;
        }
        if (!said) say(`  quiet     waiting: other programs use ${foreignCores.toFixed(2)} cores (want < ${options.quietBelow})`);
        said = true;
      }
    };
    const metered = async <T extends object>(run: () => Promise<T>): Promise<T & { cpu: Awaited<ReturnType<CpuMeter['stop']>> }> => {
      await waitQuiet();
      const meter = await CpuMeter.start(ourPids);
      const result = await run();
      return { ...result, cpu: await meter.stop() };
    };

    const report: BenchReport = {
      schema: BENCH_SCHEMA,
      createdAt: new Date().toISOString(),
      command: options.command,
      machine,
      corpus: { kind: corpus.kind, seed: corpus.seed, sources: corpus.sources, width: corpus.width, height: corpus.height, bytes: corpus.bytes, cached: corpus.cached, count: corpus.files.length },
      options: { images: options.images, workers: options.workers, ep: options.ep, external: options.external, ...(options.batch ? { batch: options.batch } : {}), ...(options.chunk ? { chunk: options.chunk } : {}), ...(options.quietBelow !== undefined ? { quietBelow: options.quietBelow } : {}) },
      models: [],
      notes,
    };

    /** Writes what has been measured so far: a long run stopped half way still leaves its results. */
    const checkpoint = async (): Promise<void> => {
      if (options.outDir) await writeOutputs(report, options.outDir, options.resultsMd);
    };
    for (const name of options.models) await benchModel(name);
    await checkpoint();
    return report;

    async function benchModel(name: string): Promise<void> {
      const { model, modelsDir } = await resolveBenchModel(name, paths.modelDirs);
      const { manifest } = model;
      say();
      say(`== ${name} v${manifest.version} (${manifest.input.width}x${manifest.input.height}, ${(model.onnxBytes / 2 ** 20).toFixed(1)} MiB, ${manifest.source.kind}) from ${modelsDir}`);
      const baseEnv: NodeJS.ProcessEnv = {
        ...env,
        REDIS_URL: redisUrl,
        HOURGLASS_PREFIX: prefix,
        DATA_ROOT: dataRoot,
        MODELS_DIR: modelsDir,
        ORT_EP: options.ep,
        LOG_LEVEL: env.LOG_LEVEL ?? 'warn',
        ...(options.batch ? { BATCH_SIZE: String(options.batch) } : {}),
      };
      const config = loadWorkerConfig(baseEnv);

      await waitQuiet();
      const naive = await measureNaive(model, { ep: options.ep, intraOpThreads: os.availableParallelism(), maxInputPixels: config.MAX_INPUT_PIXELS }, dataRoot, corpus.files, { samples: options.naiveSamples });
      say(`  naive     one image alone: median ${naive.medianMs.toFixed(2)} ms (decode ${naive.preprocessMedianMs.toFixed(2)} + run ${naive.runMedianMs.toFixed(2)}, ${naive.intraOpThreads} threads) → ${formatDuration(naive.medianMs * Math.max(...options.images))} projected for ${formatCount(Math.max(...options.images))}`);

      const stored = await storedReport(options.outDir, name, machine.cpuModel, machine.cores);
      const storedCurves = stored ? curvesFromReport(stored, name) : [];
      const record: ModelRecord = {
        model: name,
        version: manifest.version,
        input: `${manifest.input.width}x${manifest.input.height}`,
        onnxBytes: model.onnxBytes,
        source: manifest.source.kind,
        naive,
        configs: [],
      };
      report.models.push(record);

      // Sizes above the in-process cap are the long ones: they run last, after every worker count
      // has its small sizes measured, so a run cut short still has a complete small table.
      type Step = { images: number; chunkSize: number };
      const small: Step[] = options.images.filter((n) => n <= options.inProcessMax).map((images) => ({ images, chunkSize: 1 }));
      // K images per job vs one, measured with the first worker count (the per-job cost is per job, not per worker).
      const chunked: Step[] = options.chunk && options.chunk > 1 ? [{ images: options.chunkAt, chunkSize: options.chunk }] : [];
      const large: Step[] = options.images.filter((n) => n > options.inProcessMax).map((images) => ({ images, chunkSize: 1 }));
      const workerCounts = options.external ? [0] : options.workers;
      const withFleet = async (w: number, use: (fleet: Fleet) => Promise<void>): Promise<void> => {
        const fleet = options.external ? await externalFleet(redis, keys, model, config) : await startLocalFleet({ model, workers: w, env: baseEnv, config, onWarning: (line) => say(`  worker: ${line}`) });
        fleetPids = fleet.pids;
        activeFleet = fleet;
        try {
          await use(fleet);
        } finally {
          fleetPids = () => [];
          activeFleet = undefined;
          await fleet.stop();
        }
      };

      const configs = new Map<number, ConfigRecord>();
      for (const w of workerCounts) {
        const planned: Fleet = options.external
          ? await externalFleet(redis, keys, model, config)
          : { workers: w, settings: workerPipelineSettings({ ...config, WORKERS_PER_HOST: w }, manifest), external: false, pids: () => [], stop: async () => undefined };
        const inProcess = await measureInProcessRuns(model, planned);
        const cfg: ConfigRecord = { ...planned.settings, workers: planned.workers, external: planned.external, inProcess, runs: [] };
        configs.set(w, cfg);
        record.configs.push(cfg);
        await checkpoint();
        const steps = w === workerCounts[0] ? [...small, ...chunked] : small;
        if (steps.length > 0) await withFleet(w, (fleet) => drainRuns(model, fleet, naive, cfg, steps, storedCurves, checkpoint));
      }
      if (large.length === 0) return;
      for (const w of workerCounts) {
        await withFleet(w, (fleet) => drainRuns(model, fleet, naive, configs.get(w)!, large, storedCurves, checkpoint));
      }
    }

    async function measureInProcessRuns(model: RegisteredModel, fleet: Fleet): Promise<InProcessResult[]> {
      const sizes = [...new Set(options.images.map((n) => Math.min(n, options.inProcessMax)))].sort((a, b) => a - b);
      const s = fleet.settings;
      const classifiers = await openClassifiers(model, s, fleet.workers);
      try {
        await runInProcess(classifiers, dataRoot, corpusItems(corpus, fleet.workers * s.concurrency * 2).map((i) => i.path), s.concurrency);
        const results: InProcessResult[] = [];
        for (const n of sizes) {
          const r = await metered(() => runInProcess(classifiers, dataRoot, corpusItems(corpus, n).map((i) => i.path), s.concurrency));
          say(`  in-proc   ${fleet.workers} x classifier (threads ${s.intraOpThreads}, batch ${s.batchSize}, ${s.concurrency} in flight): ${formatCount(n)} images in ${formatDuration(r.wallMs)} = ${r.imagesPerSecond.toFixed(1)} img/s${cpuNote(r.cpu)}`);
          results.push(r);
        }
        return results;
      } finally {
        await Promise.all(classifiers.map((c) => c.close()));
      }
    }

    async function drainRuns(
      model: RegisteredModel,
      fleet: Fleet,
      naive: ModelRecord['naive'],
      config: ConfigRecord,
      plan: ReadonlyArray<{ images: number; chunkSize: number }>,
      storedCurves: ReturnType<typeof curvesFromReport>,
      afterRun: () => Promise<void>,
    ): Promise<void> {
      const name = model.manifest.name;
      const queueConnection = createRedis(redisUrl!, 'worker');
      const queue = createClassifyQueue(name, queueConnection, prefix);
      const s = fleet.settings;
      const { inProcess } = config;
      const baselineFor = (n: number): InProcessResult => inProcess.find((r) => r.images === n) ?? inProcess.at(-1)!;
      try {
        // Warm-up, not recorded: every worker has its session warm and its BullMQ loop fetching.
        const warm = await drainBatch({ redis, keys, queue, model, items: corpusItems(corpus, Math.max(20, fleet.workers * s.concurrency * 2)), keepKeys: true });
        batchIds.push(warm.batchId);
        const warmRate = baselineFor(warm.images).imagesPerSecond;
        const fixedGuess = Math.max(0, warm.wallMs - (warm.images / warmRate) * 1000);
        say(`  warm-up   ${fleet.workers} worker(s) ready (threads ${s.intraOpThreads}, batch ${s.batchSize}); ${warm.images} images in ${formatDuration(warm.wallMs)}`);

        for (const step of plan) {
          const own = config.runs.filter((r) => r.chunkSize === 1 && r.failures === 0);
          let prediction: DrainPrediction;
          if (storedCurves.some((c) => c.workers === fleet.workers)) prediction = predictDrain(storedCurves, step.images, fleet.workers);
          else if (own.length >= 2) {
            const fit = fitCurve(own.map((r) => ({ images: r.images, wallMs: r.wallMs })));
            prediction = { ms: fit.fixedMs + step.images * fit.msPerImage, imagesPerSecond: 1000 / fit.msPerImage, basis: `this run's ${own.length} smaller drains` };
          } else prediction = predictFromRate(step.images, baselineFor(step.images).imagesPerSecond, fixedGuess);

          const label = `  ${name} ${fleet.workers}w ${formatCount(step.images)}${step.chunkSize > 1 ? ` (${step.chunkSize}/job)` : ''}`;
          const progress = new ProgressLine(label, step.images, out);
          const { cpu, ...drain } = await metered(() =>
            drainBatch({ redis, keys, queue, model, items: corpusItems(corpus, step.images), chunkSize: step.chunkSize, keepKeys: true, onProgress: (done, failed) => progress.update(done, failed) }),
          );
          batchIds.push(drain.batchId);
          progress.finish();
          const run: RunRecord = { ...deriveRun(drain, fleet.workers, baselineFor(step.images), naive, { ms: prediction.ms, from: prediction.basis }), cpu };
          config.runs.push(run);
          say(
            `  ${step.chunkSize > 1 ? `${step.chunkSize} img/job` : 'run'}       ${formatCount(run.images)} images: ${formatDuration(run.wallMs)} (${run.imagesPerSecond.toFixed(1)} img/s) · in-process ${run.inProcess.imagesPerSecond.toFixed(1)} img/s · efficiency ${run.efficiency.toFixed(3)} · overhead ${run.overheadMsPerImage.toFixed(3)} ms/img · first result ${formatDuration(run.firstResultMs)} · naive ${formatDuration(run.naiveMs)} (${run.naiveRatio.toFixed(1)}x) · failures ${run.failures}${cpuNote(run.cpu)}`,
          );
          say(`            predicted ${formatDuration(run.predictedMs)} vs actual ${formatDuration(run.wallMs)} (${pct(run.predictedMs, run.wallMs)}; ${prediction.basis})`);
          await afterRun();
        }
      } finally {
        await queue.close();
        await queueConnection.quit().catch(() => queueConnection.disconnect());
      }
    }
  } finally {
    for (const cleanup of cleanups) cleanup();
    if (options.external) for (const id of batchIds) await forgetBatch(redis, keys, id).catch(() => undefined);
    else await unlinkPrefix(redis, prefix).catch(() => undefined);
    await redis.quit().catch(() => redis.disconnect());
    await redisServer?.stop();
  }
}

/** bench/results/<date>-<host>-<model>.{json,md,svg}, and the combined Markdown as RESULTS.md. */
export async function writeOutputs(report: BenchReport, outDir: string, resultsMd?: string, render: { writeJson?: boolean; baseName?: string } = {}): Promise<string[]> {
  await mkdir(outDir, { recursive: true });
  const written: string[] = [];
  const charts: string[] = [];
  for (const model of report.models) {
    const single: BenchReport = { ...report, models: [model] };
    const base = path.join(outDir, render.baseName && report.models.length === 1 ? render.baseName : reportBaseName(report, model.model));
    if (render.writeJson !== false) {
      await writeFile(`${base}.json`, `${JSON.stringify(single, null, 2)}\n`);
      written.push(`${base}.json`);
    }
    await writeFile(`${base}.md`, renderMarkdown(single));
    written.push(`${base}.md`);
    // A checkpoint before the first drain has nothing to chart yet.
    if (model.configs.some((c) => c.runs.length > 0)) {
      await writeFile(`${base}.svg`, renderDrainChart(single, model.model));
      written.push(`${base}.svg`);
      charts.push(`${base}.svg`);
    }
  }
  if (resultsMd) {
    const rel = (file: string): string => path.relative(path.dirname(path.resolve(resultsMd)), path.resolve(file)).split(path.sep).join('/');
    const images = charts.map((c) => `![drain time vs images](${rel(c)})`).join('\n\n');
    const body = renderMarkdown(report).replace('## Every run', `${images}\n\n## Every run`);
    await writeFile(resultsMd, `${body}\nRaw data: ${charts.map((c) => `[${path.basename(c, '.svg')}.json](${rel(c).replace(/\.svg$/, '.json')})`).join(', ')}.\n`);
    written.push(resultsMd);
  }
  return written;
}

/** Parses "100,10000,1e5" into positive integers. */
export function parseCountList(value: string, what: string): number[] {
  const list = value.split(',').map((s) => s.trim()).filter(Boolean).map(Number);
  if (list.length === 0 || list.some((n) => !Number.isInteger(n) || n < 1)) throw new Error(`--${what}: expected comma-separated positive integers, got "${value}"`);
  return list;
}
