/** `hourglass results <batchId>`: the batch's result rows as NDJSON or CSV, to stdout or a file. */
import { createWriteStream } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import type { HourglassClient } from '../api-client.js';
import { CONNECTION_HELP, EXIT, EXIT_CODES_HELP, UsageError, clientFrom, connectionOptions, parse, runCommand, type Io } from './common.js';

export const RESULTS_USAGE = `usage: hourglass results <batchId> [--format csv|ndjson] [--out FILE]

Prints one row per finished image, in index order. A batch still running prints the rows so far
(and says so on stderr).

options:
  --format F     ndjson (default) or csv; --json is the same as --format ndjson
  --out FILE     write to FILE instead of stdout
  -h, --help     this help
${CONNECTION_HELP}${EXIT_CODES_HELP}`;

/** Streams the results to a file (never held whole in memory); answers the batch status header. */
export async function writeResults(
  client: HourglassClient,
  id: string,
  format: 'csv' | 'ndjson',
  file: string | NodeJS.WritableStream,
): Promise<string | null> {
  const response = await client.resultsResponse(id, format);
  const body = Readable.fromWeb(response.body as unknown as WebReadableStream<Uint8Array>);
  if (typeof file === 'string') await pipeline(body, createWriteStream(file));
  else await pipeline(body, file, { end: false });
  return response.headers.get('x-batch-status');
}

export function resultsCommand(args: string[], io: Io): Promise<number> {
  return runCommand(io, RESULTS_USAGE, async () => {
    const { values, positionals } = parse(args, { ...connectionOptions, format: { type: 'string' }, out: { type: 'string', short: 'o' } });
    if (values.help) {
      io.stdout.write(RESULTS_USAGE);
      return EXIT.OK;
    }
    const [id, ...extra] = positionals;
    if (!id || extra.length > 0) throw new UsageError('give exactly one batch id');
    const format = values.format ?? (values.out?.toLowerCase().endsWith('.csv') ? 'csv' : 'ndjson');
    if (format !== 'csv' && format !== 'ndjson') throw new UsageError('--format must be csv or ndjson');
    if (values.json && format !== 'ndjson') throw new UsageError('--json prints NDJSON; drop --format csv');
    const client = clientFrom(values, io.env);
    const status = await writeResults(client, id, format, values.out ?? io.stdout);
    if (status && status !== 'completed') io.stderr.write(`note: batch ${id} is ${status}; these are the rows so far\n`);
    return EXIT.OK;
  });
}
