/**
 * The experiment's output: one JSON entry per backbone (read by the benchmark report's
 * accuracy-vs-throughput chart) and the Markdown the blog would have printed.
 *
 * bench/experiment/experiment.json is an array of ExperimentEntry:
 *   { model, baseModel, role, accuracy, errorRate, heldOutAccuracy, imagesPerSecond, singleImageMs,
 *     prediction: { image, label, truth, confidence }, epochs: [{ epoch, train_loss, valid_loss,
 *     error_rate, seconds }], ... }
 * accuracy = 1 - the last epoch's valid error_rate; imagesPerSecond = the merged model's
 * in-process throughput (decode + batched inference, batch 16); singleImageMs = median wall time
 * of one classify() call at batch size 1 (decode included), after warm-up.
 */
import type { EpochRow } from '@hourglass/core';
export interface ExperimentEntry {
    /** The trained model, `<backbone>-fashion-mnist`. */
    model: string;
    modelVersion: number;
    baseModel: string;
    role: string;
    features: number;
    head: 'linear' | 'mlp';
    /** 1 - error_rate of the last epoch, on the validation split. */
    accuracy: number;
    errorRate: number;
    /** Share of the held-out Fashion-MNIST test images (t10k) classified right by the merged model. */
    heldOutAccuracy: number;
    heldOutImages: number;
    /** Merged model, in process, batch 16, decode included. */
    imagesPerSecond: number;
    /** Median of one classify() at batch 1, decode included, after warm-up. */
    singleImageMs: number;
    prediction: {
        image: string;
        label: string;
        truth: string;
        confidence: number;
    };
    epochs: EpochRow[];
    seconds: {
        extract: number;
        train: number;
    };
    featureCache: {
        hits: number;
        computed: number;
    };
    dataset: {
        name: string;
        perClass: number;
        images: number;
        validPct: number;
        seed: number;
        hash: string;
    };
    /** loadAverage: the 1-minute load when this backbone finished (other processes share the cores). */
    machine: {
        cpu: string;
        cores: number;
        node: string;
        ep: string;
        intraOpThreads: number;
        loadAverage: number;
    };
    generatedAt: string;
}
/** The per-epoch table in fastai's layout (time as mm:ss). */
export declare function epochTable(epochs: readonly EpochRow[]): string;
export declare function summaryTable(entries: readonly ExperimentEntry[]): string;
export declare function experimentMarkdown(entries: readonly ExperimentEntry[]): string;
//# sourceMappingURL=report.d.ts.map