import os from 'node:os';
import { describe, expect, it } from 'vitest';
import { inferenceLayoutOf, MAX_AUTO_SESSIONS } from '@hourglass/core/testing';

const cpu = { ORT_EP: 'cpu' as const, WORKERS_PER_HOST: 1 };

describe('inferenceLayoutOf', () => {
  it('splits a CPU process’s cores into up to 4 sessions that divide them evenly', () => {
    expect(inferenceLayoutOf(cpu, 1)).toEqual({ sessions: 1, intraOpThreads: 1 });
    expect(inferenceLayoutOf(cpu, 2)).toEqual({ sessions: 2, intraOpThreads: 1 });
    expect(inferenceLayoutOf(cpu, 4)).toEqual({ sessions: 4, intraOpThreads: 1 });
    expect(inferenceLayoutOf(cpu, 6)).toEqual({ sessions: 3, intraOpThreads: 2 });
    expect(inferenceLayoutOf(cpu, 8)).toEqual({ sessions: 4, intraOpThreads: 2 });
    expect(inferenceLayoutOf(cpu, 16)).toEqual({ sessions: MAX_AUTO_SESSIONS, intraOpThreads: 4 });
    // A prime above the cap has no even split: one session keeps every core busy.
    expect(inferenceLayoutOf(cpu, 7)).toEqual({ sessions: 1, intraOpThreads: 7 });
  });

  it('counts only this process’s share of the host (cores ÷ WORKERS_PER_HOST)', () => {
    expect(inferenceLayoutOf({ ...cpu, WORKERS_PER_HOST: 2 }, 2)).toEqual({ sessions: 1, intraOpThreads: 1 });
    expect(inferenceLayoutOf({ ...cpu, WORKERS_PER_HOST: 2 }, 16)).toEqual({ sessions: 4, intraOpThreads: 2 });
    expect(inferenceLayoutOf({ ...cpu, WORKERS_PER_HOST: 16 }, 8)).toEqual({ sessions: 1, intraOpThreads: 1 });
  });

  it('counts CPU_CORES instead of the cores node sees (a container sees the host’s)', () => {
    const container = { ...cpu, CPU_CORES: 2 };
    expect(inferenceLayoutOf(container, 64)).toEqual({ sessions: 2, intraOpThreads: 1 });
    expect(inferenceLayoutOf(container, 1)).toEqual({ sessions: 2, intraOpThreads: 1 });
    expect(inferenceLayoutOf({ ...container, WORKERS_PER_HOST: 2 }, 64)).toEqual({ sessions: 1, intraOpThreads: 1 });
    expect(inferenceLayoutOf({ ORT_EP: 'webgpu', WORKERS_PER_HOST: 1, CPU_CORES: 8 }, 64)).toEqual({ sessions: 1, intraOpThreads: 8 });
  });

  it('keeps one session when INTRA_OP_THREADS alone is set, as that setting always meant', () => {
    expect(inferenceLayoutOf({ ...cpu, INTRA_OP_THREADS: 2 }, 2)).toEqual({ sessions: 1, intraOpThreads: 2 });
    expect(inferenceLayoutOf({ ...cpu, INTRA_OP_THREADS: 1 }, 8)).toEqual({ sessions: 1, intraOpThreads: 1 });
  });

  it('fills the share with INFERENCE_SESSIONS alone, and takes both when both are set', () => {
    expect(inferenceLayoutOf({ ...cpu, INFERENCE_SESSIONS: 2 }, 8)).toEqual({ sessions: 2, intraOpThreads: 4 });
    expect(inferenceLayoutOf({ ...cpu, INFERENCE_SESSIONS: 3 }, 2)).toEqual({ sessions: 3, intraOpThreads: 1 });
    expect(inferenceLayoutOf({ ...cpu, INFERENCE_SESSIONS: 2, INTRA_OP_THREADS: 3 }, 2)).toEqual({ sessions: 2, intraOpThreads: 3 });
  });

  it('keeps one session of every core on a GPU provider', () => {
    expect(inferenceLayoutOf({ ORT_EP: 'cuda', WORKERS_PER_HOST: 1 }, 16)).toEqual({ sessions: 1, intraOpThreads: 16 });
    expect(inferenceLayoutOf({ ORT_EP: 'webgpu', WORKERS_PER_HOST: 2 }, 16)).toEqual({ sessions: 1, intraOpThreads: 8 });
  });

  it('keeps one session on the main thread, where sessions would take turns', () => {
    expect(inferenceLayoutOf({ ...cpu, INFERENCE_THREAD: 'main' }, 4)).toEqual({ sessions: 1, intraOpThreads: 4 });
  });

  it('uses this machine’s cores when none are given', () => {
    const layout = inferenceLayoutOf(cpu);
    expect(layout).toEqual(inferenceLayoutOf(cpu, os.availableParallelism()));
  });
});
