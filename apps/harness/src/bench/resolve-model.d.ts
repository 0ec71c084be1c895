/** The model a bench run measures: found in the model folders, or generated (colour nets, the blog's architectures). */
import { type RegisteredModel } from '@hourglass/core';
/** Finds a registered model in the model folders; generates the colour nets and blog architectures when missing. */
export declare function resolveBenchModel(name: string, modelDirs: readonly string[]): Promise<{
    model: RegisteredModel;
    modelsDir: string;
}>;
//# sourceMappingURL=resolve-model.d.ts.map