/** What every chaos scenario shares: its signature, its deadline, and how it ends (wait, audit). */
import { auditBatch } from './audit.js';
/** How long a scenario may take before it is reported incomplete. */
export function deadlineFor(options) {
    return Date.now() + Math.max(180_000, options.images * 30 + options.kills * (options.lockMs + 2 * options.stalledMs + 10_000));
}
/** Waits for the batch to finish (or the deadline), then audits it. */
export async function finish(system, scenario, id, expected, t0, deadline) {
    const view = await system.waitForDone(id, expected.length, deadline);
    const done = view ? view.counts.completed + view.counts.failed : 0;
    const report = { scenario, audit: await auditBatch(system, id, expected), wallMs: Date.now() - t0 };
    if (done < expected.length)
        report.incomplete = `${done}/${expected.length} images finished when the deadline passed`;
    return report;
}
//# sourceMappingURL=scenario.js.map