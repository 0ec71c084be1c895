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
import { imageProblem } from './archive-image-check.js';

export interface ArchiveLimits {
  /** Entries of any kind, skipped ones included. */
  maxEntries: number;
  /** Largest single file, uncompressed. */
  maxFileBytes: number;
  /** All written files together, uncompressed. */
  maxTotalBytes: number;
  /**
   * Most uncompressed bytes read per byte of the archive file (written and skipped entries alike):
   * photos barely compress, a zip bomb expands thousands of times. Over it: 413 ARCHIVE_TOO_LARGE.
   */
  maxExpansionRatio?: number;
}

export const DEFAULT_MAX_EXPANSION_RATIO = 50;

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
  /** Folders implied by admitted files: a file may not take a folder's name, nor a folder a file's. */
  private readonly folders = new Set<string>();
  /** Uncompressed bytes of every entry so far, kept or not (the expansion-ratio cap). */
  private expanded = 0;

  constructor(
    readonly staging: string,
    private readonly limits: ArchiveLimits,
    /** Size of the archive file, for the expansion-ratio cap (0: not checked). */
    private readonly archiveBytes = 0,
  ) {}

  /** Counts uncompressed bytes as entries are read; ARCHIVE_TOO_LARGE past the expansion ratio. */
  expand(bytes: number): void {
    this.expanded += bytes;
    const ratio = this.limits.maxExpansionRatio ?? DEFAULT_MAX_EXPANSION_RATIO;
    const allowed = Math.max(this.archiveBytes * ratio, 64 * 1024 * 1024);
    if (this.archiveBytes > 0 && this.expanded > allowed) {
      throw new AppError(
        'ARCHIVE_TOO_LARGE',
        `archive expands more than ${ratio} times its size (${this.archiveBytes} bytes compressed): refused as a likely zip bomb`,
        {
          details: { archiveBytes: this.archiveBytes, maxExpansionRatio: ratio },
        },
      );
    }
  }

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
    if (entry.size > this.limits.maxFileBytes)
      throw archiveInvalid(`archive entry "${shown}" is ${entry.size} bytes; the limit is ${this.limits.maxFileBytes}`);
    const key = shown.toLowerCase();
    if (this.seen.has(key)) return skip('duplicate name');
    const parents = segments.slice(0, -1).map((_, i) =>
      segments
        .slice(0, i + 1)
        .join('/')
        .toLowerCase(),
    );
    if (this.folders.has(key) || parents.some((p) => this.seen.has(p))) {
      throw new AppError('ARCHIVE_NAME_COLLISION', `archive entry "${shown}" collides with another entry: one name is both a file and a folder`, {
        details: { entry: shown },
      });
    }
    this.seen.add(key);
    for (const p of parents) this.folders.add(p);
    return path.join(this.staging, ...segments);
  }

  /** Writes an admitted entry's bytes; the caps are checked again on the real size. */
  async write(target: string, data: Uint8Array): Promise<void> {
    if (data.byteLength > this.limits.maxFileBytes) throw archiveInvalid(`an archive entry is larger than ${this.limits.maxFileBytes} bytes`);
    const problem = await imageProblem(data);
    const shown = path.relative(this.staging, target).split(path.sep).join('/');
    if (problem) {
      if (this.skipped.length < 1000) this.skipped.push({ path: shown, reason: problem });
      return;
    }
    this.total += data.byteLength;
    if (this.total > this.limits.maxTotalBytes) throw archiveInvalid(`archive unpacks to more than ${this.limits.maxTotalBytes} bytes`);
    try {
      await mkdir(path.dirname(target), { recursive: true });
      await writeFile(target, data, { flag: 'wx' });
    } catch (error) {
      // A collision admit() could not see (case folding, a file system's own rules). Never the
      // staging path in the message: clients see it.
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EEXIST' || code === 'ENOTDIR' || code === 'EISDIR') {
        throw new AppError('ARCHIVE_NAME_COLLISION', `archive entry "${shown}" collides with another entry`, { details: { entry: shown } });
      }
      throw new AppError('ARCHIVE_INVALID', `archive entry "${shown}" could not be stored (${code ?? 'write failed'})`);
    }
    this.written++;
  }
}
