/**
 * `hourglass train --base MODEL --dataset NAME [...]`: queues a train job over REST (POST
 * /v1/train) and follows it, printing extraction progress and each epoch's row as it arrives
 * (fastai's table); `hourglass train --status ID` shows one job. Uses --url/--key like the
 * other client commands.
 */
import type { TrainView } from '../api-client.js';
import { CONNECTION_HELP, EXIT, EXIT_CODES_HELP, UsageError, clientFrom, connectionOptions, parse, runCommand, writeJson, type Io } from './common.js';

export const TRAIN_USAGE = `  train --base M --dataset D [--epochs 3] [--head linear|mlp] [--no-wait]
                                             fine-tune a head on backbone M over REST, follow its epochs
`;

const HELP = `usage: hourglass train --base MODEL --dataset NAME [options]
       hourglass train --status TRAIN_ID [--json]

Queues a train job (POST /v1/train): a head trained on the frozen features of MODEL, registered as
a new model <MODEL>-<dataset> (next version). Follows it until it ends, printing the epoch table.

options:
  --base MODEL       backbone (a model with a features output: GET /v1/models)
  --dataset NAME     registered dataset, or a folder under DATA_ROOT
  --epochs N         default 3
  --head KIND        linear (default) or mlp
  --valid-pct P      default 0.2
  --seed N           default 42
  --lr X             default 3e-3
  --batch-size N     default 64
  --name MODEL       name of the produced model
  --no-wait          print the job id and return
  --status ID        show a job
  --json             print the final job view as JSON
${CONNECTION_HELP}${EXIT_CODES_HELP}`;

const options = {
  ...connectionOptions,
  base: { type: 'string' },
  dataset: { type: 'string' },
  epochs: { type: 'string' },
  head: { type: 'string' },
  'valid-pct': { type: 'string' },
  seed: { type: 'string' },
  lr: { type: 'string' },
  'batch-size': { type: 'string' },
  name: { type: 'string' },
  'no-wait': { type: 'boolean', default: false },
  status: { type: 'string' },
} as const;

const row = (e: TrainView['epochs'][number]): string =>
  `${String(e.epoch).padStart(5)}  ${e.train_loss.toFixed(6).padStart(10)}  ${e.valid_loss.toFixed(6).padStart(10)}  ${e.error_rate.toFixed(6).padStart(10)}  ${e.seconds.toFixed(1).padStart(6)} s`;

export function trainCommand(args: string[], io: Io): Promise<number> {
  return runCommand(io, HELP, async () => {
    const { values, positionals } = parse(args, options);
    if (values.help) {
      io.stdout.write(HELP);
      return EXIT.OK;
    }
    if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"`);
    const client = clientFrom(values, io.env);
    let id = values.status;
    if (!id) {
      if (!values.base || !values.dataset) throw new UsageError('--base and --dataset are required');
      const num = (v: string | undefined): number | undefined => (v === undefined ? undefined : Number(v));
      const body = {
        baseModel: values.base,
        dataset: values.dataset,
        epochs: num(values.epochs),
        head: values.head,
        validPct: num(values['valid-pct']),
        seed: num(values.seed),
        lr: num(values.lr),
        batchSize: num(values['batch-size']),
        name: values.name,
      };
      const queued = await client.startTraining(body);
      io.stderr.write(`train job ${queued.id}: ${queued.images} images -> ${queued.outputModel}\n`);
      if (values['no-wait']) {
        io.stdout.write(`${queued.id}\n`);
        return EXIT.OK;
      }
      id = queued.id;
    }
    let printed = 0;
    let lastPhase = '';
    for (;;) {
      const view = await client.getTraining(id);
      if (!values.json) {
        const x = view.progress.extracted;
        const phase = `${view.progress.phase}${x ? ` ${x.done}/${x.total} (${x.cached} cached)` : ''}`;
        if (phase !== lastPhase && view.progress.phase !== 'training' && view.epochs.length === 0) io.stderr.write(`  ${phase}\n`);
        lastPhase = phase;
        if (printed === 0 && view.epochs.length > 0) io.stdout.write('epoch  train_loss  valid_loss  error_rate    time\n');
        for (; printed < view.epochs.length; printed++) io.stdout.write(`${row(view.epochs[printed]!)}\n`);
      }
      if (view.status === 'completed' || view.status === 'failed' || values.status) {
        if (values.json) writeJson(io, view);
        else if (view.status === 'completed') {
          io.stdout.write(
            `model ${view.model!.name} v${view.model!.version}: valid accuracy ${((view.accuracy ?? 0) * 100).toFixed(1)} %` +
              `${view.result ? `; ${view.result.images.failed} image(s) skipped, features ${view.result.featureCache.hits} cached / ${view.result.featureCache.computed} computed` : ''}\n`,
          );
        } else if (view.status === 'failed') io.stderr.write(`train job failed: ${view.error?.code}: ${view.error?.message}\n`);
        else io.stdout.write(`${view.status} (${view.progress.phase}, ${view.progress.percent} %)\n`);
        return view.status === 'failed' ? EXIT.FAILED : EXIT.OK;
      }
      await new Promise((r) => setTimeout(r, 500));
    }
  });
}
