import { deadlineFor, finish } from './scenario.js';
export async function sigtermScenario(system, options, paths, expected) {
    const deadline = deadlineFor(options);
    await Promise.all(Array.from({ length: options.workers }, () => system.startWorker()));
    const t0 = Date.now();
    const id = await system.submit(paths);
    await system.waitForDone(id, Math.floor(options.images * (0.2 + Math.random() * 0.3)), deadline);
    const stopAt = Date.now();
    const exitCodes = await Promise.all(system.live().map((w) => w.stop('SIGTERM')));
    const drainMs = Date.now() - stopAt;
    const activeAfter = await system.queue().getActiveCount();
    await Promise.all(Array.from({ length: options.workers }, () => system.startWorker()));
    const report = await finish(system, 'sigterm', id, expected, t0, deadline);
    report.sigterm = { exitCodes, drainMs, activeAfter };
    return report;
}
//# sourceMappingURL=sigterm.js.map