/**
 * CPU accounting for a benchmark run on Linux: how many cores the machine was busy for, how many of
 * those were ours (coordinator, its worker processes, its Redis), and so how much load other
 * programs added. On a shared 2-core machine a run with foreign load is slower for reasons that
 * are not hourglass's: the report keeps the figure beside the time so such runs can be told apart.
 * Elsewhere (no /proc) every figure is null.
 */
import { readFile } from 'node:fs/promises';

/** Linux reports /proc times in USER_HZ ticks, 100 per second on every mainstream kernel. */
const TICKS_PER_SECOND = 100;

export interface CpuUsage {
  /** Average cores busy over the run, whole machine. */
  machineCores: number | null;
  /** Average cores used by the listed processes (ours). */
  oursCores: number | null;
  /** machine − ours: other programs on the same machine. */
  foreignCores: number | null;
}

async function machineBusyTicks(): Promise<number | undefined> {
  const text = await readFile('/proc/stat', 'utf8').catch(() => undefined);
  const fields = text?.split('\n')[0]?.trim().split(/\s+/).slice(1).map(Number);
  if (!fields || fields.length < 5) return undefined;
  const idle = (fields[3] ?? 0) + (fields[4] ?? 0);
  return fields.slice(0, 8).reduce((a, b) => a + b, 0) - idle;
}

async function processTicks(pid: number): Promise<number> {
  const text = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => undefined);
  if (!text) return 0;
  // The command name may hold spaces: fields are counted after its closing parenthesis.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  // utime, stime are fields 14 and 15 of the full line = 11 and 12 after the name.
  return Number(fields[11] ?? 0) + Number(fields[12] ?? 0);
}

export class CpuMeter {
  private constructor(
    private readonly pids: () => number[],
    private readonly startedAt: number,
    private readonly machine0: number | undefined,
    private readonly ours0: Map<number, number>,
  ) {}

  /** Starts measuring; `pids` is asked again at the end (processes may come and go). */
  static async start(pids: () => number[]): Promise<CpuMeter> {
    const ours0 = new Map<number, number>();
    for (const pid of pids()) ours0.set(pid, await processTicks(pid));
    return new CpuMeter(pids, performance.now(), await machineBusyTicks(), ours0);
  }

  async stop(): Promise<CpuUsage> {
    const seconds = (performance.now() - this.startedAt) / 1000;
    const machine1 = await machineBusyTicks();
    if (this.machine0 === undefined || machine1 === undefined || seconds <= 0) return { machineCores: null, oursCores: null, foreignCores: null };
    let ours = 0;
    for (const pid of new Set([...this.ours0.keys(), ...this.pids()])) ours += Math.max(0, (await processTicks(pid)) - (this.ours0.get(pid) ?? 0));
    const r = (v: number): number => Math.round(v * 100) / 100;
    const machine = (machine1 - this.machine0) / TICKS_PER_SECOND / seconds;
    const oursCores = ours / TICKS_PER_SECOND / seconds;
    return { machineCores: r(machine), oursCores: r(oursCores), foreignCores: r(Math.max(0, machine - oursCores)) };
  }
}
