/** A chaos batch audited from its stored results (auditRows: every index once, no failure, right labels). */
import { auditRows, type AuditedRow, type RowAudit } from '@hourglass/core';
import { sleep, type ChaosSystem } from './system.js';

export type Audit = RowAudit;

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
  const rows = text.split('\n').filter(Boolean).map((line) => JSON.parse(line) as AuditedRow);
  return auditRows(rows, expected);
}
