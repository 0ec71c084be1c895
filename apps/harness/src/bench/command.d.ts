export declare const BENCH_USAGE = "  bench --model NAME[,NAME] [--images 100,10000,100000] [--workers 1,2] [--batch B]\n        [--ep cpu|webgpu] [--external] [--chunk K [--chunk-at N]] [--out DIR] [--photos DIR[,DIR]]\n        [--corpus N] [--seed S] [--inprocess-max N] [--naive-samples N] [--quiet CORES [--quiet-wait S]] [--no-write]\n                                             drain time of N images across W workers vs the naive projection\n  bench-smoke [--model NAME] [--images 1000]  1 worker: e2e rate, in-process rate and their ratio\n  bench-render FILE.json [...] [--out DIR] [--results-md FILE]\n                                             re-render stored bench results (Markdown, SVG; RESULTS.md)\n";
export declare function benchCommand(args: string[], env?: NodeJS.ProcessEnv): Promise<number>;
/**
 * `npm run bench:smoke`: 1,000 images, 1 worker, one model (colours unless --model): the e2e rate,
 * the in-process rate and their ratio (issue 2 asks for ≥ 0.8). Writes nothing unless --out.
 */
export declare function benchSmokeCommand(args: string[], env?: NodeJS.ProcessEnv): Promise<number>;
/**
 * `bench-render FILE.json [...]`: renders stored results again (after a change to the report or
 * chart code, or to combine several models' files into one RESULTS.md) without measuring anything.
 */
export declare function benchRenderCommand(args: string[]): Promise<number>;
//# sourceMappingURL=command.d.ts.map