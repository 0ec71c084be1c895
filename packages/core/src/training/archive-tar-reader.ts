/**
 * tar (ustar, GNU long names, pax path records) read from a gunzip stream, entry by entry: each
 * header goes to the ArchiveWriter, and only admitted files are buffered whole; the rest stream
 * past and are dropped. Chunks are queued as they come and each byte is copied at most once, so
 * the cost is linear in the archive (a Buffer.concat per chunk made one 25 MB entry cost 13.5 s).
 */
import { createReadStream } from 'node:fs';
import { createGunzip } from 'node:zlib';
import { archiveInvalid, type ArchiveEntry, type ArchiveLimits, type ArchiveWriter } from './archive-entry-policy.js';

function octal(field: Buffer): number {
  const text = field.toString('latin1').replace(/\0.*$/s, '').trim();
  if (text === '') return 0;
  if (!/^[0-7]+$/.test(text)) throw archiveInvalid('tar header has a malformed number (base-256 sizes are not supported)');
  return parseInt(text, 8);
}

function cString(field: Buffer): string {
  const end = field.indexOf(0);
  return field.subarray(0, end === -1 ? field.length : end).toString('utf8');
}

function paxPath(data: Buffer): string | undefined {
  // Records: "<len> <key>=<value>\n"
  let at = 0;
  let found: string | undefined;
  while (at < data.length) {
    const space = data.indexOf(0x20, at);
    if (space === -1) break;
    const length = parseInt(data.subarray(at, space).toString('latin1'), 10);
    if (!(length > 0)) break;
    const record = data.subarray(space + 1, at + length - 1).toString('utf8');
    const eq = record.indexOf('=');
    if (record.slice(0, eq) === 'path') found = record.slice(eq + 1);
    at += length;
  }
  return found;
}

/** A queue of chunks: take(n) copies exactly n bytes once; skip(n) drops them without copying. */
class ByteQueue {
  private chunks: Buffer[] = [];
  private offset = 0;
  length = 0;

  push(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.length += chunk.length;
  }

  skip(n: number): void {
    this.length -= n;
    while (n > 0) {
      const first = this.chunks[0]!;
      const available = first.length - this.offset;
      if (available <= n) {
        n -= available;
        this.chunks.shift();
        this.offset = 0;
      } else {
        this.offset += n;
        n = 0;
      }
    }
  }

  take(n: number): Buffer {
    const out = Buffer.allocUnsafe(n);
    let filled = 0;
    for (const chunk of this.chunks) {
      if (filled >= n) break;
      const start = filled === 0 ? this.offset : 0;
      filled += chunk.copy(out, filled, start, Math.min(chunk.length, start + (n - filled)));
    }
    this.skip(n);
    return out;
  }
}

export async function readTarGz(file: string, writer: ArchiveWriter, limits: ArchiveLimits): Promise<void> {
  const stream = createReadStream(file).pipe(createGunzip());
  const maxMeta = 1024 * 1024;
  const buffer = new ByteQueue();
  let longName: string | undefined;
  /** The entry whose data comes next: kept (a file to write, a long name) or dropped as it streams. */
  let pending: { bytes: number; padded: number; keep: boolean; kind: 'L' | 'x' | 'data'; target?: string } | undefined;
  let ended = false;

  const step = async (): Promise<boolean> => {
    if (pending && !pending.keep) {
      const n = Math.min(buffer.length, pending.padded);
      buffer.skip(n);
      pending.padded -= n;
      if (pending.padded > 0) return false;
      pending = undefined;
      return true;
    }
    if (pending) {
      if (buffer.length < pending.padded) return false;
      const data = buffer.take(pending.bytes);
      buffer.skip(pending.padded - pending.bytes);
      const current = pending;
      pending = undefined;
      if (current.kind === 'L') longName = cString(data);
      else if (current.kind === 'x') longName = paxPath(data) ?? longName;
      else if (current.target) await writer.write(current.target, data);
      return true;
    }
    if (buffer.length < 512) return false;
    const header = buffer.take(512);
    if (header.every((b) => b === 0)) {
      ended = true;
      return false;
    }
    const type = header[156] === 0 ? '0' : String.fromCharCode(header[156]!);
    const size = octal(header.subarray(124, 136));
    const padded = Math.ceil(size / 512) * 512;
    let name = cString(header.subarray(0, 100));
    if (header.subarray(257, 262).toString('latin1') === 'ustar') {
      const prefix = cString(header.subarray(345, 500));
      if (prefix) name = `${prefix}/${name}`;
    }
    if (type === 'L' || type === 'x') {
      if (size > maxMeta) throw archiveInvalid('tar metadata entry is too large');
      pending = { bytes: size, padded, keep: true, kind: type };
      return true;
    }
    if (type === 'g') {
      pending = { bytes: size, padded, keep: false, kind: 'data' };
      return true;
    }
    if (longName !== undefined) {
      name = longName;
      longName = undefined;
    }
    const kind: ArchiveEntry['kind'] = type === '0' || type === '7' ? 'file' : type === '5' ? 'directory' : type === '1' || type === '2' ? 'link' : 'other';
    const target = writer.admit({ name, kind, size });
    writer.expand(size);
    pending = { bytes: size, padded, keep: target !== undefined, kind: 'data', ...(target ? { target } : {}) };
    return true;
  };

  for await (const chunk of stream as AsyncIterable<Buffer>) {
    buffer.push(chunk);
    while (!ended && (await step()));
    if (ended) break;
    // Only a kept entry (≤ maxFileBytes, checked at admit) is ever buffered whole.
    if (buffer.length > limits.maxFileBytes + maxMeta + 1024 * 1024) throw archiveInvalid('tar stream is malformed');
  }
  stream.destroy();
  if (!ended && (pending !== undefined || buffer.length > 0)) throw archiveInvalid('tar archive is truncated');
}
