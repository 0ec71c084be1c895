/**
 * The submit request: JSON body or multipart form, both turned into one validated shape. The field
 * rules and the count check are core's (batches/batch-request.ts), the ones submitBatch applies too.
 */
import type { Request } from 'express';
import { z } from 'zod';
import { checkImageCount, chunkSizeRule, imagePathField, modelNameField, type ImageRef } from '@hourglass/core';
import { uploadedFiles } from '../uploads.js';

const CHUNK_SIZE_DOC =
  "Images per job. Unset: the server's DEFAULT_CHUNK_SIZE, by default `auto` (sized per model from the workers' measured rate, the live workers and the batch size; the batch view says which size was used and why); more per job costs the queue less per image and makes progress and retries coarser.";

export const jsonBatchSchema = z.strictObject({
  model: modelNameField,
  images: z.array(z.strictObject({ path: imagePathField })),
  chunkSize: chunkSizeRule(z.number()).optional().describe(CHUNK_SIZE_DOC),
});

export const formBatchSchema = z.strictObject({
  model: modelNameField,
  chunkSize: chunkSizeRule(z.coerce.number()).optional().describe(CHUNK_SIZE_DOC),
});

export interface BatchRequest {
  model: string;
  chunkSize?: number;
  /** Paths still to be checked under DATA_ROOT (JSON), or stored blobs (multipart). */
  images: Array<{ path: string; name?: string }>;
  uploaded: boolean;
}

export function parseBatchRequest(req: Request, maxImages: number): BatchRequest {
  if (req.is('multipart/form-data')) {
    const form = formBatchSchema.parse(req.body ?? {});
    const files = uploadedFiles(req);
    checkImageCount(files.length, maxImages);
    return {
      model: form.model,
      ...(form.chunkSize ? { chunkSize: form.chunkSize } : {}),
      images: files.map((f) => ({ path: f.path, name: f.originalname })),
      uploaded: true,
    };
  }
  const body = jsonBatchSchema.parse(req.body);
  checkImageCount(body.images.length, maxImages);
  return { model: body.model, ...(body.chunkSize ? { chunkSize: body.chunkSize } : {}), images: body.images, uploaded: false };
}

export function toImageRefs(images: BatchRequest['images'], resolvedPaths?: string[]): ImageRef[] {
  return images.map((image, index) => ({
    index,
    path: resolvedPaths?.[index] ?? image.path,
    ...(image.name ? { name: image.name } : {}),
  }));
}
