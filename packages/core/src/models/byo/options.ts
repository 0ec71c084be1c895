/**
 * The user-facing settings of a registration (CLI flags, REST form fields) and their parsers. All
 * parsers throw VALIDATION_FAILED naming the setting, so the CLI and the API report them alike.
 */
import { readFile } from 'node:fs/promises';
import { AppError } from '../../errors.js';

export type Triple = [number, number, number];
export type ResizeMode = 'fill' | 'cover' | 'contain';

export const RESIZE_MODES: readonly ResizeMode[] = ['fill', 'cover', 'contain'];

/**
 * What a registration may set; everything left out comes from the export's model.json, then the
 * graph, then the defaults below.
 */
export interface RegistrationSettings {
  /** Registry name (lower-case, digits, . _ -). Default: model.json's name. */
  name?: string;
  description?: string;
  /** One per class, in output order. Default: model.json's labels, else class_0 .. class_{N-1}. */
  labels?: string[];
  /** Per-channel RGB mean / std applied to pixel/255. Default ImageNet's. */
  mean?: Triple;
  std?: Triple;
  /** Input size when the graph's spatial dims are symbolic. Default 224 × 224. */
  size?: { width: number; height: number };
  /** Default 'cover' (see DEFAULT_RESIZE). */
  resize?: ResizeMode;
  /** Which graph input / output to use when there are several. */
  input?: string;
  output?: string;
}

export const DEFAULT_MEAN: Triple = [0.485, 0.456, 0.406];
export const DEFAULT_STD: Triple = [0.229, 0.224, 0.225];
export const DEFAULT_SIZE = 224;
/**
 * timm evaluates with "resize the shorter side, then centre-crop" (crop_pct of the resize); sharp's
 * `cover` (scale to fill, centre crop) is that with crop_pct = 1, the closest of the three modes.
 * `fill` would stretch non-square photos, which ImageNet-trained models never saw.
 */
export const DEFAULT_RESIZE: ResizeMode = 'cover';
export const MAX_LABELS = 100_000;
export const MAX_LABEL_LENGTH = 500;

const invalid = (message: string): AppError => new AppError('VALIDATION_FAILED', message);

/** "0.5,0.5,0.5" or "[0.5, 0.5, 0.5]" → a triple of finite numbers. */
export function parseTriple(text: string, what: 'mean' | 'std'): Triple {
  const trimmed = text.trim();
  let parts: unknown[];
  if (trimmed.startsWith('[')) {
    try {
      parts = JSON.parse(trimmed) as unknown[];
    } catch {
      throw invalid(`${what}: "${text.slice(0, 100)}" is not a JSON array`);
    }
    if (!Array.isArray(parts)) throw invalid(`${what}: expected three numbers`);
  } else {
    parts = trimmed.split(/[,\s]+/).filter((p) => p.length > 0);
  }
  const values = parts.map((p) => (typeof p === 'number' ? p : typeof p === 'string' && p.trim() !== '' ? Number(p) : Number.NaN));
  if (values.length !== 3 || values.some((v) => !Number.isFinite(v))) {
    throw invalid(`${what}: expected three comma-separated numbers (R,G,B), got "${text.slice(0, 100)}"`);
  }
  if (what === 'std' && values.some((v) => v <= 0)) throw invalid(`std: every value must be > 0, got "${text.slice(0, 100)}"`);
  return values as Triple;
}

/** "224" or "256x192" (width × height) → a size. */
export function parseSize(text: string): { width: number; height: number } {
  const match = /^\s*(\d{1,5})(?:\s*[x×X,]\s*(\d{1,5}))?\s*$/.exec(text);
  const width = Number(match?.[1]);
  const height = match?.[2] === undefined ? width : Number(match[2]);
  if (!match || !(width >= 1 && width <= 4096 && height >= 1 && height <= 4096)) {
    throw invalid(`size: expected N or WxH with 1 ≤ N ≤ 4096, got "${text.slice(0, 100)}"`);
  }
  return { width, height };
}

export function parseResize(text: string): ResizeMode {
  if (!(RESIZE_MODES as readonly string[]).includes(text)) throw invalid(`resize: expected one of ${RESIZE_MODES.join(', ')}, got "${text.slice(0, 50)}"`);
  return text as ResizeMode;
}

/** Checks a label list: non-empty strings, not too many, not too long. */
export function checkLabels(labels: unknown, where = 'labels'): string[] {
  if (!Array.isArray(labels) || labels.length === 0) throw invalid(`${where}: expected a non-empty list of labels`);
  if (labels.length > MAX_LABELS) throw invalid(`${where}: ${labels.length} labels; at most ${MAX_LABELS}`);
  return labels.map((label, i) => {
    if (typeof label !== 'string' || label.trim().length === 0) throw invalid(`${where}: label ${i} is not a non-empty string`);
    if (label.length > MAX_LABEL_LENGTH) throw invalid(`${where}: label ${i} is longer than ${MAX_LABEL_LENGTH} characters`);
    return label.trim();
  });
}

/**
 * Labels from text: a JSON array of strings, or one label per line (blank lines and a trailing
 * newline ignored, \r\n accepted).
 */
export function parseLabels(text: string, where = 'labels'): string[] {
  const trimmed = text.replace(/^\uFEFF/, '').trim();
  if (trimmed.startsWith('[')) {
    let json: unknown;
    try {
      json = JSON.parse(trimmed);
    } catch (error) {
      throw invalid(`${where}: looks like JSON but does not parse (${(error as Error).message})`);
    }
    return checkLabels(json, where);
  }
  return checkLabels(
    trimmed
      .split(/\r?\n/)
      .map((l) => l.trim())
      .filter((l) => l.length > 0),
    where,
  );
}

export async function readLabelsFile(file: string): Promise<string[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw invalid(`labels: cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  return parseLabels(text, `labels file ${file}`);
}
