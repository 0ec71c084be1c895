/**
 * Creates one onnxruntime-node session. ORT does not fall back by itself when an execution provider
 * cannot start (no GPU, missing CUDA libraries): we catch that, log why, and retry on the CPU.
 */
import * as ort from 'onnxruntime-node';
import { AppError, describeError } from '../errors.js';
import type { ExecutionProvider } from '../config.js';
import { CPU_PROVIDER, ortExecutionProviders, type ProviderSpec } from './provider.js';

export interface SessionOptions {
  provider: ProviderSpec;
  intraOpThreads: number;
}

export interface OpenedSession {
  session: ort.InferenceSession;
  /** The provider actually in use. */
  ep: ExecutionProvider;
  /** Set when the requested provider failed and the session fell back to cpu. */
  fallbackReason?: string;
}

async function open(onnxPath: string, options: SessionOptions): Promise<ort.InferenceSession> {
  return ort.InferenceSession.create(onnxPath, {
    executionProviders: ortExecutionProviders(options.provider),
    intraOpNumThreads: options.intraOpThreads,
    // One session per process; inter-op parallelism only helps graphs with parallel branches.
    interOpNumThreads: 1,
    graphOptimizationLevel: 'all',
    executionMode: 'sequential',
    // ORT's intra-op threads busy-wait after each run by default. In a worker they share the cores
    // with sharp's decodes, so spinning burns CPU that decoding needs: measured here (MobileNetV2,
    // batch 16, 2 threads, 40 ms between runs as in a worker) 15.8 ms of CPU per image with
    // spinning, 9.6 ms without, and no slower runs.
    extra: { session: { intra_op: { allow_spinning: '0' }, inter_op: { allow_spinning: '0' } } },
  });
}

/** What an opened session says about itself: the provider in use (and why not the requested one), its graph's names. */
export function describeOpened(opened: OpenedSession): { ep: ExecutionProvider; fallbackReason?: string; inputNames: string[]; outputNames: string[] } {
  return {
    ep: opened.ep,
    ...(opened.fallbackReason ? { fallbackReason: opened.fallbackReason } : {}),
    inputNames: [...opened.session.inputNames],
    outputNames: [...opened.session.outputNames],
  };
}

export async function openSession(onnxPath: string, options: SessionOptions): Promise<OpenedSession> {
  try {
    return { session: await open(onnxPath, options), ep: options.provider.ep };
  } catch (error) {
    if (options.provider.ep === 'cpu') {
      throw new AppError('MODEL_INVALID', `${onnxPath}: onnxruntime cannot load it: ${describeError(error)}`, { cause: error, details: { file: onnxPath } });
    }
    const fallbackReason = `${options.provider.ep} execution provider failed to start: ${describeError(error)}`;
    const session = await open(onnxPath, { ...options, provider: CPU_PROVIDER }).catch((cpuError: unknown) => {
      throw new AppError('MODEL_INVALID', `${onnxPath}: onnxruntime cannot load it: ${describeError(cpuError)}`, {
        cause: cpuError,
        details: { file: onnxPath },
      });
    });
    return { session, ep: 'cpu', fallbackReason };
  }
}
