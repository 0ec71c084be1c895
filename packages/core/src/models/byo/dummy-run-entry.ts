/**
 * Runs in a child process started by dummy-run.ts, under an address-space limit: opens the model
 * with onnxruntime (CPU, the worker's session options) and runs one dummy batch per requested size
 * until one succeeds. A hostile graph that allocates gigabytes fails here, in its own process,
 * never in the API's; the API's event loop never waits on the model either. Reads its job from
 * HOURGLASS_DUMMY_RUN_JOB, writes one DummyRunReport as JSON on stdout and exits.
 */
import * as ort from 'onnxruntime-node';
import type { DummyRunJob, DummyRunReport, DummyRunAttempt } from './dummy-run.js';

const job = JSON.parse(process.env.HOURGLASS_DUMMY_RUN_JOB ?? '{}') as DummyRunJob;
const report: DummyRunReport = { inputNames: [], outputNames: [], attempts: [] };

try {
  const session = await ort.InferenceSession.create(job.onnxPath, {
    executionProviders: ['cpu'],
    intraOpNumThreads: job.intraOpThreads,
    interOpNumThreads: 1,
    graphOptimizationLevel: 'all',
    executionMode: 'sequential',
  });
  report.inputNames = [...session.inputNames];
  report.outputNames = [...session.outputNames];
  if (report.inputNames.includes(job.inputName) && report.outputNames.includes(job.outputName)) {
    for (const batch of job.batches) {
      const attempt = runOnce(session, batch);
      report.attempts.push(await attempt);
      if (report.attempts.at(-1)!.ok) break;
    }
  }
  await session.release().catch(() => undefined);
} catch (error) {
  report.loadError = (error as Error).message ?? String(error);
}
process.stdout.write(`${JSON.stringify(report)}\n`, () => process.exit(0));

async function runOnce(session: ort.InferenceSession, batch: number): Promise<DummyRunAttempt> {
  const dims = [batch, ...job.itemDims];
  const data = new Float32Array(dims.reduce((a, b) => a * b, 1));
  // A smooth pattern in the range normalised pixels take, not zeros: exercises every weight.
  for (let i = 0; i < data.length; i++) data[i] = 2 * Math.sin(i * 0.013);
  const started = performance.now();
  try {
    const results = await session.run({ [job.inputName]: new ort.Tensor('float32', data, dims) }, [job.outputName]);
    const out = results[job.outputName]!;
    const values = out.data as ArrayLike<number>;
    let finite = true;
    for (let i = 0; i < values.length && finite; i++) finite = Number.isFinite(Number(values[i]));
    return { batch, ok: true, dims: [...out.dims], type: out.type, finite, ms: performance.now() - started };
  } catch (error) {
    return { batch, ok: false, message: (error as Error).message ?? String(error), ms: performance.now() - started };
  }
}
