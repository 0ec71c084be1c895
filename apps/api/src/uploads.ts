/**
 * Multipart uploads (`model` field + repeated `images` files). A multer storage engine streams each
 * file straight into the content-addressed blob store (hashing as it writes), so uploads never sit
 * whole in memory and the same image uploaded twice is stored once.
 */
import type { Request, RequestHandler } from 'express';
import multer from 'multer';
import type { BlobStore, StoredBlob } from '@hourglass/core';

export interface StoredUpload {
  /** Blob path relative to DATA_ROOT. */
  path: string;
  size: number;
  originalname: string;
}

const stored = new WeakMap<Request, StoredBlob[]>();

/**
 * Every blob this request stored, with its upload lease: recorded against the batch and released
 * when it is submitted, or discarded (BlobStore.discard) when the request fails.
 */
export const storedBlobs = (req: Request): StoredBlob[] => stored.get(req) ?? [];

/**
 * Checks the form's fields that arrived before the files (a client that sends `model` first gets
 * a bad model refused before a byte of image is written). Called once per request.
 */
export type FieldCheck = (req: Request) => Promise<void>;

class BlobStorage implements multer.StorageEngine {
  private readonly checked = new WeakMap<Request, Promise<void>>();

  constructor(
    private readonly blobs: BlobStore,
    private readonly maxBytes: number,
    private readonly checkFields?: FieldCheck,
  ) {}

  _handleFile(req: Request, file: Express.Multer.File, callback: (error?: unknown, info?: Partial<Express.Multer.File>) => void): void {
    let check = this.checked.get(req);
    if (!check) {
      check = this.checkFields && (req.body as Record<string, unknown> | undefined)?.model !== undefined ? this.checkFields(req) : Promise.resolve();
      this.checked.set(req, check);
    }
    check
      .then(() => this.blobs.putStream(file.stream, this.maxBytes))
      .then(
        (blob) => {
          const list = stored.get(req) ?? [];
          list.push(blob);
          stored.set(req, list);
          callback(null, { path: blob.path, size: blob.bytes });
        },
        (error: unknown) => {
          // Drain what is left of this part so busboy can report the real limit error.
          file.stream.resume();
          callback(error);
        },
      );
  }

  _removeFile(_req: Request, _file: Express.Multer.File, callback: (error: Error | null) => void): void {
    // Blobs are content-addressed and may be shared with other batches: never delete on abort.
    callback(null);
  }
}

export function uploadImages(blobs: BlobStore, limits: { maxFileBytes: number; maxFiles: number }, checkFields?: FieldCheck): RequestHandler {
  return multer({
    storage: new BlobStorage(blobs, limits.maxFileBytes, checkFields),
    limits: { fileSize: limits.maxFileBytes, files: limits.maxFiles, fields: 16, fieldSize: 64 * 1024, parts: limits.maxFiles + 16, headerPairs: 200 },
  }).array('images', limits.maxFiles);
}

export function uploadedFiles(req: Request): StoredUpload[] {
  const files = (req.files ?? []) as Express.Multer.File[];
  return files.map((f) => ({ path: f.path, size: f.size, originalname: f.originalname.slice(0, 255) }));
}
