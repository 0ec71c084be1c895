/**
 * CPU accounting around measured runs: how many cores we used and how many other programs did,
 * and (on a shared machine, when asked) waiting for the others to go quiet first.
 */
import { CpuMeter } from '@hourglass/core/bench';
import type { BenchSession } from './session.js';

export type CpuUse = Awaited<ReturnType<CpuMeter['stop']>>;

/** Waits until other programs leave the machine (nearly) idle, when asked to. */
export async function waitQuiet(session: BenchSession): Promise<void> {
  const { options } = session;
  if (options.quietBelow === undefined) return;
  const deadline = Date.now() + (options.quietMaxWaitMs ?? 300_000);
  let said = false;
  for (;;) {
    const meter = await CpuMeter.start(() => session.ourPids());
    await new Promise((r) => setTimeout(r, 1_000));
    const { foreignCores } = await meter.stop();
    if (foreignCores === null || foreignCores < options.quietBelow || Date.now() > deadline) {
      if (said) session.say(`  quiet     other programs now use ${foreignCores?.toFixed(2) ?? '?'} cores${Date.now() > deadline ? ' (gave up waiting)' : ''}`);
      return;
    }
    if (!said) session.say(`  quiet     waiting: other programs use ${foreignCores.toFixed(2)} cores (want < ${options.quietBelow})`);
    said = true;
  }
}

/** Runs `run` (after waitQuiet) with the CPU meter on. */
export async function metered<T extends object>(session: BenchSession, run: () => Promise<T>): Promise<T & { cpu: CpuUse }> {
  await waitQuiet(session);
  const meter = await CpuMeter.start(() => session.ourPids());
  const result = await run();
  return { ...result, cpu: await meter.stop() };
}

export const cpuNote = (cpu: { oursCores: number | null; foreignCores: number | null } | undefined): string =>
  !cpu || cpu.oursCores === null ? '' : ` · cpu ours ${cpu.oursCores.toFixed(2)} / other programs ${cpu.foreignCores!.toFixed(2)} cores`;
