/** A chaos batch audited from its stored results (auditRows: every index once, no failure, right labels). */
import { auditRows, type AuditedRow, type RowAudit } from '@hourglass/core';
import { sleep, type ChaosSystem } from './system.js';

export type Audit = RowAudit;

export async function auditBatch(system: ChaosSystem, id: string, expected: readonly string[]): Promise<Audit> {
  let rows: AuditedRow[] = [];
  for (let attempt = 0; attempt < 20; attempt++) {
    const answered = await system.client.results(id).catch(() => undefined);
    if (answered) {
      rows = answered;
      break;
    }
    await sleep(500);
  }
  return auditRows(rows, expected);
}
