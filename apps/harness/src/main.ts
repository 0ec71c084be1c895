#!/usr/bin/env node
/**
 * The local-system harnesses: `npm run bench|demo|chaos|... -- <options>`, or
 * `hourglass <command>`, which runs this entry point when the harness is installed. Each command
 * starts what it measures (Redis, the API, workers) on this machine; this file only dispatches
 * and turns errors into exit codes (0 ok, 1 failed, 2 usage), as the client's main does.
 */
// First: onnxruntime's telemetry opt-out must be in the environment before the runtime loads.
import './telemetry-opt-out.js';
import { runMain } from '@hourglass/cli';
import { BENCH_USAGE, benchCommand, benchRenderCommand, benchSmokeCommand } from './bench/command.js';
import { BENCH_CLUSTER_USAGE, benchClusterCommand } from './bench/cluster.js';
import { BENCH_QUEUE_USAGE, benchQueueCommand } from './bench/queue-command.js';
import { CHAOS_USAGE, chaosCommand } from './chaos/command.js';
import { DEMO_USAGE, demoCommand } from './demo/command.js';
import { EXPERIMENT_USAGE, experimentCommand } from './experiment/command.js';
import { PLAN_USAGE, planCommand } from './plan/command.js';

const USAGE = `usage: hourglass <command> [options]   (or: node apps/harness/dist/main.js <command>)

local-system harnesses:
${DEMO_USAGE}${BENCH_USAGE}${BENCH_QUEUE_USAGE}${BENCH_CLUSTER_USAGE}${PLAN_USAGE}${CHAOS_USAGE}${EXPERIMENT_USAGE}`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'demo':
      return demoCommand(rest);
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
    case 'experiment':
      return experimentCommand(rest);
    case 'chaos':
      return chaosCommand(rest);
    case undefined:
    case '--help':
    case '-h':
    case 'help':
      process.stdout.write(`${USAGE}\nThe client commands (submit, watch, results, models, train, datasets): hourglass --help.\n`);
      return command ? 0 : 2;
    default:
      process.stderr.write(`unknown harness command "${command}"\n${USAGE}`);
      return 2;
  }
}

runMain(main);
