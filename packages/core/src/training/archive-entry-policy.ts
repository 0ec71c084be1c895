/**
 * What a dataset archive may put on disk, whatever its format: an entry whose path is absolute or
 * climbs with '..' rejects the whole archive (ARCHIVE_INVALID, 400); links and devices are never
 * created; only image files (by extension) are written, at most `<dataset>/<label>/<file>` deep;
 * the entry count, each file's size and the total size are capped, and checked as bytes arrive,
 * not only as headers claim. Everything else is skipped and reported.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
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

/** The error that rejects a whole archive. */
export const archiveInvalid = (message: string): AppError => new AppError('ARCHIVE_INVALID', message);

/** The entry's path as safe segments; ARCHIVE_INVALID for absolute paths and '..'. */
export function entrySegments(name: string): string[] {
  if (name.includes('\0')) throw archiveInvalid(`archive entry "${name.slice(0, 100)}" has a NUL byte in its name`);
  const unified = name.replaceAll('\\', '/');
  if (unified.startsWith('/') || /^[a-zA-Z]:/.test(unified)) throw archiveInvalid(`archive entry "${name.slice(0, 200)}" has an absolute path`);
  const segments = unified.split('/').filter((s) => s !== '' && s !== '.');
  if (segments.includes('..')) throw archiveInvalid(`archive entry "${name.slice(0, 200)}" climbs out of the archive ('..')`);
  return segments;
}

/** An archive entry as its header describes it, before any of its data is read. */
export interface ArchiveEntry {
  name: string;
  kind: 'file' | 'directory' | 'link' | 'other';
  /** Declared uncompressed size. */
  size: number;
}

/** Writes entries below a staging folder, enforcing the limits and the rules above. */
export class ArchiveWriter {
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
  admit(entry: ArchiveEntry): string | undefined {
    if (++this.entries > this.limits.maxEntries) throw archiveInvalid(`archive has more than ${this.limits.maxEntries} entries`);
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
    if (entry.size > this.limits.maxFileBytes) throw archiveInvalid(`archive entry "${shown}" is ${entry.size} bytes; the limit is ${this.limits.maxFileBytes}`);
    const key = shown.toLowerCase();
    if (this.seen.has(key)) return skip('duplicate name');
    this.seen.add(key);
    return path.join(this.staging, ...segments);
  }

  /** Writes an admitted entry's bytes; the caps are checked again on the real size. */
  async write(target: string, data: Uint8Array): Promise<void> {
    if (data.byteLength > this.limits.maxFileBytes) throw archiveInvalid(`an archive entry is larger than ${this.limits.maxFileBytes} bytes`);
    this.total += data.byteLength;
    if (this.total > this.limits.maxTotalBytes) throw archiveInvalid(`archive unpacks to more than ${this.limits.maxTotalBytes} bytes`);
    await mkdir(path.dirname(target), { recursive: true });
    await writeFile(target, data, { flag: 'wx' });
    this.written++;
  }
}
