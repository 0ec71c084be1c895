/**
 * The caller's view of the model registry (rules in packages/core models/ownership.ts): another
 * key's private model is a 404 MODEL_NOT_FOUND, exactly as a missing one.
 */
import type { Request } from 'express';
import { AppError, canSeeModel, type Caller, type RegisteredModel } from '@hourglass/core';
import type { ModelCatalog } from './context.js';

export const callerOf = (req: Request): Caller => ({ owner: req.owner ?? 'anonymous', admin: req.role === 'admin' });

export async function visibleModel(models: ModelCatalog, name: string, req: Request): Promise<RegisteredModel> {
  const model = await models.get(name);
  if (!canSeeModel(model.manifest, callerOf(req))) {
    throw new AppError('MODEL_NOT_FOUND', `model "${name}" is not registered (GET /v1/models lists the models)`);
  }
  return model;
}

export async function visibleModels(models: ModelCatalog, req: Request): Promise<RegisteredModel[]> {
  const caller = callerOf(req);
  return [...(await models.snapshot()).models.values()].filter((m) => canSeeModel(m.manifest, caller));
}
