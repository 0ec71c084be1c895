#!/usr/bin/env node
/**
 * The hourglass command line: `npm run hourglass -- <command>`. Each command lives in its own file;
 * this one only dispatches and turns errors into exit codes (0 ok, 1 failed, 2 usage).
 */
import { parseArgs } from 'node:util';
import { describeError } from '@hourglass/core';
import { runDemo } from './demo.js';
import { BENCH_USAGE, benchCommand, benchSmokeCommand } from './bench-command.js';
import { PLAN_USAGE, planCommand } from './plan.js';

const USAGE = `usage: hourglass <command> [options]

commands:
  demo [--images N] [--workers W] [--keep]   run the whole system on a demo batch
${BENCH_USAGE}${PLAN_USAGE}`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'demo': {
      const { values } = parseArgs({ args: rest, options: { images: { type: 'string', default: '60' }, workers: { type: 'string', default: '1' }, keep: { type: 'boolean', default: false } } });
      return runDemo({ images: Number(values.images), workers: Number(values.workers), keep: values.keep ?? false });
    }
    case 'bench':
      return benchCommand(rest);
    case 'bench-smoke':
      return benchSmokeCommand(rest);
    case 'plan':
      return planCommand(rest);
    case undefined:
    case '--help':
    case '-h':
    case 'help':
      process.stdout.write(USAGE);
      return command ? 0 : 2;
    default:
      process.stderr.write(`unknown command "${command}"\n${USAGE}`);
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`error: ${describeError(error)}\n`);
    process.exit(1);
  },
);
