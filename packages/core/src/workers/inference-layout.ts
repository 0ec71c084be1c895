/**
 * How one worker process spends its share of the host's cores on inference: how many ONNX sessions
 * it runs side by side, and how many intra-op threads each one uses.
 *
 * Why several sessions on the CPU: one session's threads meet at a barrier after every operator, so
 * its cores idle whenever one thread is late, and the worker's own event loop (decode, Redis, locks)
 * makes one late on a small host. Sessions of fewer threads, each running its own micro-batch, do
 * not wait for each other. Measured on a 2-core host with MobileNetV2 (bench/RESULTS.md): two
 * 1-thread sessions ran 133-138 img/s in-process against 121-126 for one 2-thread session, and on
 * 16 cores 4 processes × 4 threads beat 1 × 16 by 1.38×. Each session holds its own copy of the
 * weights, so the automatic layout stops at MAX_AUTO_SESSIONS. A GPU provider keeps one session:
 * the device already runs a batch in parallel, and a second session would copy the weights into
 * its memory again.
 */
import os from 'node:os';
import type { WorkerConfig } from '../config.js';

export interface InferenceLayout {
  /** ONNX sessions this process runs at once (each on its own inference thread). */
  sessions: number;
  /** Intra-op threads of each session. */
  intraOpThreads: number;
}

/** The most sessions the automatic CPU layout opens: their weights are one copy each. */
export const MAX_AUTO_SESSIONS = 4;

export type LayoutConfig = Pick<WorkerConfig, 'ORT_EP' | 'INTRA_OP_THREADS' | 'INFERENCE_SESSIONS' | 'WORKERS_PER_HOST'> &
  Partial<Pick<WorkerConfig, 'INFERENCE_THREAD' | 'CPU_CORES'>>;

/**
 * The host's cores as the layout counts them: CPU_CORES where set, else the cores node sees. In a
 * container node sees every core of the host, not the CPU limit, so compose and Kubernetes set it.
 */
export function coresOf(config: Pick<LayoutConfig, 'CPU_CORES'>, seen = os.availableParallelism()): number {
  return config.CPU_CORES ?? seen;
}

/**
 * Sessions × threads for this process. Either setting given alone fixes the other from the cores
 * this process has (cores ÷ WORKERS_PER_HOST); INTRA_OP_THREADS alone keeps one session, as it
 * always meant. Neither given, on the CPU: the largest session count up to MAX_AUTO_SESSIONS that
 * divides the cores evenly (2 cores: 2 × 1; 8: 4 × 2; 16: 4 × 4; 6: 3 × 2). Sessions on the main
 * thread (INFERENCE_THREAD=main) would only take turns, so that mode keeps one. `seenCores` is what
 * node reports; CPU_CORES overrides it (coresOf).
 */
export function inferenceLayoutOf(config: LayoutConfig, seenCores = os.availableParallelism()): InferenceLayout {
  const share = Math.max(1, Math.floor(coresOf(config, seenCores) / Math.max(1, config.WORKERS_PER_HOST)));
  const { INFERENCE_SESSIONS: sessions, INTRA_OP_THREADS: threads } = config;
  if (sessions !== undefined) return { sessions, intraOpThreads: threads ?? Math.max(1, Math.floor(share / sessions)) };
  if (threads !== undefined || config.ORT_EP !== 'cpu' || config.INFERENCE_THREAD === 'main') return { sessions: 1, intraOpThreads: threads ?? share };
  let auto = Math.min(MAX_AUTO_SESSIONS, share);
  while (share % auto !== 0) auto--;
  return { sessions: auto, intraOpThreads: share / auto };
}
