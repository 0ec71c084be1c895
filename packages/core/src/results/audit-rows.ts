/**
 * Checks a batch's stored rows against what each index should say: every index exactly once
 * (lost = indices without a row, duplicates = rows beyond one per index), failures, wrong labels.
 * The fault tests and `npm run chaos` judge a run by it.
 */
export interface RowAudit {
  total: number;
  rows: number;
  /** Indices with at least one row. */
  distinct: number;
  lost: number;
  duplicates: number;
  failed: number;
  wrongLabels: number;
}

export interface AuditedRow {
  index: number;
  label?: string;
  error?: unknown;
}

export function auditRows(rows: readonly AuditedRow[], expected: readonly string[]): RowAudit {
  const seen = new Map<number, number>();
  for (const row of rows) seen.set(row.index, (seen.get(row.index) ?? 0) + 1);
  let lost = 0;
  for (let i = 0; i < expected.length; i++) if (!seen.has(i)) lost++;
  return {
    total: expected.length,
    rows: rows.length,
    distinct: seen.size,
    lost,
    duplicates: [...seen.values()].reduce((sum, n) => sum + n - 1, 0),
    failed: rows.filter((r) => r.error).length,
    wrongLabels: rows.filter((r) => !r.error && r.label !== expected[r.index]).length,
  };
}
