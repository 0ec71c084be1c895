#!/usr/bin/env node
/**
 * The hourglass command line: `npm run hourglass -- <command>`. Each command lives in its own file;
 * this one only dispatches and turns errors into exit codes (0 ok, 1 failed, 2 usage, 3 the API
 * could not be reached).
 */
// First: onnxruntime's telemetry opt-out must be in the environment before the runtime loads.
import './telemetry-opt-out.js';
import { parseArgs } from 'node:util';
import { describeError } from '@hourglass/core';
import { runDemo } from './demo.js';
import { DATASETS_USAGE, datasetsCommand } from './datasets-command.js';
import { EXPERIMENT_USAGE, experimentCommand } from './experiment.js';
import { TRAIN_USAGE, trainCommand } from './train-command.js';
import { CLIENT_COMMANDS_USAGE, EXIT_CODES_HELP, exitCodeOf, modelsCommand, processIo, resultsCommand, submitCommand, watchCommand } from './commands/index.js';
import { BENCH_USAGE, benchCommand, benchRenderCommand, benchSmokeCommand } from './bench-command.js';
import { BENCH_QUEUE_USAGE, benchQueueCommand } from './bench-queue-command.js';
import { PLAN_USAGE, planCommand } from './plan.js';
import { BENCH_CLUSTER_USAGE, benchClusterCommand } from './bench-cluster.js';
import { CHAOS_USAGE, chaosCommand } from './chaos.js';

const USAGE = `usage: hourglass <command> [options]

commands:
${CLIENT_COMMANDS_USAGE}  demo [--images N] [--workers W] [--keep] [--no-transfer]
                                             run the whole system on a demo batch, then fine-tune the
                                             bundled MobileNetV2 on the demo images and classify with it
${BENCH_USAGE}${BENCH_QUEUE_USAGE}${BENCH_CLUSTER_USAGE}${PLAN_USAGE}${CHAOS_USAGE}${TRAIN_USAGE}${DATASETS_USAGE}${EXPERIMENT_USAGE}`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'demo': {
      const { values } = parseArgs({ args: rest, options: { images: { type: 'string', default: '60' }, workers: { type: 'string', default: '1' }, keep: { type: 'boolean', default: false }, 'no-transfer': { type: 'boolean', default: false } } });
      return runDemo({ images: Number(values.images), workers: Number(values.workers), keep: values.keep ?? false, transfer: !values['no-transfer'] });
    }
    case 'bench':
      return benchCommand(rest);
    case 'bench-smoke':
      return benchSmokeCommand(rest);
    case 'bench-render':
      return benchRenderCommand(rest);
    case 'bench-cluster':
      return benchClusterCommand(rest);
    case 'bench-queue':
      return benchQueueCommand(rest);
    case 'plan':
      return planCommand(rest);
    case 'datasets':
      return datasetsCommand(rest);
    case 'experiment':
      return experimentCommand(rest);
    case 'train':
      return trainCommand(rest, processIo());
    case 'chaos':
      return chaosCommand(rest);
    case 'submit':
      return submitCommand(rest, processIo());
    case 'watch':
      return watchCommand(rest, processIo());
    case 'results':
      return resultsCommand(rest, processIo());
    case 'models':
      return modelsCommand(rest, processIo());
    case undefined:
    case '--help':
    case '-h':
    case 'help':
      process.stdout.write(`${USAGE}\nEach command has --help. API URL and key: --url/--key or HOURGLASS_URL/HOURGLASS_API_KEY.\n${EXIT_CODES_HELP}`);
      return command ? 0 : 2;
    default:
      process.stderr.write(`unknown command "${command}"\n${USAGE}`);
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    // A usage mistake any command throws (UsageError, parseArgs) exits 2, as --help documents.
    process.stderr.write(`error: ${describeError(error)}\n`);
    process.exit(exitCodeOf(error));
  },
);
