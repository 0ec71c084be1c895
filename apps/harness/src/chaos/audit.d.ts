/** A chaos batch audited from its stored results (auditRows: every index once, no failure, right labels). */
import { type RowAudit } from '@hourglass/core';
import { type ChaosSystem } from './system.js';
export type Audit = RowAudit;
export declare function auditBatch(system: ChaosSystem, id: string, expected: readonly string[]): Promise<Audit>;
//# sourceMappingURL=audit.d.ts.map