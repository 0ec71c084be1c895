/** The harness commands' numeric flags: a bad value is a UsageError (exit 2) before anything starts. */
import { UsageError } from '@hourglass/cli';

/** One positive integer; `fallback` when the flag is absent. */
export function parseCount(value: string | undefined, flag: string, fallback?: number): number {
  if (value === undefined && fallback !== undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`--${flag}: expected a positive integer, got "${value}"`);
  return n;
}

/** Parses "100,10000,1e5" into positive integers. */
export function parseCountList(value: string, flag: string): number[] {
  const list = value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map(Number);
  if (list.length === 0 || list.some((n) => !Number.isInteger(n) || n < 1))
    throw new UsageError(`--${flag}: expected comma-separated positive integers, got "${value}"`);
  return list;
}
