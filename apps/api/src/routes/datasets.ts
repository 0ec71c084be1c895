/**
 * /v1/datasets: register a dataset folder under DATA_ROOT (`<dataset>/<label>/*.jpg|png|webp`)
 * by path (JSON), or upload it as an archive (multipart: `name` + one `archive` file, .zip or
 * .tar.gz, unpacked into DATA_ROOT/datasets/<name> with traversal rejected, sizes and entry count
 * capped, non-images skipped and reported); list the registered ones with classes, counts and
 * content hash.
 */
import { mkdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { Router, json, type Request, type Response } from 'express';
import multer from 'multer';
import { z } from 'zod';
import { AppError, DEFAULT_ARCHIVE_LIMITS, DatasetRegistry, archiveKindOf, datasetNameSchema } from '@hourglass/core';
import type { ApiContext } from '../context.js';
import { callerOf } from '../model-access.js';
import { privatePathCheck } from '../private-paths.js';

export const registerDatasetSchema = z
  .object({
    /** The dataset folder, relative to DATA_ROOT. */
    path: z.string().min(1).max(1024),
    /** Default: the folder's name, lower-cased, with other characters turned into '-'. */
    name: datasetNameSchema.optional(),
  })
  .strict();

/** Largest archive accepted, compressed (the unpacked total is capped separately). */
export const MAX_DATASET_ARCHIVE_BYTES = 1024 ** 3;
const UPLOAD_TMP = path.join(os.tmpdir(), 'hourglass-dataset-uploads');

export function datasetsRouter(ctx: ApiContext): Router {
  const router = Router();
  const registry = new DatasetRegistry(ctx.redis, ctx.config.HOURGLASS_PREFIX);
  const jsonBody = json({ limit: 64 * 1024, strict: true });
  const upload = multer({
    storage: multer.diskStorage({
      destination: (_req, _file, cb) =>
        void mkdir(UPLOAD_TMP, { recursive: true }).then(
          () => cb(null, UPLOAD_TMP),
          (error: Error) => cb(error, UPLOAD_TMP),
        ),
      filename: (_req, _file, cb) => cb(null, `${randomUUID()}.upload`),
    }),
    limits: { fileSize: MAX_DATASET_ARCHIVE_BYTES, files: 1, fields: 4, fieldSize: 1024, parts: 6 },
  }).single('archive');
  const limits = { ...DEFAULT_ARCHIVE_LIMITS, maxFileBytes: ctx.config.MAX_UPLOAD_BYTES };

  router.post('/', async (req: Request, res: Response) => {
    if (req.is('multipart/form-data')) {
      await new Promise<void>((resolve, reject) => upload(req, res, (error?: unknown) => (error ? reject(error) : resolve())));
      const file = req.file;
      try {
        if (!file) throw new AppError('VALIDATION_FAILED', 'multipart upload needs one "archive" file (.zip or .tar.gz) and a "name" field');
        const kind = archiveKindOf(file.originalname);
        if (!kind) throw new AppError('UNSUPPORTED_MEDIA_TYPE', `"${file.originalname.slice(0, 100)}": upload a .zip, .tar.gz or .tgz archive`);
        const name = datasetNameSchema.parse((req.body as { name?: unknown }).name);
        const { dataset, archive } = await registry.registerArchive(ctx.dataRoot, { file: file.path, kind }, name, limits, req.owner);
        ctx.log.info({ dataset: dataset.name, images: dataset.images, skipped: archive.skipped.length }, 'dataset uploaded');
        res
          .status(201)
          .location(`/v1/datasets/${dataset.name}`)
          .json({ ...dataset, archive: { written: archive.written, skipped: archive.skipped.slice(0, 100), skippedCount: archive.skipped.length } });
      } finally {
        if (file) await rm(file.path, { force: true });
      }
      return;
    }
    await new Promise<void>((resolve, reject) => jsonBody(req, res, (error?: unknown) => (error ? reject(error) : resolve())));
    if (!req.is('application/json')) {
      throw new AppError(
        'UNSUPPORTED_MEDIA_TYPE',
        'send application/json { "path", "name"? } to register a folder under DATA_ROOT, or multipart/form-data (name + archive) to upload one',
      );
    }
    const body = registerDatasetSchema.parse(req.body);
    await privatePathCheck(registry, callerOf(req))(body.path);
    const { dataset } = await registry.register(ctx.dataRoot, body.path, body.name, req.owner);
    ctx.log.info({ dataset: dataset.name, path: dataset.path, images: dataset.images, classes: dataset.classes.length }, 'dataset registered');
    res.status(201).location(`/v1/datasets/${dataset.name}`).json(dataset);
  });

  router.get('/', async (req: Request, res: Response) => {
    res.json({ datasets: await registry.list(callerOf(req)) });
  });

  router.get('/:name', async (req: Request, res: Response) => {
    const name = String(req.params.name);
    const dataset = await registry.get(name, callerOf(req));
    if (!dataset) throw new AppError('DATASET_NOT_FOUND', `dataset "${name.slice(0, 64)}" is not registered`);
    res.json(dataset);
  });

  return router;
}
