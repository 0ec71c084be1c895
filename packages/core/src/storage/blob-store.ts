/**
 * Uploaded images are stored content-addressed under DATA_ROOT/.hourglass/blobs/<2 hex>/<sha256>:
 * the same image uploaded twice is stored once, and jobs reference it by a path under DATA_ROOT
 * like any other image, so workers have one way to read images.
 */
import { createHash, randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm, stat, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Transform } from 'node:stream';
import { AppError } from '../errors.js';

export const BLOB_DIR = '.hourglass/blobs';

export class BlobStore {
  constructor(private readonly dataRoot: string) {}

  /** Stores bytes; returns their path relative to DATA_ROOT. */
  async put(bytes: Uint8Array): Promise<string> {
    const digest = createHash('sha256').update(bytes).digest('hex');
    const relative = path.posix.join(BLOB_DIR, digest.slice(0, 2), digest);
    const absolute = path.join(this.dataRoot, relative);
    if (await stat(absolute).then((s) => s.isFile(), () => false)) return relative;
    await mkdir(path.dirname(absolute), { recursive: true });
    // Write then rename: a reader never sees a half-written blob.
    const temp = `${absolute}.${randomUUID()}.tmp`;
    try {
      await writeFile(temp, bytes);
      await rename(temp, absolute);
    } catch (error) {
      await rm(temp, { force: true });
      throw error;
    }
    return relative;
  }

  /**
   * Streams an upload to disk while hashing it (no whole file in memory); returns its path
   * relative to DATA_ROOT and its size. `maxBytes` aborts oversized streams early.
   */
  async putStream(source: Readable, maxBytes: number): Promise<{ path: string; bytes: number; created?: { mtimeMs: number } }> {
    const tmpDir = path.join(this.dataRoot, BLOB_DIR, 'tmp');
    await mkdir(tmpDir, { recursive: true });
    const temp = path.join(tmpDir, `${randomUUID()}.part`);
    const hash = createHash('sha256');
    let bytes = 0;
    const meter = new Transform({
      transform(chunk: Buffer, _enc, done) {
        bytes += chunk.length;
        if (bytes > maxBytes) return done(new AppError('PAYLOAD_TOO_LARGE', `an uploaded file is larger than ${maxBytes} bytes`, { details: { maxBytes } }));
        hash.update(chunk);
        done(null, chunk);
      },
    });
    try {
      await pipeline(source, meter, createWriteStream(temp));
      const digest = hash.digest('hex');
      const relative = path.posix.join(BLOB_DIR, digest.slice(0, 2), digest);
      const absolute = path.join(this.dataRoot, relative);
      await mkdir(path.dirname(absolute), { recursive: true });
      const existing = await stat(absolute).then((s) => s.isFile(), () => false);
      if (existing) {
        // Reused: touching it tells a failed request that created it not to remove it (removeCreated).
        const now = new Date();
        await utimes(absolute, now, now).catch(() => undefined);
        await rm(temp, { force: true });
        return { path: relative, bytes };
      }
      await rename(temp, absolute);
      return { path: relative, bytes, created: { mtimeMs: (await stat(absolute)).mtimeMs } };
    } catch (error) {
      await rm(temp, { force: true });
      throw error;
    }
  }

  /**
   * Removes blobs a failed request created, unless another request stored the same bytes since
   * (it touched the file: its mtime moved). What a request that fails leaves on disk is nothing.
   */
  async removeCreated(created: ReadonlyArray<{ path: string; mtimeMs: number }>): Promise<number> {
    let removed = 0;
    for (const blob of created) {
      const absolute = path.join(this.dataRoot, blob.path);
      const info = await stat(absolute).catch(() => undefined);
      if (info && info.mtimeMs === blob.mtimeMs) {
        await rm(absolute, { force: true });
        removed++;
      }
    }
    return removed;
  }
}
