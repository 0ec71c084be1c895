/**
 * `hourglass submit <folder|files...> --model M`: uploads the images (or references paths under
 * the server's DATA_ROOT with --paths), follows the batch's event stream with a live progress bar,
 * and writes the results (CSV or NDJSON by the --out extension).
 */
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import type { BatchView, ResultRow } from '@hourglass/core';
import { ApiError, type HourglassClient } from '../api-client.js';
import { renderTable } from '../table.js';
import { CONNECTION_HELP, EXIT, EXIT_CODES_HELP, UsageError, clientFrom, connectionOptions, parse, runCommand, writeJson, type Io } from './common.js';
import { followWithProgress, summary } from './follow.js';
import { writeResults } from './results.js';

export const SUBMIT_USAGE = `usage: hourglass submit <folder|files...> --model M [options]

Submits images as one batch, shows live progress on stderr (done/total, images/s, ETA, failures)
and writes the results when every image has one.

options:
  -m, --model M          model to classify with (see \`hourglass models list\`)
  --upload               upload the files as multipart (default); folders are searched recursively
  --paths                send paths relative to the server's DATA_ROOT instead of uploading
  --data-root DIR        with --paths: where DATA_ROOT is on this machine (env DATA_ROOT);
                         files and folders given are then made relative to it
  --chunk K              images per queue job, 1-256 (default 1)
  --out FILE             write the results to FILE: CSV when it ends in .csv, else NDJSON
  --idempotency-key K    the same key again returns the same batch (safe retries)
  --detach               print the batch id and exit without waiting
  --json                 print {"batch", "out"} as JSON on stdout (progress stays on stderr)
  -h, --help             this help
${CONNECTION_HELP}${EXIT_CODES_HELP}`;

export const IMAGE_EXTENSIONS = new Set(['.jpg', '.jpeg', '.png', '.webp', '.gif', '.avif', '.tif', '.tiff', '.bmp', '.heic', '.heif']);

/** Image files under the given files/folders: explicit files as they are, folders searched for image extensions. */
export async function collectImages(inputs: string[]): Promise<Array<{ file: string; name: string }>> {
  const out: Array<{ file: string; name: string }> = [];
  const walk = async (dir: string, base: string): Promise<void> => {
    const entries = await readdir(dir, { withFileTypes: true });
    for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
      if (entry.name.startsWith('.')) continue;
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) await walk(full, base);
      else if (entry.isFile() && IMAGE_EXTENSIONS.has(path.extname(entry.name).toLowerCase())) {
        out.push({ file: full, name: path.relative(base, full).split(path.sep).join('/') });
      }
    }
  };
  for (const input of inputs) {
    const info = await stat(input).catch(() => undefined);
    if (!info) throw new UsageError(`${input}: no such file or folder`);
    if (info.isDirectory()) await walk(path.resolve(input), path.resolve(input, '..'));
    else out.push({ file: path.resolve(input), name: path.basename(input) });
  }
  return out;
}

/** --paths: what to send for each input, relative to DATA_ROOT. */
async function pathsUnder(inputs: string[], dataRoot: string | undefined): Promise<string[]> {
  if (dataRoot === undefined) {
    for (const input of inputs) {
      if (path.isAbsolute(input)) throw new UsageError(`${input}: absolute path; give --data-root (or DATA_ROOT) so it can be made relative to it`);
      if ((await stat(input).catch(() => undefined))?.isDirectory()) throw new UsageError(`${input} is a folder: give --data-root (or DATA_ROOT) to list it`);
    }
    return inputs;
  }
  const root = path.resolve(dataRoot);
  const images = await collectImages(inputs.map((i) => path.resolve(root, i)));
  return images.map(({ file }) => {
    const rel = path.relative(root, file);
    if (rel.startsWith('..') || path.isAbsolute(rel)) throw new UsageError(`${file} is not under the data root ${root}`);
    return rel.split(path.sep).join('/');
  });
}

/** The fields of a result row (NDJSON from GET /v1/batches/:id/results) that the table shows. */
type PrintedRow = Pick<ResultRow, 'index' | 'source' | 'label' | 'confidence' | 'error'>;

