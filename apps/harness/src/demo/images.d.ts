export interface DemoImage {
    path: string;
    expected: string;
}
export interface ColourImageOptions {
    width?: number;
    height?: number;
    /** Each pixel moves by up to ±noise/2 on every channel. */
    noise?: number;
    /** A translucent white disc on top, so images differ by more than noise. */
    disc?: boolean;
    format?: 'jpeg' | 'png';
}
/** A real JPEG or PNG dominated by one colour (red, green or blue), deterministic by seed. */
export declare function renderColourImage(colour: string, seed: number, options?: ColourImageOptions): Promise<Buffer>;
export declare function ensureDemoImages(dataRoot: string, count: number): Promise<DemoImage[]>;
/**
 * A labelled dataset in the blog's shape, one folder per class (`demo-set/<colour>/*.jpg`), for the
 * demo's fine-tuning step. Different seeds from the batch images, so those stay held out.
 */
export declare function ensureDemoDataset(dataRoot: string, perClass: number): Promise<string>;
//# sourceMappingURL=images.d.ts.map