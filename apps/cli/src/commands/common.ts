/**
 * What every client command shares: the exit codes scripts rely on, the --url/--key/--json/--help
 * options (HOURGLASS_URL / HOURGLASS_API_KEY as fallbacks), and one place that turns errors into
 * a message on stderr and an exit code.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { AppError } from '@hourglass/core';
import { ApiError, HourglassClient, UnreachableError } from '../api-client.js';
import { loadCliEnv, type CliEnv } from '../env.js';

/** Exit codes (documented in --help): stable, so scripts can branch on them. */
export const EXIT = {
  /** Everything worked and every image has a label. */
  OK: 0,
  /** Some images failed, or the API refused the request (4xx/5xx). */
  FAILED: 1,
  /** Bad command line: unknown command or option, missing argument. */
  USAGE: 2,
  /** The API could not be reached (refused, unknown host, reset). */
  UNREACHABLE: 3,
} as const;

export const EXIT_CODES_HELP = `exit codes:
  0  ok (every image labelled)
  1  some images failed, or the API refused the request
  2  usage error
  3  the API could not be reached
`;

export const CONNECTION_HELP = `connection:
  --url URL    API base URL (env HOURGLASS_URL, default http://127.0.0.1:3000)
  --key KEY    API key (env HOURGLASS_API_KEY)
`;

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/**
 * The exit code of a command that threw: EXIT.USAGE for a usage mistake (a UsageError, or
 * node:util's parseArgs refusing an option or value), EXIT.FAILED for anything else.
 */
export function exitCodeOf(error: unknown): number {
  if (error instanceof UsageError) return EXIT.USAGE;
  const code = error instanceof Error ? (error as { code?: unknown }).code : undefined;
  return typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS_') ? EXIT.USAGE : EXIT.FAILED;
}

export interface Io {
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WriteStream;
  env: CliEnv;
}

/** The process's own streams and its environment, parsed once (main.ts calls this once). */
export const processIo = (): Io => ({ stdout: process.stdout, stderr: process.stderr, env: loadCliEnv(process.env) });

export const connectionOptions = {
  url: { type: 'string' },
  key: { type: 'string' },
  json: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
} as const satisfies NonNullable<ParseArgsConfig['options']>;

/** parseArgs with strict options; its errors become UsageError (exit 2). */
export function parse<const O extends NonNullable<ParseArgsConfig['options']>>(
  args: string[],
  options: O,
): ReturnType<typeof parseArgs<{ args: string[]; options: O; allowPositionals: true; strict: true }>> {
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

export function clientFrom(values: { url?: string | undefined; key?: string | undefined }, env: CliEnv): HourglassClient {
  const url = (values.url ?? env.HOURGLASS_URL).replace(/\/+$/, '');
  if (!/^https?:\/\/[^/]+/.test(url)) throw new UsageError(`--url must be an http(s) URL, got "${url}"`);
  return new HourglassClient(url, values.key ?? env.HOURGLASS_API_KEY);
}

/** Runs a command body; prints what went wrong and answers the exit code. */
export async function runCommand(io: Io, usage: string, body: () => Promise<number>): Promise<number> {
  const code = await answer(io, usage, body);
  // main.ts exits right after: let what is buffered for a pipe reach it first.
  await new Promise<void>((resolve) => io.stdout.write('', () => resolve()));
  return code;
}

async function answer(io: Io, usage: string, body: () => Promise<number>): Promise<number> {
  try {
    return await body();
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr.write(`error: ${error.message}\n\n${usage}`);
      return EXIT.USAGE;
    }
    if (error instanceof UnreachableError) {
      io.stderr.write(`error: ${error.message}\n`);
      return EXIT.UNREACHABLE;
    }
    if (error instanceof ApiError) {
      io.stderr.write(`error: ${error.code}${error.status ? ` (HTTP ${error.status})` : ''}: ${error.message}\n`);
      return EXIT.FAILED;
    }
    // Commands that work on the registry directly (models add, import-bundled) throw core's errors.
    if (error instanceof AppError) {
      io.stderr.write(`error: ${error.code}: ${error.message}\n`);
      return EXIT.FAILED;
    }
    io.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
    return EXIT.FAILED;
  }
}

export const writeJson = (io: Io, value: unknown): void => {
  io.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
};

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KiB', 'MiB', 'GiB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}
