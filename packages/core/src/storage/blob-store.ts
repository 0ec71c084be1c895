/**
 * Uploaded images are stored content-addressed under DATA_ROOT/.hourglass/blobs/<2 hex>/<sha256>:
 * the same image uploaded twice is stored once, and jobs reference it by a path under DATA_ROOT
 * like any other image, so workers have one way to read images.
 */
import { createHash, randomUUID } from 'node:crypto';
import { mkdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';

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
}
