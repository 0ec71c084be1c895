/**
 * Where a registration reads from: an ONNX file, or an export folder as infra/export_timm.py (and
 * the timm-like fixture generator) write it:
 *
 *   model.onnx         (or exactly one other *.onnx file)
 *   model.onnx.data    external weights, if any (any relative location the graph names)
 *   model.json         optional: a partial model.json (no version) — name, description, input
 *                      { name, layout, width, height, mean, std, resize }, output { name, kind },
 *                      labels, source
 *   labels.txt         optional: one label per line (or labels.json, a JSON array)
 *
 * For a bare file only the file is read: metadata comes from flags and the graph.
 */
import { readFile, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { AppError } from '../../errors.js';
import { checkLabels, parseLabels, RESIZE_MODES, type ResizeMode, type Triple } from './options.js';

export const EXPORT_METADATA_FILE = 'model.json';
const LABEL_FILES = ['labels.txt', 'labels.json'];

const triple = z.tuple([z.number(), z.number(), z.number()]);

/** model.json of an export folder: every field optional, unknown fields kept (source especially). */
export const exportMetadataSchema = z
  .object({
    name: z.string().optional(),
    description: z.string().max(2000).optional(),
    input: z
      .object({
        name: z.string().optional(),
        layout: z.enum(['NCHW', 'NHWC']).optional(),
        width: z.number().int().positive().max(4096).optional(),
        height: z.number().int().positive().max(4096).optional(),
        mean: triple.optional(),
        std: triple.refine((s) => s.every((v) => v > 0), 'std must be > 0').optional(),
        resize: z.enum(RESIZE_MODES as [ResizeMode, ...ResizeMode[]]).optional(),
      })
      .loose()
      .optional(),
    output: z
      .object({ name: z.string().optional(), kind: z.enum(['logits', 'probabilities']).optional() })
      .loose()
      .optional(),
    labels: z.array(z.string()).optional(),
    source: z.record(z.string(), z.unknown()).optional(),
  })
  .loose();

export type ExportMetadata = z.infer<typeof exportMetadataSchema> & { input?: { mean?: Triple; std?: Triple } };

export interface ExportSource {
  /** The folder the ONNX file (and its external data) is in. */
  dir: string;
  onnxPath: string;
  metadata?: ExportMetadata;
  /** Labels from labels.txt / labels.json next to the model (folders only). */
  labels?: string[];
  /** Which files the metadata and labels came from, for messages. */
  metadataFile?: string;
  labelsFile?: string;
}

const invalid = (message: string, file?: string): AppError => new AppError('VALIDATION_FAILED', message, file ? { details: { file } } : undefined);

async function readMetadata(file: string): Promise<ExportMetadata> {
  let json: unknown;
  try {
    json = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    throw invalid(`${file}: not valid JSON (${(error as Error).message})`, file);
  }
  const parsed = exportMetadataSchema.safeParse(json);
  if (!parsed.success) {
    throw invalid(`${file}: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`, file);
  }
  if (parsed.data.labels) checkLabels(parsed.data.labels, `${file}: labels`);
  return parsed.data as ExportMetadata;
}

/** Resolves a path given to `models add`: an ONNX file, or an export folder (see the module comment). */
export async function resolveExportSource(fileOrFolder: string): Promise<ExportSource> {
  const target = path.resolve(fileOrFolder);
  const info = await stat(target).catch(() => undefined);
  if (!info) throw invalid(`${fileOrFolder}: no such file or folder`, fileOrFolder);
  if (info.isFile()) return { dir: path.dirname(target), onnxPath: target };
  if (!info.isDirectory()) throw invalid(`${fileOrFolder}: neither a file nor a folder`, fileOrFolder);

  const entries = await readdir(target);
  const onnxFiles = entries.filter((e) => e.toLowerCase().endsWith('.onnx')).sort();
  let onnx: string | undefined;
  if (entries.includes('model.onnx')) onnx = 'model.onnx';
  else if (onnxFiles.length === 1) onnx = onnxFiles[0];
  else if (onnxFiles.length === 0) throw invalid(`${fileOrFolder}: no .onnx file in this folder`, fileOrFolder);
  else throw invalid(`${fileOrFolder}: ${onnxFiles.length} .onnx files (${onnxFiles.slice(0, 5).join(', ')}); name the one to register`, fileOrFolder);

  const source: ExportSource = { dir: target, onnxPath: path.join(target, onnx!) };
  if (entries.includes(EXPORT_METADATA_FILE)) {
    source.metadataFile = path.join(target, EXPORT_METADATA_FILE);
    source.metadata = await readMetadata(source.metadataFile);
  }
  const labelsName = LABEL_FILES.find((f) => entries.includes(f));
  if (labelsName) {
    source.labelsFile = path.join(target, labelsName);
    source.labels = parseLabels(await readFile(source.labelsFile, 'utf8'), source.labelsFile);
  }
  return source;
}
