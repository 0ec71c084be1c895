/** Result rows as NDJSON or CSV, written row by row (a 100k-image batch never sits in memory). */
import type { ResultRow } from '@hourglass/core';

export const CSV_HEADER = 'index,source,label,confidence,model,modelVersion,error_code,error_message,preprocess_ms,inference_ms,batch_size';

/**
 * CSV field quoting, plus a guard against spreadsheet formula injection: a cell a hostile filename
 * starts with = + - @ is prefixed with ' so Excel shows it instead of running it.
 */
export function csvField(value: unknown): string {
  if (value === undefined || value === null) return '';
  let s = String(value);
  if (/^[=+\-@\t\r]/.test(s) && typeof value === 'string') s = `'${s}`;
  return /[",\n\r]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

const ms = (v: number | undefined): string => (v === undefined ? '' : v.toFixed(2));

export function toCsvLine(row: ResultRow): string {
  return [
    row.index,
    csvField(row.source),
    csvField(row.label),
    row.confidence ?? '',
    csvField(row.model),
    row.modelVersion,
    row.error?.code ?? '',
    csvField(row.error?.message),
    ms(row.timings?.preprocessMs),
    ms(row.timings?.inferenceMs),
    row.timings?.batchSize ?? '',
  ].join(',');
}

export function toNdjsonLine(row: ResultRow): string {
  return JSON.stringify(row);
}
