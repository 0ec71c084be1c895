/**
 * components.schemas of the OpenAPI document, generated from zod. Request bodies are the very schemas
 * the routes validate with (input side); responses come from openapi/schemas.ts (output side).
 */
import { z } from 'zod';
import { trainRequestSchema } from '@hourglass/core';
import { formBatchSchema, jsonBatchSchema } from '../routes/batch-request.js';
import { modelUploadFieldsSchema } from '../routes/model-upload.js';
import { registerDatasetSchema } from '../routes/datasets.js';
import {
  batchListSchema,
  batchViewSchema,
  benchReportSchema,
  datasetListSchema,
  datasetSchema,
  errorBodySchema,
  healthSchema,
  modelListSchema,
  modelSchema,
  registeredModelSchema,
  resultRowSchema,
  trainAcceptedSchema,
  trainListSchema,
  trainViewSchema,
} from './schemas.js';
import type { Json } from './responses.js';

/** Components generated from zod: one registry per direction (what clients send / what they get). */
export function componentSchemas(): Record<string, Json> {
  const requests = z.registry<{ id: string; description?: string }>();
  requests.add(jsonBatchSchema, { id: 'BatchRequest', description: 'Images by path, relative to the server\'s DATA_ROOT.' });
  requests.add(formBatchSchema.extend({ images: z.array(z.file()).min(1) }), {
    id: 'BatchUpload',
    description: 'Multipart form: a `model` field and one `images` part per file (stored content-addressed under DATA_ROOT).',
  });
  requests.add(registerDatasetSchema, { id: 'DatasetRequest', description: 'Register a folder under DATA_ROOT laid out as <dataset>/<label>/<images>.' });
  requests.add(trainRequestSchema, { id: 'TrainRequest', description: 'Fine-tune a head on a frozen backbone\'s features.' });
  requests.add(modelUploadFieldsSchema.extend({ model: z.file(), data: z.array(z.file()).optional() }), {
    id: 'ModelUpload',
    description:
      'Multipart form: the `model` file (.onnx), its external weights as `data` part(s) if the graph keeps them outside, and a `name`. Optional: `labels` (JSON array or one per line), `mean`/`std` ("r,g,b"), `size` ("224" or "WxH"), `resize` (fill|cover|contain), `description`, `input`/`output` (graph tensor names).',
  });
  const responses = z.registry<{ id: string; description?: string }>();
  responses.add(errorBodySchema, { id: 'Error' });
  responses.add(batchViewSchema, { id: 'BatchView' });
  responses.add(batchListSchema, { id: 'BatchList' });
  responses.add(resultRowSchema, { id: 'ResultRow', description: 'One image\'s outcome: a prediction, or an error with a stable code.' });
  responses.add(modelSchema, { id: 'Model' });
  responses.add(modelListSchema, { id: 'ModelList' });
  responses.add(registeredModelSchema, { id: 'RegisteredModel' });
  responses.add(healthSchema, { id: 'Health' });
  responses.add(benchReportSchema, { id: 'BenchReport' });
  responses.add(datasetSchema, { id: 'Dataset' });
  responses.add(datasetListSchema, { id: 'DatasetList' });
  responses.add(trainAcceptedSchema, { id: 'TrainAccepted' });
  responses.add(trainViewSchema, { id: 'TrainJob' });
  responses.add(trainListSchema, { id: 'TrainList' });
  const uri = (id: string): string => `#/components/schemas/${id}`;
  const all = {
    ...z.toJSONSchema(requests, { io: 'input', uri, unrepresentable: 'any' }).schemas,
    ...z.toJSONSchema(responses, { io: 'output', uri, unrepresentable: 'any' }).schemas,
  };
  // Component schemas are embedded, not standalone documents.
  return Object.fromEntries(Object.entries(all).map(([id, { $schema: _s, $id: _i, ...schema }]) => [id, schema as Json]));
}
