/**
 * One model, ready to classify images: sharp decode → tensor written into the micro-batch →
 * batched session.run on the inference engine (its own thread by default) → top-k labels. The
 * worker uses it per job; the benchmark's in-process baseline uses the very same object without a
 * queue in front.
 */
import { AppError } from '../errors.js';
import { Semaphore } from '../concurrency.js';
import type { InferenceThreadMode } from '../config.js';
import type { RegisteredModel } from '../models/registry.js';
import { decodeImage } from '../imaging/decode.js';
import { buildChannelTables, writeImageTensor, type ChannelTables } from '../imaging/tensor-layout.js';
import { createInferenceEngine } from './engine-factory.js';
import type { EngineInfo, InferenceEngine } from './inference-engine.js';
import type { ProviderSpec } from './provider.js';
import type { RunResult } from './run-batch.js';
import { MicroBatcher } from './micro-batcher.js';
import { softmaxInPlace, topK, type Prediction } from './postprocess.js';

export interface ClassifierOptions {
  /** The execution provider and its options (providerSpecOf(config)). */
  provider: ProviderSpec;
  /** Intra-op threads of each session. */
  intraOpThreads: number;
  /** Sessions run side by side, each on its own thread and micro-batch (default 1; inference-layout.ts). */
  inferenceSessions?: number;
  /** Where the session runs (default: its own worker_thread). */
  inferenceThread?: InferenceThreadMode;
  batchSize: number;
  batchTimeoutMs: number;
  maxInputPixels: number;
  /** Images decoding at once. */
  preprocessConcurrency: number;
  /** Also return the features output (train jobs). */
  withFeatures?: boolean;
  /** Called after every micro-batch session.run with its size and run time (worker metrics). */
  onBatchRun?: (size: number, runMs: number) => void;
}

export interface Classification {
  predictions: Prediction[];
  features?: Float32Array;
  timings: {
    /** Decode and resize (sharp), excluding the wait for a decode slot. */
    preprocessMs: number;
    /** From writing the tensor into the batch until its batch finished (batch wait + run). */
    inferenceMs: number;
    /** session.run time of the batch this image rode in. */
    runMs: number;
    batchSize: number;
  };
}

export class ImageClassifier {
  private readonly tables: ChannelTables;
  private readonly batcher: MicroBatcher<RunResult>;
  private readonly decodeSlots: Semaphore;
  private readonly itemFloats: number;

  private constructor(
    readonly model: RegisteredModel,
    private readonly options: ClassifierOptions,
    private readonly engine: InferenceEngine,
    readonly info: EngineInfo,
  ) {
    const { input } = model.manifest;
    this.tables = buildChannelTables(input);
    this.itemFloats = 3 * input.width * input.height;
    this.decodeSlots = new Semaphore(options.preprocessConcurrency);
    this.batcher = new MicroBatcher<RunResult>({
      // A graph with a fixed batch axis of 1 can only ever run one image.
      maxSize: input.dynamicBatch ? options.batchSize : 1,
      maxWaitMs: options.batchTimeoutMs,
      itemFloats: this.itemFloats,
      parallelRuns: engine.parallelRuns,
      run: async (buffer, size) => {
        const result = await engine.run(buffer, size);
        options.onBatchRun?.(size, result.ms);
        return result;
      },
    });
  }

  static async open(model: RegisteredModel, options: ClassifierOptions): Promise<ImageClassifier> {
    const { manifest } = model;
    const { input } = manifest;
    const outputNames = [manifest.output.name];
    if (options.withFeatures) {
      if (!manifest.features) throw new AppError('MODEL_INVALID', `model "${manifest.name}" has no features output`);
      outputNames.push(manifest.features.name);
    }
    const itemDims = input.layout === 'NCHW' ? [3, input.height, input.width] : [input.height, input.width, 3];
    const engine = createInferenceEngine(
      { onnxPath: model.onnxPath, provider: options.provider, intraOpThreads: options.intraOpThreads, inputName: input.name, itemDims, outputNames },
      options.inferenceThread ?? 'worker',
      options.inferenceSessions ?? 1,
    );
    const info = await engine.start();
    for (const name of outputNames) {
      if (!info.outputNames.includes(name)) {
        await engine.close();
        throw new AppError('MODEL_INVALID', `${model.onnxPath}: graph has no output "${name}" (outputs: ${info.outputNames.join(', ')})`);
      }
    }
    if (!info.inputNames.includes(input.name)) {
      await engine.close();
      throw new AppError('MODEL_INVALID', `${model.onnxPath}: graph has no input "${input.name}" (inputs: ${info.inputNames.join(', ')})`);
    }
    return new ImageClassifier(model, options, engine, info);
  }

  /** Classifies one image (a file path or its bytes). Decode errors are AppErrors with client codes. */
  async classify(image: Buffer | string): Promise<Classification> {
    const { manifest } = this.model;
    const { input } = manifest;
    let t0 = 0;
    const decoded = await this.decodeSlots.use(() => {
      // Timed from inside the slot: waiting for a free decode slot is queueing, not preprocessing.
      t0 = performance.now();
      return decodeImage(image, { width: input.width, height: input.height, fit: input.resize, maxInputPixels: this.options.maxInputPixels });
    });
    const t1 = performance.now();
    const slot = await this.batcher.submit((buffer, offset) =>
      writeImageTensor(decoded.pixels, input.width, input.height, this.tables, input.layout, buffer, offset),
    );
    const t2 = performance.now();

    const classes = manifest.labels.length;
    const out = slot.result.outputs[manifest.output.name]!;
    // Check the whole output, not this row: in a batch, a wrong width still fills every row but the last.
    if (out.length !== slot.size * classes) {
      throw new AppError('MODEL_INVALID', `output "${manifest.output.name}" has ${out.length / slot.size} values per image, manifest lists ${classes} labels`);
    }
    const row = out.slice(slot.row * classes, (slot.row + 1) * classes);
    if (manifest.output.kind === 'logits') softmaxInPlace(row);
    const result: Classification = {
      predictions: topK(row, manifest.labels, manifest.topK),
      timings: { preprocessMs: t1 - t0, inferenceMs: t2 - t1, runMs: slot.result.ms, batchSize: slot.size },
    };
    if (this.options.withFeatures && manifest.features) {
      const size = manifest.features.size;
      const features = slot.result.outputs[manifest.features.name]!;
      if (features.length !== slot.size * size) {
        throw new AppError('MODEL_INVALID', `output "${manifest.features.name}" has ${features.length / slot.size} values per image, manifest says ${size}`);
      }
      result.features = features.slice(slot.row * size, (slot.row + 1) * size);
    }
    return result;
  }

  async close(): Promise<void> {
    await this.batcher.drained();
    await this.engine.close();
  }
}
