/** A chaos batch audited from its stored results (auditRows: every index once, no failure, right labels). */
import { auditRows } from '@hourglass/core';
import { sleep } from './system.js';
export async function auditBatch(system, id, expected) {
    let text = '';
    for (let attempt = 0; attempt < 20; attempt++) {
        const response = await system.request(`/v1/batches/${id}/results`).catch(() => undefined);
        if (response?.status === 200) {
            text = await response.text();
            break;
        }
        await sleep(500);
    }
    const rows = text.split('\n').filter(Boolean).map((line) => JSON.parse(line));
    return auditRows(rows, expected);
}
//# sourceMappingURL=audit.js.map