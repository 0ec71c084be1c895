/** GET /v1/models: the registry, with the live workers serving each model (from heartbeats). */
import { Router, type Request, type Response } from 'express';
import { listLiveWorkers, type RegisteredModel, type WorkerHeartbeat } from '@hourglass/core';
import type { ApiContext } from '../context.js';

export function describeModel(model: RegisteredModel, workers: WorkerHeartbeat[]) {
  const { manifest } = model;
  return {
    name: manifest.name,
    version: manifest.version,
    description: manifest.description ?? null,
    input: { name: manifest.input.name, layout: manifest.input.layout, width: manifest.input.width, height: manifest.input.height, resize: manifest.input.resize },
    output: manifest.output,
    classes: manifest.labels.length,
    labels: manifest.labels.slice(0, 100),
    features: manifest.features ?? null,
    source: manifest.source,
    fileBytes: model.onnxBytes,
    queue: `classify-${manifest.name}`,
    workers: workers.map((w) => ({ id: w.id, ep: w.ep, host: w.host, batchSize: w.batchSize, intraOpThreads: w.intraOpThreads, processed: w.processed, seenAt: new Date(w.seenAt).toISOString() })),
    served: workers.length > 0,
  };
}

export function modelsRouter(ctx: ApiContext): Router {
  const router = Router();

  router.get('/', async (_req: Request, res: Response) => {
    const [snapshot, workers] = await Promise.all([ctx.models.snapshot(), listLiveWorkers(ctx.redis, ctx.keys)]);
    const models = [...snapshot.models.values()].map((m) => describeModel(m, workers.filter((w) => w.model === m.manifest.name)));
    res.json({ models, problems: snapshot.problems });
  });

  router.get('/:name', async (req: Request, res: Response) => {
    const model = await ctx.models.get(String(req.params.name));
    const workers = (await listLiveWorkers(ctx.redis, ctx.keys)).filter((w) => w.model === model.manifest.name);
    res.json(describeModel(model, workers));
  });

  return router;
}
