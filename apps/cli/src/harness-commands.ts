/**
 * The harness commands (bench, chaos, demo, experiment, plan ...) start Redis, the API and workers
 * on this machine, so they live in @hourglass/harness, not in this client, which needs only core.
 * `hourglass <harness command>` still works wherever the harness is installed (a checkout after
 * `npm ci`): it is run as a child process with the same arguments, stdio and exit code. A separate
 * process rather than an import keeps the client's dependency graph (and an image that ships the
 * client alone) free of the API and the worker. Where it is not installed the user is told the
 * command to run instead, and the exit code is 2 (a usage error: the command is not in this install).
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { EXIT } from './commands/common.js';

export const HARNESS_COMMANDS = ['demo', 'bench', 'bench-smoke', 'bench-render', 'bench-cluster', 'bench-queue', 'plan', 'chaos', 'experiment'] as const;

export const isHarnessCommand = (command: string): boolean => (HARNESS_COMMANDS as readonly string[]).includes(command);

export const HARNESS_COMMANDS_USAGE = `
local-system harnesses (package @hourglass/harness; each has --help, \`hourglass-harness --help\` lists them):
  ${HARNESS_COMMANDS.join(', ')}
`;

/** The harness's entry point as installed beside this package, or undefined when it is not. */
function harnessMain(): string | undefined {
  try {
    const main = fileURLToPath(import.meta.resolve('@hourglass/harness/main'));
    return existsSync(main) ? main : undefined;
  } catch {
    return undefined;
  }
}

/** Runs `hourglass-harness <argv>` and answers its exit code; a signal it died of is re-raised here. */
export function runHarness(argv: string[], stderr: NodeJS.WritableStream = process.stderr): Promise<number> {
  const main = harnessMain();
  if (!main) {
    stderr.write(
      `"${argv[0]}" is a harness command (package @hourglass/harness), not installed beside this client.\nFrom a checkout: npm ci && npm run build && node apps/harness/dist/main.js ${argv.join(' ')}\n`,
    );
    return Promise.resolve(EXIT.USAGE);
  }
  // Its own process group, so a terminal's Ctrl-C reaches this process alone and is passed on once:
  // the harness stops what it started (workers, Redis) on its first SIGINT/SIGTERM, and a second
  // copy (the group's and ours) would arrive after its handler is gone and kill it mid-cleanup.
  const child = spawn(process.execPath, [...process.execArgv, main, ...argv], { stdio: 'inherit', detached: true });
  const forward = (signal: NodeJS.Signals): void => void child.kill(signal);
  process.on('SIGTERM', forward);
  process.on('SIGINT', forward);
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      process.off('SIGTERM', forward);
      process.off('SIGINT', forward);
      if (signal) process.kill(process.pid, signal);
      resolve(code ?? EXIT.FAILED);
    });
  });
}
