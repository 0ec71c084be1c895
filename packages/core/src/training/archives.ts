/**
 * Dataset archives (.zip, .tar.gz / .tgz) unpacked into a dataset folder, defensively: an entry
 * whose path is absolute or climbs with '..' rejects the whole archive (ARCHIVE_INVALID, 400);
 * links and devices are never created; only image files (by extension) are written, at most
 * `<label>/<file>` deep below the archive's root (a single top folder is taken as the root); the
 * entry count, each file's size and the total size are capped, and checked as bytes arrive, not
 * as headers claim. Everything else is skipped and reported.
 */
import { createReadStream } from 'node:fs';
import { mkdir, open, rename, rm, writeFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { createGunzip, inflateRawSync } from 'node:zlib';
import { AppError } from '../errors.js';
import { DATASET_IMAGE_EXTENSIONS, type SkippedFile } from './datasets.js';

export interface ArchiveLimits {
  /** Entries of any kind, skipped ones included. */
  maxEntries: number;
  /** Largest single file, uncompressed. */
  maxFileBytes: number;
  /** All written files together, uncompressed. */
  maxTotalBytes: number;
}

export const DEFAULT_ARCHIVE_LIMITS: ArchiveLimits = { maxEntries: 100_000, maxFileBytes: 25 * 1024 * 1024, maxTotalBytes: 2 * 1024 ** 3 };

export type ArchiveKind = 'zip' | 'tar.gz';

export interface ArchiveReport {
  /** Image files written. */
  written: number;
  /** Entries not written, and why. */
  skipped: SkippedFile[];
}

/** What an archive's file name says it is; undefined when it is neither. */
export function archiveKindOf(fileName: string): ArchiveKind | undefined {
  const lower = fileName.toLowerCase();
  if (lower.endsWith('.zip')) return 'zip';
  if (lower.endsWith('.tar.gz') || lower.endsWith('.tgz')) return 'tar.gz';
  return undefined;
}

const invalid = (message: string): AppError => new AppError('ARCHIVE_INVALID', message);

/** The entry's path as safe segments; ARCHIVE_INVALID for absolute paths and '..'. */
export function entrySegments(name: string): string[] {
  if (name.includes('\0')) throw invalid(`archive entry "${name.slice(0, 100)}" has a NUL byte in its name`);
  const unified = name.replaceAll('\\', '/');
  if (unified.startsWith('/') || /^[a-zA-Z]:/.test(unified)) throw invalid(`archive entry "${name.slice(0, 200)}" has an absolute path`);
  const segments = unified.split('/').filter((s) => s !== '' && s !== '.');
  if (segments.includes('..')) throw invalid(`archive entry "${name.slice(0, 200)}" climbs out of the archive ('..')`);
  return segments;
}

interface Entry {
  name: string;
  kind: 'file' | 'directory' | 'link' | 'other';
  /** Declared uncompressed size. */
  size: number;
}

/** Writes entries below a staging folder, enforcing the limits and the rules above. */
class Writer {
  written = 0;
  entries = 0;
  total = 0;
  readonly skipped: SkippedFile[] = [];
  private readonly seen = new Set<string>();

  constructor(
    readonly staging: string,
    private readonly limits: ArchiveLimits,
  ) {}

  /** Decides about an entry; returns where to write it, or undefined to skip it. */
  admit(entry: Entry): string | undefined {
    if (++this.entries > this.limits.maxEntries) throw invalid(`archive has more than ${this.limits.maxEntries} entries`);
    const segments = entrySegments(entry.name);
    const shown = segments.join('/');
    if (entry.kind === 'directory' || segments.length === 0) return undefined;
    const skip = (reason: string): undefined => {
      if (this.skipped.length < 1000) this.skipped.push({ path: shown, reason });
      return undefined;
    };
    if (entry.kind === 'link') return skip('link (not extracted)');
    if (entry.kind !== 'file') return skip('not a regular file');
    if (segments.some((s) => s.startsWith('.')) || segments.at(-1) === 'Thumbs.db') return skip('hidden or system file');
    if (!DATASET_IMAGE_EXTENSIONS.has(path.extname(shown).toLowerCase())) return skip(`not an image (${path.extname(shown) || 'no extension'})`);
    if (segments.length > 3) return skip('deeper than <dataset>/<label>/<file>');
    if (entry.size > this.limits.maxFileBytes) throw invalid(`archive entry "${shown}" is ${entry.size} bytes; the limit is ${this.limits.maxFileBytes}`);
    const key = shown.toLowerCase();
    if (this.seen.has(key)) return skip('duplicate name');
    this.seen.add(key);
    return path.join(this.staging, ...segments);
  }

  async write(target: string, data: Uint8Array): Promise<void> {
    if (data.byteLength > this.limits.maxFileBytes) throw invalid(`an archive entry is larger than ${this.limits.maxFileBytes} bytes`);
    this.total += data.byteLength;
    if (this.total > this.limits.maxTotalBytes) throw invalid(`archive unpacks to more than ${this.limits.maxTotalBytes} bytes`);
    await mkdir(path.dirname(target), { recursive: true });
    await writeFile(target, data, { flag: 'wx' });
    this.written++;
  }
}

// ---------------------------------------------------------------------------------------------
// tar (ustar, GNU long names, pax path records) read from a gunzip stream.

function octal(field: Buffer): number {
  const text = field.toString('latin1').replace(/\0.*$/s, '').trim();
  if (text === '') return 0;
  if (!/^[0-7]+$/.test(text)) throw invalid('tar header has a malformed number (base-256 sizes are not supported)');
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

async function readTarGz(file: string, writer: Writer, limits: ArchiveLimits): Promise<void> {
  const stream = createReadStream(file).pipe(createGunzip());
  const maxMeta = 1024 * 1024;
  let buffer: Buffer<ArrayBufferLike> = Buffer.alloc(0);
  let longName: string | undefined;
  /** The entry whose data comes next: kept (a file to write, a long name) or dropped as it streams. */
  let pending: { bytes: number; padded: number; keep: boolean; kind: 'L' | 'x' | 'data'; target?: string } | undefined;
  let ended = false;

  const step = async (): Promise<boolean> => {
    if (pending && !pending.keep) {
      const n = Math.min(buffer.length, pending.padded);
      buffer = buffer.subarray(n);
      pending.padded -= n;
      if (pending.padded > 0) return false;
      pending = undefined;
      return true;
    }
    if (pending) {
      if (buffer.length < pending.padded) return false;
      const data = Buffer.from(buffer.subarray(0, pending.bytes));
      buffer = buffer.subarray(pending.padded);
      const current = pending;
      pending = undefined;
      if (current.kind === 'L') longName = cString(data);
      else if (current.kind === 'x') longName = paxPath(data) ?? longName;
      else if (current.target) await writer.write(current.target, data);
      return true;
    }
    if (buffer.length < 512) return false;
    const header = buffer.subarray(0, 512);
    buffer = buffer.subarray(512);
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
      if (size > maxMeta) throw invalid('tar metadata entry is too large');
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
    const kind: Entry['kind'] = type === '0' || type === '7' ? 'file' : type === '5' ? 'directory' : type === '1' || type === '2' ? 'link' : 'other';
    const target = writer.admit({ name, kind, size });
    pending = { bytes: size, padded, keep: target !== undefined, kind: 'data', ...(target ? { target } : {}) };
    return true;
  };

  for await (const chunk of stream as AsyncIterable<Buffer>) {
    buffer = buffer.length === 0 ? chunk : Buffer.concat([buffer, chunk]);
    while (!ended && (await step()));
    if (ended) break;
    // Only a kept entry (≤ maxFileBytes, checked at admit) is ever buffered whole.
    if (buffer.length > limits.maxFileBytes + maxMeta + 1024 * 1024) throw invalid('tar stream is malformed');
  }
  stream.destroy();
  if (!ended && (pending !== undefined || buffer.length > 0)) throw invalid('tar archive is truncated');
}

// ---------------------------------------------------------------------------------------------
// zip (stored and deflate; no zip64, no encryption), read through its central directory.

async function readZip(file: string, writer: Writer, limits: ArchiveLimits): Promise<void> {
  const handle = await open(file, 'r');
  try {
    const { size } = await handle.stat();
    const tailLength = Math.min(size, 65_557);
    const tail = Buffer.alloc(tailLength);
    await handle.read(tail, 0, tailLength, size - tailLength);
    let eocd = -1;
    for (let i = tailLength - 22; i >= 0; i--) {
      if (tail.readUInt32LE(i) === 0x06054b50) {
        eocd = i;
        break;
      }
    }
    if (eocd === -1) throw invalid('not a zip archive (no end of central directory)');
    const count = tail.readUInt16LE(eocd + 10);
    const cdSize = tail.readUInt32LE(eocd + 12);
    const cdOffset = tail.readUInt32LE(eocd + 16);
    if (count === 0xffff || cdOffset === 0xffffffff) throw invalid('zip64 archives are not supported');
    if (count > limits.maxEntries) throw invalid(`archive has more than ${limits.maxEntries} entries`);
    if (cdOffset + cdSize > size) throw invalid('zip central directory lies outside the file');
    const cd = Buffer.alloc(cdSize);
    await handle.read(cd, 0, cdSize, cdOffset);
    let at = 0;
    for (let n = 0; n < count; n++) {
      if (at + 46 > cd.length || cd.readUInt32LE(at) !== 0x02014b50) throw invalid('zip central directory is malformed');
      const flags = cd.readUInt16LE(at + 8);
      const method = cd.readUInt16LE(at + 10);
      const compressed = cd.readUInt32LE(at + 20);
      const uncompressed = cd.readUInt32LE(at + 24);
      const nameLength = cd.readUInt16LE(at + 28);
      const extraLength = cd.readUInt16LE(at + 30);
      const commentLength = cd.readUInt16LE(at + 32);
      const madeBy = cd.readUInt16LE(at + 4) >> 8;
      const external = cd.readUInt32LE(at + 38);
      const localOffset = cd.readUInt32LE(at + 42);
      const name = cd.subarray(at + 46, at + 46 + nameLength).toString('utf8');
      at += 46 + nameLength + extraLength + commentLength;
      if (compressed === 0xffffffff || uncompressed === 0xffffffff || localOffset === 0xffffffff) throw invalid('zip64 archives are not supported');
      const unixMode = madeBy === 3 ? external >>> 16 : 0;
      const isLink = (unixMode & 0o170000) === 0o120000;
      const isDir = name.endsWith('/') || (unixMode & 0o170000) === 0o040000;
      const kind: Entry['kind'] = isLink ? 'link' : isDir ? 'directory' : 'file';
      const target = writer.admit({ name, kind, size: uncompressed });
      if (!target) continue;
      if (flags & 1) {
        writer.skipped.push({ path: name, reason: 'encrypted' });
        continue;
      }
      if (method !== 0 && method !== 8) {
        writer.skipped.push({ path: name, reason: `unsupported compression method ${method}` });
        continue;
      }
      const local = Buffer.alloc(30);
      await handle.read(local, 0, 30, localOffset);
      if (local.readUInt32LE(0) !== 0x04034b50) throw invalid(`zip entry "${name.slice(0, 200)}" has no local header`);
      const dataStart = localOffset + 30 + local.readUInt16LE(26) + local.readUInt16LE(28);
      if (dataStart + compressed > size) throw invalid(`zip entry "${name.slice(0, 200)}" lies outside the file`);
      const raw = Buffer.alloc(compressed);
      await handle.read(raw, 0, compressed, dataStart);
      let data: Uint8Array;
      try {
        // The output cap holds whatever the header claims (a zip bomb's declared size lies).
        data = method === 0 ? raw : inflateRawSync(raw, { maxOutputLength: Math.max(1, Math.min(uncompressed, limits.maxFileBytes)) });
      } catch (error) {
        throw invalid(`zip entry "${name.slice(0, 200)}" does not inflate to its declared size: ${(error as Error).message}`);
      }
      if (data.byteLength !== uncompressed) throw invalid(`zip entry "${name.slice(0, 200)}" is ${data.byteLength} bytes, its header says ${uncompressed}`);
      await writer.write(target, data);
    }
  } finally {
    await handle.close();
  }
}

/**
 * Unpacks an archive into `targetDir` (which must not exist): written to a hidden staging folder
 * beside it and renamed into place, so a rejected archive leaves nothing behind. A single
 * top-level folder in the archive is taken as the dataset folder itself.
 */
export async function extractDatasetArchive(file: string, kind: ArchiveKind, targetDir: string, limits: ArchiveLimits = DEFAULT_ARCHIVE_LIMITS): Promise<ArchiveReport> {
  const staging = path.join(path.dirname(targetDir), `.staging-${path.basename(targetDir)}-${randomUUID()}`);
  await mkdir(staging, { recursive: true });
  const writer = new Writer(staging, limits);
  try {
    if (kind === 'zip') await readZip(file, writer, limits);
    else await readTarGz(file, writer, limits).catch((error: unknown) => {
      if (error instanceof AppError) throw error;
      throw invalid(`not a readable .tar.gz: ${(error as Error).message}`);
    });
    if (writer.written === 0) throw invalid('archive holds no image files (.jpg, .jpeg, .png, .webp)');
    const top = await readdir(staging, { withFileTypes: true });
    let root = staging;
    const only = top[0];
    if (top.length === 1 && only?.isDirectory()) {
      const inner = await readdir(path.join(staging, only.name), { withFileTypes: true });
      if (inner.some((e) => e.isDirectory())) root = path.join(staging, only.name);
    }
    await mkdir(path.dirname(targetDir), { recursive: true });
    await rename(root, targetDir);
    return { written: writer.written, skipped: writer.skipped };
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}
