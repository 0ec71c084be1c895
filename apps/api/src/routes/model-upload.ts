/**
 * POST /v1/models: registers an uploaded ONNX model, as `hourglass models add` does from disk.
 *
 * multipart/form-data:
 *   model        the .onnx file (required)
 *   data         its external data file(s), if the graph keeps weights outside (repeatable; one
 *                file is stored where the graph expects it, several are matched by file name)
 *   name         registry name (required)
 *   labels       JSON array of labels, or one per line
 *   mean, std    "r,g,b"        size  "224" or "WxH"        resize  fill | cover | contain
 *   description, input, output   (input/output: which graph tensors, when there are several)
 *
 * Files stream to a hidden folder in MODELS_DIR (same file system as the registry, never memory),
 * which is removed afterwards whatever happens. Answers 201 with the model as GET /v1/models shows
 * it, plus the registration's warnings; rejections are 4xx with the codes of models/byo.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Request, RequestHandler, Response } from 'express';
import multer from 'multer';
import { z } from 'zod';
import {
  AppError,
  assertMayWriteModel,
  ModelNameClaims,
  inspectOnnxFile,
  ownerForNewModel,
  listLiveWorkers,
  parseLabels,
  parseResize,
  parseSize,
  parseTriple,
  recoverModelsDir,
  registerOnnxModel,
  safeModelFilePath,
  type RegisterOnnxOptions,
} from '@hourglass/core';
import type { ApiContext } from '../context.js';
import { callerOf } from '../model-access.js';

export const MAX_DATA_FILES = 64;
const UPLOAD_PREFIX = '.upload-';
/** Upload folders older than this are leftovers of a crashed API; removed on the next upload. */
const STALE_UPLOAD_MS = 24 * 3600_000;

/** The text fields of the form (the documented request schema uses it too). */
export const modelUploadFieldsSchema = z
  .object({
    name: z.string().min(1).max(64),
    labels: z
      .string()
      .max(8 * 1024 * 1024)
      .optional(),
    mean: z.string().max(200).optional(),
    std: z.string().max(200).optional(),
    size: z.string().max(20).optional(),
    resize: z.string().max(20).optional(),
    description: z.string().max(2000).optional(),
    input: z.string().max(500).optional(),
    output: z.string().max(500).optional(),
  })
  .strict();

/** Streams the files to disk, into the folder `folderOf(req)` prepared for this request. */
function uploadMiddleware(ctx: ApiContext, folderOf: (req: Request) => string): RequestHandler {
  return multer({
    storage: multer.diskStorage({
      destination: (req, _file, cb) => cb(null, folderOf(req)),
      filename: (_req, file, cb) => cb(null, `${file.fieldname}-${randomUUID()}`),
    }),
    limits: {
      fileSize: ctx.config.MAX_MODEL_UPLOAD_BYTES,
      files: 1 + MAX_DATA_FILES,
      fields: 16,
      fieldSize: 8 * 1024 * 1024,
      parts: 1 + MAX_DATA_FILES + 16,
      headerPairs: 200,
    },
  }).fields([
    { name: 'model', maxCount: 1 },
    { name: 'data', maxCount: MAX_DATA_FILES },
  ]);
}

async function removeStaleUploads(modelsDir: string): Promise<void> {
  const entries = await readdir(modelsDir).catch(() => [] as string[]);
  for (const entry of entries.filter((e) => e.startsWith(UPLOAD_PREFIX))) {
    const dir = path.join(modelsDir, entry);
    const info = await stat(dir).catch(() => undefined);
    if (info && Date.now() - info.mtimeMs > STALE_UPLOAD_MS) await rm(dir, { recursive: true, force: true });
  }
}

function settingsFrom(body: unknown): RegisterOnnxOptions {
  const fields = modelUploadFieldsSchema.parse(body ?? {});
  return {
    name: fields.name,
    ...(fields.labels !== undefined ? { labels: parseLabels(fields.labels) } : {}),
    ...(fields.mean !== undefined ? { mean: parseTriple(fields.mean, 'mean') } : {}),
    ...(fields.std !== undefined ? { std: parseTriple(fields.std, 'std') } : {}),
    ...(fields.size !== undefined ? { size: parseSize(fields.size) } : {}),
    ...(fields.resize !== undefined ? { resize: parseResize(fields.resize) } : {}),
    ...(fields.description !== undefined ? { description: fields.description } : {}),
    ...(fields.input !== undefined ? { input: fields.input } : {}),
    ...(fields.output !== undefined ? { output: fields.output } : {}),
  };
}

/**
 * Puts the uploaded data files where the graph looks for them (relative to model.onnx): a single
 * file goes to the single location the graph names; several are matched by their file names.
 */
