/** The submit request: JSON body or multipart form, both turned into one validated shape. */
import type { Request } from 'express';
import { z } from 'zod';
import { AppError, MAX_CHUNK_SIZE, MAX_PATH_LENGTH, type ImageRef } from '@hourglass/core';
import { uploadedFiles } from '../uploads.js';

const CHUNK_SIZE_DOC = 'Images per job. Unset: the server\'s DEFAULT_CHUNK_SIZE, by default `auto` (sized per model from the workers\' measured rate, the live workers and the batch size; the batch view says which size was used and why); more per job costs the queue less per image and makes progress and retries coarser.';

export const jsonBatchSchema = z.strictObject({
  model: z.string().min(1).max(64),
  images: z.array(z.strictObject({ path: z.string().min(1).max(MAX_PATH_LENGTH) })),
  chunkSize: z.number().int().min(1).max(MAX_CHUNK_SIZE).optional().describe(CHUNK_SIZE_DOC),
});

export const formBatchSchema = z.strictObject({
  model: z.string().min(1).max(64),
  chunkSize: z.coerce.number().int().min(1).max(MAX_CHUNK_SIZE).optional().describe(CHUNK_SIZE_DOC),
});

export interface BatchRequest {
  model: string;
  chunkSize?: number;
  /** Paths still to be checked under DATA_ROOT (JSON), or stored blobs (multipart). */
  images: Array<{ path: string; name?: string }>;
  uploaded: boolean;
}

export function checkCount(count: number, max: number): void {
  if (count === 0) throw new AppError('EMPTY_BATCH', 'a batch needs at least one image');
  if (count > max) throw new AppError('TOO_MANY_IMAGES', `a batch holds at most ${max} images; this one has ${count}`, { details: { max, count } });
}

export function parseBatchRequest(req: Request, maxImages: number): BatchRequest {
  if (req.is('multipart/form-data')) {
    const form = formBatchSchema.parse(req.body ?? {});
    const files = uploadedFiles(req);
    checkCount(files.length, maxImages);
    return { model: form.model, ...(form.chunkSize ? { chunkSize: form.chunkSize } : {}), images: files.map((f) => ({ path: f.path, name: f.originalname })), uploaded: true };
  }
  const body = jsonBatchSchema.parse(req.body);
  checkCount(body.images.length, maxImages);
  return { model: body.model, ...(body.chunkSize ? { chunkSize: body.chunkSize } : {}), images: body.images, uploaded: false };
}

export function toImageRefs(images: BatchRequest['images'], resolvedPaths?: string[]): ImageRef[] {
  return images.map((image, index) => ({
    index,
    path: resolvedPaths?.[index] ?? image.path,
    ...(image.name ? { name: image.name } : {}),
  }));
}
