/**
 * Runs a command-line entry and exits with its code. What a command throws is printed as one
 * `error:` line; a usage mistake (UsageError, parseArgs) exits 2, anything else 1, as --help
 * documents. Shared by the `hourglass` client and the harness entry.
 */
import { describeError } from '@hourglass/core';
import { exitCodeOf } from './commands/common.js';

export function runMain(main: (args: string[]) => Promise<number>): void {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      process.stderr.write(`error: ${describeError(error)}\n`);
      process.exit(exitCodeOf(error));
    },
  );
}
