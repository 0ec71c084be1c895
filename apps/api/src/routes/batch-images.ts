/**
 * GET /v1/batches/:id/images/:index: the image file behind one result row, for the /ui thumbnails.
 * Same key and ownership rules as the batch itself. The path comes from the stored row (never from
 * the request) and is resolved again through resolveImagePath, so only files under DATA_ROOT are
 * ever read. The content type comes from the file's magic bytes; anything else is refused.
 */
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { Router, type Request, type Response } from 'express';
import { AppError, resolveImagePath } from '@hourglass/core';
import type { ApiContext } from '../context.js';
import { ownBatch } from './batches.js';

const SIGNATURES: Array<{ type: string; test: (b: Buffer) => boolean }> = [
  { type: 'image/jpeg', test: (b) => b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff },
  { type: 'image/png', test: (b) => b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) },
  { type: 'image/gif', test: (b) => b.subarray(0, 4).toString('latin1') === 'GIF8' },
  { type: 'image/webp', test: (b) => b.subarray(0, 4).toString('latin1') === 'RIFF' && b.subarray(8, 12).toString('latin1') === 'WEBP' },
  { type: 'image/avif', test: (b) => b.subarray(4, 12).toString('latin1') === 'ftypavif' },
  { type: 'image/bmp', test: (b) => b.subarray(0, 2).toString('latin1') === 'BM' },
  { type: 'image/tiff', test: (b) => ['II*\0', 'MM\0*'].includes(b.subarray(0, 4).toString('latin1')) },
];

/** The image MIME type from the first bytes of a file, or undefined when it is not a known image. */
export function sniffImageType(head: Buffer): string | undefined {
  return SIGNATURES.find((s) => s.test(head))?.type;
}

export function batchImagesRouter(ctx: ApiContext): Router {
  const router = Router();

  router.get('/:id/images/:index', async (req: Request, res: Response) => {
    const view = await ownBatch(ctx, req);
    const raw = String(req.params.index ?? '');
    const index = /^\d{1,9}$/.test(raw) ? Number(raw) : -1;
    if (index < 0 || index >= view.total) {
      throw new AppError('VALIDATION_FAILED', `index must be an integer from 0 to ${view.total - 1}`);
    }
    const [row] = await ctx.results.range(view.id, index, index + 1);
    if (!row?.path) throw new AppError('NOT_FOUND', `image ${index} of batch ${view.id} has no result yet`);
    let file: string;
    try {
      file = await resolveImagePath(ctx.dataRoot, row.path);
    } catch (error) {
      if (error instanceof AppError) throw new AppError('NOT_FOUND', `image ${index} of batch ${view.id} is no longer on disk`);
      throw error;
    }
    const handle = await open(file, 'r');
    let type: string | undefined;
    let size: number;
    try {
      const head = Buffer.alloc(16);
      await handle.read(head, 0, 16, 0);
      type = sniffImageType(head);
      size = (await handle.stat()).size;
    } finally {
      await handle.close();
    }
    if (!type) throw new AppError('UNSUPPORTED_MEDIA_TYPE', `image ${index} of batch ${view.id} is not a browser-viewable image`);
    res.status(200).set({
      'Content-Type': type,
      'Content-Length': String(size),
      'Cache-Control': 'private, max-age=300',
      // Shown as an image, never run as a document, whatever the bytes hide.
      'Content-Security-Policy': "default-src 'none'; sandbox",
      'Content-Disposition': 'inline',
    });
    await pipeline(createReadStream(file), res);
  });

  return router;
}
