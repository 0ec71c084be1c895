#!/usr/bin/env node
/**
 * The hourglass command line: `npm run hourglass -- <command>`. Each client command lives in
 * commands/; this file only dispatches and turns errors into exit codes (0 ok, 1 failed, 2 usage,
 * 3 the API could not be reached). The harness commands run @hourglass/harness (harness-commands.ts).
 */
// First: onnxruntime's telemetry opt-out must be in the environment before the runtime loads.
import './telemetry-opt-out.js';
import {
  CLIENT_COMMANDS_USAGE,
  DATASETS_USAGE,
  EXIT_CODES_HELP,
  TRAIN_USAGE,
  datasetsCommand,
  modelsCommand,
  processIo,
  resultsCommand,
  submitCommand,
  trainCommand,
  watchCommand,
} from './commands/index.js';
import { HARNESS_COMMANDS_USAGE, isHarnessCommand, runHarness } from './harness-commands.js';
import { runMain } from './run-main.js';

const USAGE = `usage: hourglass <command> [options]

commands:
${CLIENT_COMMANDS_USAGE}${TRAIN_USAGE}${DATASETS_USAGE}${HARNESS_COMMANDS_USAGE}`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command !== undefined && isHarnessCommand(command)) return runHarness(argv);
  switch (command) {
    case 'datasets':
      return datasetsCommand(rest, processIo());
    case 'train':
      return trainCommand(rest, processIo());
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

runMain(main);
