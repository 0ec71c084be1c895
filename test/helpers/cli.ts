/**
 * Runs the built client CLI (apps/cli/dist/main.js) or the harness (apps/harness/dist/main.js) as
 * a child process, as a user or a script would.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const CLI_MAIN = fileURLToPath(new URL('../../apps/cli/dist/main.js', import.meta.url));
export const HARNESS_MAIN = fileURLToPath(new URL('../../apps/harness/dist/main.js', import.meta.url));

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

interface RunOptions {
  timeoutMs?: number;
  onStderr?: (all: string) => void;
}

export function runCli(args: string[], env: NodeJS.ProcessEnv = {}, options: RunOptions = {}): Promise<CliRun> {
  return runMain(CLI_MAIN, args, env, options);
}

/** The harness commands (bench, chaos, demo, plan ...) through their own entry point. */
export function runHarness(args: string[], env: NodeJS.ProcessEnv = {}, options: RunOptions = {}): Promise<CliRun> {
  return runMain(HARNESS_MAIN, args, env, options);
}

function runMain(main: string, args: string[], env: NodeJS.ProcessEnv, options: RunOptions): Promise<CliRun> {
  const timeoutMs = options.timeoutMs ?? 60_000;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [main, ...args], {
      env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => {
      stderr += c.toString();
      options.onStderr?.(stderr);
    });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`hourglass ${args.join(' ')} still running after ${timeoutMs} ms\nstdout: ${stdout}\nstderr: ${stderr}`));
    }, timeoutMs);
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** A port on which nothing listens (bound, then released). */
export async function closedPort(): Promise<number> {
  const net = await import('node:net');
  return new Promise((resolve) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
