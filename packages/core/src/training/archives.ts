/**
 * Dataset archives (.zip, .tar.gz / .tgz) unpacked into a dataset folder, defensively: every entry
 * passes the policy in archive-entry-policy.ts (no path traversal, no links, images only, capped
 * count and sizes; everything else skipped and reported), read by archive-zip-reader.ts or
 * archive-tar-reader.ts. This module picks the reader and makes the result all-or-nothing.
 */
import { mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { AppError } from '../errors.js';
import type { SkippedFile } from './datasets.js';
import { ArchiveWriter, DEFAULT_ARCHIVE_LIMITS, archiveInvalid, type ArchiveLimits } from './archive-entry-policy.js';
import { readTarGz } from './archive-tar-reader.js';
import { readZip } from './archive-zip-reader.js';

export { DEFAULT_ARCHIVE_LIMITS, entrySegments, type ArchiveLimits } from './archive-entry-policy.js';

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

/**
 * Unpacks an archive into `targetDir` (which must not exist): written to a hidden staging folder
 * beside it and renamed into place, so a rejected archive leaves nothing behind. A single
 * top-level folder in the archive is taken as the dataset folder itself.
 */
export async function extractDatasetArchive(
  file: string,
  kind: ArchiveKind,
  targetDir: string,
  limits: ArchiveLimits = DEFAULT_ARCHIVE_LIMITS,
): Promise<ArchiveReport> {
  const staging = path.join(path.dirname(targetDir), `.staging-${path.basename(targetDir)}-${randomUUID()}`);
  await mkdir(staging, { recursive: true });
  const writer = new ArchiveWriter(staging, limits, (await stat(file)).size);
  try {
    if (kind === 'zip') await readZip(file, writer, limits);
    else
      await readTarGz(file, writer, limits).catch((error: unknown) => {
        // gunzip and stream errors are plain Errors; they mean the upload is not a .tar.gz.
        if (error instanceof AppError) throw error;
        // File-system errors name paths on this server: say only what kind of failure it was.
        const { code, message, path: where } = error as NodeJS.ErrnoException;
        throw archiveInvalid(`not a readable .tar.gz: ${where !== undefined ? (code ?? 'read failed') : message}`);
      });
    if (writer.written === 0) throw archiveInvalid('archive holds no image files (.jpg, .jpeg, .png, .webp)');
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
