/**
 * model.json: everything a worker needs to turn an image into the tensor a model expects and its
 * output into labels. Validated with zod; an invalid file is a MANIFEST_INVALID error naming it.
 */
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { AppError } from '../errors.js';

/** Safe as a queue name, a job id part and a folder name: no ':' (BullMQ), no '/' (paths). */
export const modelNameSchema = z.string().regex(/^[a-z0-9][a-z0-9._-]{0,63}$/, 'lower-case letters, digits, ".", "_" and "-", at most 64 characters');

const triple = z.tuple([z.number(), z.number(), z.number()]);

export const manifestSchema = z
  .object({
    name: modelNameSchema,
    version: z.number().int().positive(),
    description: z.string().optional(),
    input: z.object({
      name: z.string().min(1),
      layout: z.enum(['NCHW', 'NHWC']).default('NCHW'),
      width: z.number().int().positive().max(4096),
      height: z.number().int().positive().max(4096),
      /** Applied to pixel / 255, per RGB channel: (p / 255 - mean) / std, as timm and torchvision do. */
      mean: triple.default([0.485, 0.456, 0.406]),
      std: triple.refine((s) => s.every((v) => v > 0), 'std must be > 0').default([0.229, 0.224, 0.225]),
      /** sharp's fit: fill = stretch to size, cover = centre crop, contain = letterbox. */
      resize: z.enum(['fill', 'cover', 'contain']).default('fill'),
      /** False when the graph's batch axis is fixed at 1: the worker then runs one image at a time. */
      dynamicBatch: z.boolean().default(true),
    }),
    output: z.object({
      name: z.string().min(1),
      /** logits get a softmax in the worker; probabilities are used as they are. */
      kind: z.enum(['logits', 'probabilities']).default('probabilities'),
    }),
    /** Optional pooled-features output, used by train jobs as a frozen backbone. */
    features: z.object({ name: z.string().min(1), size: z.number().int().positive() }).optional(),
    labels: z.array(z.string()).min(1),
    source: z
      .object({
        kind: z.enum(['generated', 'bundled', 'imported', 'trained']),
        description: z.string().optional(),
        licence: z.string().optional(),
        url: z.string().optional(),
      })
      .loose(),
    /** Worker defaults for this model; env BATCH_SIZE / BATCH_TIMEOUT_MS override them. */
    batching: z
      .object({
        size: z.number().int().positive().max(1024).default(16),
        timeoutMs: z.number().int().nonnegative().max(10_000).default(10),
      })
      .default({ size: 16, timeoutMs: 10 }),
    topK: z.number().int().positive().max(100).default(5),
  })
  // Train jobs add their epoch table, metrics and lineage; keep whatever else is there.
  .loose();

export type ModelManifest = z.infer<typeof manifestSchema>;
export type ManifestInput = z.input<typeof manifestSchema>;

export function parseManifest(value: unknown, file: string): ModelManifest {
  const result = manifestSchema.safeParse(value);
  if (!result.success) {
    const problems = result.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    throw new AppError('MANIFEST_INVALID', `${file}: ${problems}`, { details: { file } });
  }
  return result.data;
}

export async function readManifest(file: string): Promise<ModelManifest> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (cause) {
    throw new AppError('MANIFEST_INVALID', `${file}: cannot read (${(cause as Error).message})`, { cause, details: { file } });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    throw new AppError('MANIFEST_INVALID', `${file}: not valid JSON (${(cause as Error).message})`, { cause, details: { file } });
  }
  const manifest = parseManifest(json, file);
  if (manifest.labels.length < 1) throw new AppError('MANIFEST_INVALID', `${file}: labels is empty`);
  return manifest;
}
