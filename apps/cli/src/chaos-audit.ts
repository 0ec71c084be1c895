/**
 * A chaos batch audited from its stored results: every index exactly once (lost = indices without
 * a row, duplicates = rows beyond one per index), failures, wrong labels.
 */
import { sleep, type ChaosSystem } from './chaos-system.js';

export interface Audit {
  total: number;
  rows: number;
  lost: number;
  duplicates: number;
  failed: number;
  wrongLabels: number;
}

export async function auditBatch(system: ChaosSystem, id: string, expected: readonly string[]): Promise<Audit> {
  let text = '';
  for (let attempt = 0; attempt < 20; attempt++) {
    const response = await system.request(`/v1/batches/${id}/results`).catch(() => undefined);
    if (response?.status === 200) {
      text = await response.text();
      break;
    }
    await sleep(500);
  }
  const rows = text.split('\n').filter(Boolean).map((line) => JSON.parse(line) as { index: number; label?: string; error?: unknown });
  const seen = new Map<number, number>();
  for (const row of rows) seen.set(row.index, (seen.get(row.index) ?? 0) + 1);
  let lost = 0;
  for (let i = 0; i < expected.length; i++) if (!seen.has(i)) lost++;
  return {
    total: expected.length,
    rows: rows.length,
    lost,
    duplicates: [...seen.values()].reduce((sum, n) => sum + n - 1, 0),
    failed: rows.filter((r) => r.error).length,
    wrongLabels: rows.filter((r) => !r.error && r.label !== expected[r.index]).length,
  };
}
