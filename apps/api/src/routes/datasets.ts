/**
 * /v1/datasets: register a dataset folder under DATA_ROOT (`<dataset>/<label>/*.jpg|png|webp`)
 * by path, and list the registered ones with classes, counts and content hash. Registration
 * scans and hashes the images once; archive uploads are not accepted (copy the folder under
 * DATA_ROOT, then register it).
 */
import { Router, json, type Request, type Response } from 'express';
import { z } from 'zod';
import { AppError, DatasetRegistry, datasetNameSchema } from '@hourglass/core';
import type { ApiContext } from '../context.js';

export const registerDatasetSchema = z
  .object({
    /** The dataset folder, relative to DATA_ROOT. */
    path: z.string().min(1).max(1024),
    /** Default: the folder's name, lower-cased, with other characters turned into '-'. */
    name: datasetNameSchema.optional(),
  })
  .strict();

export function datasetsRouter(ctx: ApiContext): Router {
  const router = Router();
  const registry = new DatasetRegistry(ctx.redis, ctx.config.HOURGLASS_PREFIX);
  const jsonBody = json({ limit: 64 * 1024, strict: true });

  router.post('/', jsonBody, async (req: Request, res: Response) => {
    if (!req.is('application/json')) {
      throw new AppError('UNSUPPORTED_MEDIA_TYPE', 'send application/json: { "path": "<folder under DATA_ROOT>", "name"?: "<dataset name>" } (archive uploads are not supported)');
    }
    const body = registerDatasetSchema.parse(req.body);
    const { dataset } = await registry.register(ctx.dataRoot, body.path, body.name);
    ctx.log.info({ dataset: dataset.name, path: dataset.path, images: dataset.images, classes: dataset.classes.length }, 'dataset registered');
    res.status(201).location(`/v1/datasets/${dataset.name}`).json(dataset);
  });

  router.get('/', async (_req: Request, res: Response) => {
    res.json({ datasets: await registry.list() });
  });

  router.get('/:name', async (req: Request, res: Response) => {
    const name = String(req.params.name);
    const dataset = await registry.get(name);
    if (!dataset) throw new AppError('DATASET_NOT_FOUND', `dataset "${name.slice(0, 64)}" is not registered`);
    res.json(dataset);
  });

  return router;
}
