/** The contract of /v1/datasets (routes/datasets.ts): the dataset folders fine-tuning jobs train on. */
import { z } from 'zod';
import { errorResponse, errors } from './contract/errors.js';
import { exampleDataset } from './contract/examples.js';
import { isoTime, json, ref, type RouteContract } from './contract/openapi-parts.js';
import { registerDatasetSchema } from './datasets.js';

export const datasetSchema = z.object({
  name: z.string(),
  path: z.string().describe('The dataset folder, relative to DATA_ROOT: <dataset>/<label>/*.jpg|png|webp.'),
  classes: z.array(z.looseObject({})).describe('One entry per label folder, with its image count.'),
  images: z.number().int().nonnegative(),
  hash: z.string().describe('Content hash of every image and label: a changed dataset is a new one.'),
  skipped: z.array(z.looseObject({})).describe('Files that were not used, and why (first 100).'),
  registeredAt: isoTime,
});

export const datasetListSchema = z.object({ datasets: z.array(datasetSchema) });

export const datasetsContract: RouteContract = {
  requests: {
    DatasetRequest: { schema: registerDatasetSchema, description: 'Register a folder under DATA_ROOT laid out as <dataset>/<label>/<images>.' },
  },
  responses: {
    Dataset: { schema: datasetSchema },
    DatasetList: { schema: datasetListSchema },
  },
  paths: {
    '/v1/datasets': {
      post: {
        operationId: 'registerDataset',
        tags: ['training'],
        summary: 'Register a dataset folder under DATA_ROOT (scanned and hashed once)',
        requestBody: {
          required: true,
          content: json(ref('DatasetRequest'), { folder: { path: 'datasets/fluffy-or-not' }, named: { path: 'datasets/Fluffy or not', name: 'fluffy' } }),
        },
        responses: {
          201: {
            description: 'Registered',
            headers: { Location: { schema: { type: 'string' } } },
            content: json(ref('Dataset'), { registered: exampleDataset }),
          },
          400: errorResponse('Bad body or a folder outside DATA_ROOT', 'VALIDATION_FAILED', 'path: Invalid input: expected string, received undefined'),
          401: errors[401],
          415: errorResponse('Not JSON', 'UNSUPPORTED_MEDIA_TYPE', 'send application/json'),
          422: errorResponse('Not a usable dataset folder', 'DATASET_INVALID', 'a dataset needs at least two label folders with images'),
        },
      },
      get: {
        operationId: 'listDatasets',
        tags: ['training'],
        summary: 'Registered datasets',
        responses: { 200: { description: 'Datasets', content: json(ref('DatasetList'), { one: { datasets: [exampleDataset] } }) }, 401: errors[401] },
      },
    },
    '/v1/datasets/{name}': {
      get: {
        operationId: 'getDataset',
        tags: ['training'],
        summary: 'One registered dataset',
        parameters: [{ name: 'name', in: 'path', required: true, schema: { type: 'string' }, example: 'fluffy-or-not' }],
        responses: {
          200: { description: 'The dataset', content: json(ref('Dataset'), { dataset: exampleDataset }) },
          401: errors[401],
          404: errorResponse('Not registered', 'DATASET_NOT_FOUND', 'dataset "nope" is not registered'),
        },
      },
    },
  },
};
