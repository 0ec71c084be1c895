/**
 * Uploaded images are stored content-addressed under DATA_ROOT/.hourglass/blobs/<2 hex>/<sha256>:
 * the same image uploaded twice is stored once, and jobs reference it by a path under DATA_ROOT
 * like any other image, so workers have one way to read images.
 */
import { createHash, randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Transform } from 'node:stream';
import { AppError } from '../errors.js';
import type { BlobRefs } from './blob-refs.js';

export const BLOB_DIR = '.hourglass/blobs';

export class BlobStore {
  /** `refs`: where uploads record who needs each blob (the API); without it nothing is ever reclaimed. */
  constructor(
    private readonly dataRoot: string,
    private readonly refs?: { refs: BlobRefs; leaseMs: number },
  ) {}

  /** Stores bytes; returns their path relative to DATA_ROOT. */
  async put(bytes: Uint8Array): Promise<string> {
    const digest = createHash('sha256').update(bytes).digest('hex');
    const relative = blobPath(digest);
    const absolute = path.join(this.dataRoot, relative);
    if (
      await stat(absolute).then(
        (s) => s.isFile(),
        () => false,
      )
    )
      return relative;
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
   *
   * With references (BlobRefs), an upload lease is taken once the bytes are hashed and BEFORE the
   * file is moved into place, and the file is always moved into place (rename replaces a file
   * with the same bytes atomically). So a sweep that removed the blob a moment ago (it saw no
   * lease) cannot take the bytes this upload is about to name: they are put back by the rename.
   */
  async putStream(source: Readable, maxBytes: number): Promise<StoredBlob> {
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
      const relative = blobPath(digest);
      const absolute = path.join(this.dataRoot, relative);
      const lease = this.refs ? await this.refs.refs.lease(digest, this.refs.leaseMs) : undefined;
      await mkdir(path.dirname(absolute), { recursive: true });
      const existed = await stat(absolute).then(
        (s) => s.isFile(),
        () => false,
      );
      await rename(temp, absolute);
      return { path: relative, digest, bytes, created: !existed, ...(lease !== undefined ? { lease } : {}) };
    } catch (error) {
      await rm(temp, { force: true });
      throw error;
    }
  }

  /**
   * Removes blob `digest` if nothing refers to it, safely against an upload of the same bytes at
   * the same moment: the file is first moved aside, then the references are checked atomically
   * (BlobRefs.forgetIfUnreferenced); if anything still refers to it, it is moved back. An upload
   * that leased after that check moves its own copy into place. Answers whether it was removed.
   */
  async reclaim(digest: string): Promise<boolean> {
    if (!this.refs) return false;
    const absolute = path.join(this.dataRoot, blobPath(digest));
    const aside = path.join(this.dataRoot, BLOB_DIR, 'tmp', `${digest}.${randomUUID()}.gone`);
    await mkdir(path.dirname(aside), { recursive: true });
    try {
      await rename(absolute, aside);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw error;
    }
    let unreferenced = false;
    try {
      unreferenced = await this.refs.refs.forgetIfUnreferenced(digest);
    } finally {
      // Redis away or still referenced: put it back (over a copy an upload moved in: same bytes).
      if (unreferenced) await rm(aside, { force: true });
      else
        await rename(aside, absolute).catch((error: NodeJS.ErrnoException) => {
          // Already put back by a sweep that found it aside (BlobSweeper.cleanTmp).
          if (error.code !== 'ENOENT') throw error;
        });
    }
    return unreferenced;
  }

  /**
   * A failed request: drops its leases, then reclaims the blobs it created (unless another batch
   * or upload refers to them by now). What a request that fails leaves on disk is nothing.
   */
  async discard(stored: ReadonlyArray<StoredBlob>): Promise<number> {
    if (!this.refs) return 0;
    for (const blob of stored) if (blob.lease !== undefined) await this.refs.refs.release(blob.digest, blob.lease);
    let removed = 0;
    for (const blob of stored) if (blob.created && (await this.reclaim(blob.digest))) removed++;
    return removed;
  }
}

export interface StoredBlob {
  /** Relative to DATA_ROOT. */
  path: string;
  digest: string;
  bytes: number;
  /** No file with these bytes was there before this upload. */
  created: boolean;
  /** The upload lease (BlobRefs) to release once the batch is recorded. */
  lease?: string;
}

export const blobPath = (digest: string): string => path.posix.join(BLOB_DIR, digest.slice(0, 2), digest);
