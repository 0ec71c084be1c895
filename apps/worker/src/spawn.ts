/**
 * Starts worker processes from other programs (demo, benchmark, chaos runs, tests): the production
 * entry point in a child process, ready once it reports so over the IPC channel (whatever its log
 * level). Its JSON log lines can be forwarded or captured.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import readline from 'node:readline';
import { withOrtTelemetryOptOut } from '@hourglass/core';

export const WORKER_MAIN = fileURLToPath(new URL('./main.js', import.meta.url));
/** The queue-only worker (null classifier), for the queue ceiling benches (bench:queue, bench:cluster). */
export const QUEUE_ONLY_WORKER_MAIN = fileURLToPath(new URL('./queue-only-main.js', import.meta.url));

export interface SpawnedWorker {
  child: ChildProcess;
  /** Resolves with the worker's ready message (id, ep, batch size...); rejects if it exits first. */
  ready: Promise<Record<string, unknown>>;
  /** Resolves with the exit code (or the signal name) once the process has ended. */
  exited: Promise<number | string>;
  /** Sends a signal; resolves when the process has exited. */
  stop(signal?: NodeJS.Signals): Promise<number | string>;
}

export interface SpawnWorkerOptions {
  model: string;
  env: NodeJS.ProcessEnv;
  /** Receives every log record the worker prints (one JSON object per line). */
  onLog?: (record: Record<string, unknown>, line: string) => void;
  readyTimeoutMs?: number;
  /**
   * Writes the worker's whole stderr here (appending). Native libraries write there, not to the
   * JSON log: the Vulkan loader (VK_LOADER_DEBUG=error,warn,driver says why a GPU driver refused
   * to start), Dawn, onnxruntime. Without it only the last 4 KB are kept, for the exit message.
   */
  stderrFile?: string;
  /** The entry script (default WORKER_MAIN). */
  entry?: string;
}

export function spawnWorker(options: SpawnWorkerOptions): SpawnedWorker {
  const child = spawn(process.execPath, [options.entry ?? WORKER_MAIN, '--model', options.model], {
    // onnxruntime's telemetry opt-out is in the environment the child starts with (unless
    // HOURGLASS_ORT_TELEMETRY=on), not only set by its entry point.
    env: withOrtTelemetryOptOut(options.env),
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  const exited = new Promise<number | string>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')));
  let stderr = '';
  if (options.stderrFile) {
    mkdirSync(path.dirname(options.stderrFile), { recursive: true });
    // A full disk must not take the worker's parent down: the file is a diagnosis aid.
    child.stderr!.pipe(createWriteStream(options.stderrFile, { flags: 'a' }).on('error', () => undefined));
  }
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4_000);
  });
  const ready = new Promise<Record<string, unknown>>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`worker for ${options.model} not ready after ${options.readyTimeoutMs ?? 60_000} ms`)),
      options.readyTimeoutMs ?? 60_000,
    );
    timer.unref();
    const lines = readline.createInterface({ input: child.stdout! });
    let lastRecord = '';
    lines.on('line', (line) => {
      let record: Record<string, unknown>;
      try {
        record = JSON.parse(line) as Record<string, unknown>;
      } catch {
        record = { msg: line };
      }
      lastRecord = line;
      options.onLog?.(record, line);
    });
    child.on('message', (message: { type?: string }) => {
      if (message?.type === 'ready') {
        clearTimeout(timer);
        resolve(message as Record<string, unknown>);
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`worker for ${options.model} exited (${code}) before it was ready: ${lastRecord || stderr}`));
    });
  });
  ready.catch(() => undefined);
  return {
    child,
    ready,
    exited,
    stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}
