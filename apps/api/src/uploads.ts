/**
 * Multipart uploads (`model` field + repeated `images` files). A multer storage engine streams each
 * file straight into the content-addressed blob store (hashing as it writes), so uploads never sit
 * whole in memory and the same image uploaded twice is stored once.
 */
import type { Request, RequestHandler } from 'express';
import multer from 'multer';
import type { BlobStore } from '@hourglass/core';

export interface StoredUpload {
  /** Blob path relative to DATA_ROOT. */
  path: string;
  size: number;
  originalname: string;
}

class BlobStorage implements multer.StorageEngine {
  constructor(private readonly blobs: BlobStore, private readonly maxBytes: number) {}

  _handleFile(_req: Request, file: Express.Multer.File, callback: (error?: unknown, info?: Partial<Express.Multer.File>) => void): void {
    this.blobs.putStream(file.stream, this.maxBytes).then(
      (stored) => callback(null, { path: stored.path, size: stored.bytes }),
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

export function uploadImages(blobs: BlobStore, limits: { maxFileBytes: number; maxFiles: number }): RequestHandler {
  return multer({
    storage: new BlobStorage(blobs, limits.maxFileBytes),
    limits: { fileSize: limits.maxFileBytes, files: limits.maxFiles, fields: 16, fieldSize: 64 * 1024, parts: limits.maxFiles + 16, headerPairs: 200 },
  }).array('images', limits.maxFiles);
}

export function uploadedFiles(req: Request): StoredUpload[] {
  const files = (req.files ?? []) as Express.Multer.File[];
  return files.map((f) => ({ path: f.path, size: f.size, originalname: f.originalname.slice(0, 255) }));
}