async function placeDataFiles(folder: string, onnxPath: string, data: Express.Multer.File[]): Promise<string[]> {
  const inspection = await inspectOnnxFile(onnxPath);
  const wanted = inspection.externalData.map((f) => f.path);
  const warnings: string[] = [];
  if (wanted.length === 0) {
    if (data.length > 0) warnings.push(`the graph keeps no weights outside the .onnx file: ${data.length} data file(s) ignored`);
    return warnings;
  }
  const place = async (file: Express.Multer.File, relative: string): Promise<void> => {
    const to = path.join(folder, ...safeModelFilePath(relative).split('/'));
    await mkdir(path.dirname(to), { recursive: true });
    await rename(file.path, to);
  };
  if (wanted.length === 1 && data.length === 1) {
    await place(data[0]!, wanted[0]!);
    return warnings;
  }
  const byName = new Map(data.map((f) => [path.posix.basename(f.originalname.replaceAll('\\', '/')), f]));
  const missing: string[] = [];
  for (const relative of wanted) {
    const file = byName.get(path.posix.basename(relative));
    if (file) {
      await place(file, relative);
      byName.delete(path.posix.basename(relative));
    } else missing.push(relative);
  }
  if (missing.length > 0) {
    throw new AppError(
      'MODEL_EXTERNAL_DATA_INVALID',
      `the model keeps weights in ${wanted.length} external file(s); missing: ${missing.slice(0, 10).join(', ')}. Upload each as a \`data\` part named like the file.`,
      {
        details: { expected: wanted.slice(0, 100) },
      },
    );
  }
  if (byName.size > 0) warnings.push(`data file(s) the graph does not use were ignored: ${[...byName.keys()].slice(0, 10).join(', ')}`);
  return warnings;
}

/** The POST /v1/models handler; `describe` renders the registered model as GET /v1/models does. */
export function registerModelHandler(
  ctx: ApiContext,
  describe: (name: string, workers: Awaited<ReturnType<typeof listLiveWorkers>>) => Promise<unknown>,
): RequestHandler[] {
  const folders = new WeakMap<Request, string>();
  const upload = uploadMiddleware(ctx, (req) => folders.get(req)!);
  const prepare: RequestHandler = async (req, _res, next) => {
    if (!req.is('multipart/form-data')) {
      next(new AppError('UNSUPPORTED_MEDIA_TYPE', 'send multipart/form-data with a `model` file part (the .onnx) and a `name` field'));
      return;
    }
    await removeStaleUploads(ctx.config.MODELS_DIR).catch(() => undefined);
    // Leftovers of registrations that crashed (never waits on a live one).
    await recoverModelsDir(ctx.config.MODELS_DIR).catch(() => undefined);
    const folder = path.join(ctx.config.MODELS_DIR, `${UPLOAD_PREFIX}${randomUUID()}`);
    await mkdir(folder, { recursive: true });
    folders.set(req, folder);
    next();
  };
  const receive: RequestHandler = (req, res, next) => {
    upload(req, res, (error?: unknown) => {
      if (!error) return next();
      // Rejected mid-upload (too large, too many parts): drop what was written.
      void rm(folders.get(req)!, { recursive: true, force: true }).finally(() => next(error));
    });
  };
  const register = async (req: Request, res: Response): Promise<void> => {
    const folder = folders.get(req)!;
    let name: string;
    let warnings: string[];
    try {
      const files = (req.files ?? {}) as Record<string, Express.Multer.File[] | undefined>;
      const model = files.model?.[0];
      if (!model) throw new AppError('VALIDATION_FAILED', 'no `model` file part: upload the .onnx file as `model`');
      const settings = settingsFrom(req.body);
      const caller = callerOf(req);
      // Before any ONNX work: nobody adds a version to another key's model, or a tenant to a shared one.
      const wanted = String(settings.name);
      ctx.models.invalidate();
      assertMayWriteModel(wanted, (await ctx.models.snapshot()).models.get(wanted)?.manifest, caller);
      // A new name is on disk only once registered: the claim makes two keys racing for it one winner.
      await new ModelNameClaims(ctx.redis, ctx.config.HOURGLASS_PREFIX).claim(wanted, caller);
      const owner = ownerForNewModel(caller);
      const onnxPath = path.join(folder, 'model.onnx');
      await rename(model.path, onnxPath);
      const placed = await placeDataFiles(folder, onnxPath, files.data ?? []);
      const registered = await registerOnnxModel(ctx.config.MODELS_DIR, onnxPath, {
        ...settings,
        source: { uploadedAs: model.originalname.slice(0, 255), registeredVia: 'POST /v1/models', ...(owner ? { owner } : {}) },
        memoryLimitBytes: ctx.config.MODEL_CHECK_MEMORY_MB * 1024 * 1024,
      });
      ctx.models.invalidate();
      ctx.log.info({ model: registered.name, version: registered.version, params: registered.inspection.params }, 'model registered');
      name = registered.name;
      warnings = [...placed, ...registered.warnings];
    } finally {
      // Before answering: a client that lists MODELS_DIR next sees no upload leftovers.
      await rm(folder, { recursive: true, force: true });
    }
    const workers = await listLiveWorkers(ctx.redis, ctx.keys);
    res
      .status(201)
      .location(`/v1/models/${name}`)
      .json({ ...((await describe(name, workers)) as object), warnings });
  };
  return [prepare, receive, register as RequestHandler];
}
