import { type SpawnedWorker } from '@hourglass/worker';
import { type HourglassClient } from '@hourglass/cli';
import { type DemoImage } from './images.js';
export declare const DEMO_BACKBONE = "mobilenet-v2";
export interface TransferDemoDeps {
    client: HourglassClient;
    modelsDir: string;
    dataRoot: string;
    workerEnv: NodeJS.ProcessEnv;
    workers: SpawnedWorker[];
    out: (line?: string) => void;
}
/** Returns how many held-out images got a label, and how many of those were the expected one. */
export declare function runTransferDemo(deps: TransferDemoDeps, heldOut: DemoImage[]): Promise<{
    labelled: number;
    correct: number;
    total: number;
}>;
//# sourceMappingURL=transfer.d.ts.map