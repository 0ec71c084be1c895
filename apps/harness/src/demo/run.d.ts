export interface DemoOptions {
    images: number;
    workers: number;
    keep: boolean;
    /** Also fine-tune the bundled MobileNetV2 on the demo images and classify with it. */
    transfer: boolean;
}
export declare const DEMO_MODEL = "colours";
/** Where the demo keeps its models and images unless MODELS_DIR / DATA_ROOT say otherwise. */
export declare function demoPaths(env: NodeJS.ProcessEnv): {
    modelsDir: string;
    dataRoot: string;
};
export declare function ensureColourModel(modelsDir: string): Promise<void>;
export declare function runDemo(options: DemoOptions, env?: NodeJS.ProcessEnv): Promise<number>;
//# sourceMappingURL=run.d.ts.map