async function printFirstRows(client: HourglassClient, io: Io, id: string, limit = 20): Promise<void> {
  const response = await client.resultsResponse(id, 'ndjson');
  const rows: PrintedRow[] = [];
  let buffer = '';
  const decoder = new TextDecoder();
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
    buffer += decoder.decode(chunk, { stream: true });
    const lines = buffer.split('\n');
    buffer = lines.pop() ?? '';
    for (const line of lines) if (line && rows.length < limit) rows.push(JSON.parse(line) as PrintedRow);
    if (rows.length >= limit) break;
  }
  if (buffer && rows.length < limit) rows.push(JSON.parse(buffer) as PrintedRow);
  io.stdout.write(
    `${renderTable(
      ['#', 'image', 'label', 'confidence', 'error'],
      rows.map((r) => [
        r.index,
        String(r.source).slice(0, 60),
        r.label ?? '',
        r.confidence === undefined ? '' : Number(r.confidence).toFixed(4),
        r.error ? `${r.error.code}` : '',
      ]),
    )}\n`,
  );
}

export function submitCommand(args: string[], io: Io): Promise<number> {
  return runCommand(io, SUBMIT_USAGE, async () => {
    const { values, positionals } = parse(args, {
      ...connectionOptions,
      model: { type: 'string', short: 'm' },
      upload: { type: 'boolean', default: false },
      paths: { type: 'boolean', default: false },
      'data-root': { type: 'string' },
      chunk: { type: 'string' },
      out: { type: 'string', short: 'o' },
      'idempotency-key': { type: 'string' },
      detach: { type: 'boolean', default: false },
    });
    if (values.help) {
      io.stdout.write(SUBMIT_USAGE);
      return EXIT.OK;
    }
    if (!values.model) throw new UsageError('--model is required');
    if (positionals.length === 0) throw new UsageError('give at least one folder or image file');
    if (values.upload && values.paths) throw new UsageError('--upload and --paths exclude each other');
    const chunkSize = values.chunk === undefined ? undefined : Number(values.chunk);
    if (chunkSize !== undefined && (!Number.isInteger(chunkSize) || chunkSize < 1 || chunkSize > 256))
      throw new UsageError('--chunk must be an integer from 1 to 256');
    const client = clientFrom(values, io.env);
    const options = { ...(chunkSize ? { chunkSize } : {}), ...(values['idempotency-key'] ? { idempotencyKey: values['idempotency-key'] } : {}) };

    let created: BatchView;
    if (values.paths) {
      const paths = await pathsUnder(positionals, values['data-root'] ?? (io.env.dataRootIsSet ? io.env.DATA_ROOT : undefined));
      if (paths.length === 0) throw new UsageError('no images found');
      created = await client.submitPaths(values.model, paths, options);
    } else {
      const images = await collectImages(positionals);
      if (images.length === 0) throw new UsageError(`no images found in ${positionals.join(', ')} (looked for ${[...IMAGE_EXTENSIONS].join(' ')})`);
      if (!values.json) io.stderr.write(`uploading ${images.length} image(s)...\n`);
      try {
        created = await client.submitFiles(
          values.model,
          images.map((i) => i.file),
          { ...options, names: images.map((i) => i.name) },
        );
      } catch (error) {
        if (error instanceof ApiError && (error.code === 'TOO_MANY_IMAGES' || error.code === 'PAYLOAD_TOO_LARGE')) {
          throw new ApiError(
            error.status,
            error.code,
            `${error.message} (uploads are capped by the server's MAX_UPLOAD_FILES / MAX_UPLOAD_BYTES; for large sets put the images under DATA_ROOT and use --paths)`,
          );
        }
        throw error;
      }
    }
    if (!values.json) io.stderr.write(`batch ${created.id}: ${created.total} image(s) queued for ${created.model}\n`);
    if (values.detach) {
      if (values.json) writeJson(io, { batch: created, out: null });
      else io.stdout.write(`${created.id}\n`);
      return EXIT.OK;
    }

    const final = await followWithProgress(client, created, io, false);
    let out: string | null = null;
    if (values.out) {
      out = path.resolve(values.out);
      await writeResults(client, final.id, values.out.toLowerCase().endsWith('.csv') ? 'csv' : 'ndjson', out);
    }
    if (values.json) {
      writeJson(io, { batch: final, out });
    } else {
      if (!out) await printFirstRows(client, io, final.id);
      io.stdout.write(`${summary(final)}\n`);
      if (out) io.stdout.write(`results written to ${out}\n`);
    }
    return final.counts.failed > 0 ? EXIT.FAILED : EXIT.OK;
  });
}
