/** The contract of /v1/train (routes/train.ts): queue fine-tuning jobs and follow them. */
import { z } from 'zod';
import { trainRequestSchema } from '@hourglass/core';
import { errorResponse, errors } from './contract/errors.js';
import { exampleDataset, exampleTrain } from './contract/examples.js';
import { isoTime, json, ref, type RouteContract } from './contract/openapi-parts.js';

const trainStatus = z.enum(['queued', 'running', 'completed', 'failed']);

export const trainAcceptedSchema = z.object({
  id: z.string(),
  status: z.literal('queued'),
  baseModel: z.string(),
  dataset: z.string(),
  outputModel: z.string(),
  images: z.number().int().nonnegative(),
  classes: z.array(z.looseObject({})),
  queue: z.string(),
});

export const trainViewSchema = z.looseObject({
  id: z.string(),
  status: trainStatus,
  baseModel: z.string(),
  dataset: z.string(),
  outputModel: z.string(),
  progress: z.looseObject({ phase: z.string(), percent: z.number() }),
  epochs: z.array(z.looseObject({})),
  accuracy: z.number().nullable(),
  model: z.looseObject({ name: z.string(), version: z.number().int() }).nullable(),
  error: z.object({ code: z.string(), message: z.string() }).nullable(),
  createdAt: isoTime,
  startedAt: isoTime.nullable(),
  finishedAt: isoTime.nullable(),
});

export const trainListSchema = z.object({
  jobs: z.array(
    z.looseObject({
      id: z.string(),
      status: trainStatus,
      baseModel: z.string(),
      dataset: z.string(),
      outputModel: z.string(),
      accuracy: z.number().nullable(),
      createdAt: isoTime,
    }),
  ),
});

export const trainContract: RouteContract = {
  requests: {
    TrainRequest: { schema: trainRequestSchema, description: "Fine-tune a head on a frozen backbone's features." },
  },
  responses: {
    TrainAccepted: { schema: trainAcceptedSchema },
    TrainJob: { schema: trainViewSchema },
    TrainList: { schema: trainListSchema },
  },
  paths: {
    '/v1/train': {
      post: {
        operationId: 'submitTrain',
        tags: ['training'],
        summary: "Queue a fine-tuning job on the backbone's workers (queue train-<baseModel>)",
        requestBody: {
          required: true,
          content: json(ref('TrainRequest'), {
            minimal: { baseModel: 'mobilenet-v2', dataset: 'fluffy-or-not' },
            mlp: { baseModel: 'mobilenet-v2', dataset: 'fluffy-or-not', epochs: 5, head: 'mlp', hidden: 128, name: 'fluffy-detector' },
          }),
        },
        responses: {
          202: {
            description: 'Queued',
            headers: { Location: { schema: { type: 'string' } } },
            content: json(ref('TrainAccepted'), {
              queued: {
                id: 't0123456789abcdef',
                status: 'queued',
                baseModel: 'mobilenet-v2',
                dataset: 'fluffy-or-not',
                outputModel: 'mobilenet-v2-fluffy-or-not',
                images: 238,
                classes: exampleDataset.classes,
                queue: 'train-mobilenet-v2',
              },
            }),
          },
          400: errorResponse(
            'Bad body, or a dataset that cannot be split with every class on both sides',
            'VALIDATION_FAILED',
            'epochs: Too big: expected number to be <=200',
          ),
          401: errors[401],
          404: errorResponse('Unknown backbone or dataset', 'MODEL_NOT_FOUND', 'model "nope" is not registered (GET /v1/models lists the models)'),
          415: errorResponse('Not JSON', 'UNSUPPORTED_MEDIA_TYPE', 'send application/json'),
          422: errorResponse(
            'The backbone has no features output',
            'MODEL_INVALID',
            'model "colours" has no features output, so it cannot serve as a frozen backbone',
          ),
        },
      },
      get: {
        operationId: 'listTrain',
        tags: ['training'],
        summary: "The caller's recent train jobs, newest first",
        parameters: [{ name: 'limit', in: 'query', required: false, schema: { type: 'integer', minimum: 1, maximum: 100, default: 20 } }],
        responses: {
          200: {
            description: 'Train jobs',
            content: json(ref('TrainList'), {
              one: {
                jobs: [
                  {
                    id: exampleTrain.id,
                    status: 'completed',
                    baseModel: 'mobilenet-v2',
                    dataset: 'fluffy-or-not',
                    outputModel: 'mobilenet-v2-fluffy-or-not',
                    accuracy: 0.93,
                    model: { name: 'mobilenet-v2-fluffy-or-not', version: 1 },
                    createdAt: exampleTrain.createdAt,
                  },
                ],
              },
            }),
          },
          401: errors[401],
        },
      },
    },
    '/v1/train/{id}': {
      get: {
        operationId: 'getTrain',
        tags: ['training'],
        summary: 'Status, progress, per-epoch numbers and the produced model of one train job',
        parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' }, example: exampleTrain.id }],
        responses: {
          200: { description: 'The train job', content: json(ref('TrainJob'), { running: exampleTrain }) },
          401: errors[401],
          404: errorResponse('No such job for this key', 'TRAIN_JOB_NOT_FOUND', 'train job "t0" does not exist'),
        },
      },
    },
  },
};
