/**
 * The demo's second act, the blog's workflow on a real pretrained network: fine-tune a head on the
 * bundled MobileNetV2 backbone (imported offline from the nsfwjs package, cached) over REST, print
 * the per-epoch table, then classify the held-out demo images with the new model — its own
 * labels, not the backbone's original classes.
 */
import type { ResultRow } from '@hourglass/core';
import { importBundledModels } from '@hourglass/core/importers';
import { spawnWorker, type SpawnedWorker } from '@hourglass/worker';
import { type HourglassClient, type TrainView, ProgressLine, renderTable } from '@hourglass/cli';
import { ensureDemoDataset, type DemoImage } from './images.js';

export const DEMO_BACKBONE = 'mobilenet-v2';

export interface TransferDemoDeps {
  client: HourglassClient;
  modelsDir: string;
  dataRoot: string;
  workerEnv: NodeJS.ProcessEnv;
  workers: SpawnedWorker[];
  out: (line?: string) => void;
}

/** Returns how many held-out images got a label, and how many of those were the expected one. */
export async function runTransferDemo(deps: TransferDemoDeps, heldOut: DemoImage[]): Promise<{ labelled: number; correct: number; total: number }> {
  const { client, out } = deps;
  const t0 = Date.now();
  await importBundledModels(deps.modelsDir, { only: [DEMO_BACKBONE] });
  out(`fine-tune: ${DEMO_BACKBONE} (pretrained, bundled offline; imported in ${((Date.now() - t0) / 1000).toFixed(1)} s)`);
  const dataset = await ensureDemoDataset(deps.dataRoot, 16);
  const backbone = spawnWorker({ model: DEMO_BACKBONE, env: deps.workerEnv });
  deps.workers.push(backbone);
  await backbone.ready;

  await client.postJson('/v1/datasets', { path: dataset });
  const queued = await client.startTraining({ baseModel: DEMO_BACKBONE, dataset, epochs: 3, seed: 42 });
  out(`  POST /v1/train -> ${queued.id}: ${queued.images} images in ${dataset}/<label>/ -> model ${queued.outputModel}`);
  let view: TrainView;
  let printed = 0;
  for (;;) {
    view = await client.getTraining(queued.id);
    if (printed === 0 && view.epochs.length > 0) out('  epoch  train_loss  valid_loss  error_rate  time');
    for (; printed < view.epochs.length; printed++) {
      const e = view.epochs[printed]!;
      out(
        `  ${String(e.epoch).padStart(5)}  ${e.train_loss.toFixed(6)}    ${e.valid_loss.toFixed(6)}    ${e.error_rate.toFixed(6)}    ${e.seconds.toFixed(1)} s`,
      );
    }
    if (view.status === 'completed' || view.status === 'failed') break;
    await new Promise((r) => setTimeout(r, 300));
  }
  if (view.status === 'failed' || !view.model) throw new Error(`train job failed: ${view.error?.code}: ${view.error?.message}`);
  out(`  registered ${view.model.name} v${view.model.version}, valid accuracy ${((view.accuracy ?? 0) * 100).toFixed(1)} %`);

  const tuned = spawnWorker({ model: view.model.name, env: deps.workerEnv });
  deps.workers.push(tuned);
  await tuned.ready;
  const batch = await client.submitPaths(
    view.model.name,
    heldOut.map((i) => i.path),
  );
  const progress = new ProgressLine(`  batch ${batch.id}`, batch.total);
  await client.follow(batch.id, (v) => progress.update(v.counts.completed + v.counts.failed, v.counts.failed));
  progress.finish();
  const rows: ResultRow[] = await client.results(batch.id);
  out(
    renderTable(
      ['#', 'image', 'label', 'confidence', 'expected', 'model'],
      rows
        .slice(0, 6)
        .map((r) => [
          r.index,
          r.source,
          r.label ?? `ERROR ${r.error?.code}`,
          r.confidence?.toFixed(4) ?? '',
          heldOut[r.index]?.expected ?? '',
          `${r.model} v${r.modelVersion}`,
        ]),
    ),
  );
  const correct = rows.filter((r) => r.label === heldOut[r.index]?.expected).length;
  out(`  ${correct}/${rows.length} held-out images labelled as expected by the fine-tuned ${view.model.name}`);
  return { labelled: rows.filter((r) => r.label !== undefined).length, correct, total: heldOut.length };
}
