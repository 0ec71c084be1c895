/**
 * Decodes and resizes an image with sharp to exactly width × height × 3 sRGB bytes. Orientation
 * from EXIF is applied; alpha is dropped; grayscale, CMYK and 16-bit inputs are converted. Anything
 * sharp cannot decode becomes IMAGE_DECODE_FAILED, a pixel bomb IMAGE_TOO_LARGE: both fail the one
 * image, never the worker.
 */
import sharp from 'sharp';
import { AppError } from '../errors.js';

export interface DecodeOptions {
  width: number;
  height: number;
  fit: 'fill' | 'cover' | 'contain';
  /** Reject inputs with more pixels than this before decoding them (decompression bombs). */
  maxInputPixels: number;
}

export interface DecodedImage {
  pixels: Uint8Array;
  width: number;
  height: number;
}

// One libvips thread per image: parallelism comes from decoding several images at once.
sharp.concurrency(1);
// The worker decodes each image once; caching decoded images only costs memory.
sharp.cache(false);

export async function decodeImage(input: Buffer | string, options: DecodeOptions): Promise<DecodedImage> {
  try {
    const { data, info } = await sharp(input, {
      autoOrient: true,
      limitInputPixels: options.maxInputPixels,
      failOn: 'error',
      // Multi-page inputs (animated GIF/WebP, TIFF): the first frame is the image.
      pages: 1,
    })
      .resize(options.width, options.height, { fit: options.fit, background: { r: 0, g: 0, b: 0 } })
      .removeAlpha()
      .toColourspace('srgb')
      .raw({ depth: 'uchar' })
      .toBuffer({ resolveWithObject: true });
    if (info.channels !== 3 || info.width !== options.width || info.height !== options.height) {
      throw new AppError(
        'IMAGE_DECODE_FAILED',
        `decoder produced ${info.width}x${info.height}x${info.channels}, expected ${options.width}x${options.height}x3`,
      );
    }
    return { pixels: data, width: info.width, height: info.height };
  } catch (error) {
    if (error instanceof AppError) throw error;
    const message = (error as Error).message ?? String(error);
    if (/pixel limit/i.test(message)) {
      throw new AppError('IMAGE_TOO_LARGE', `image exceeds ${options.maxInputPixels} pixels`, { cause: error });
    }
    throw new AppError('IMAGE_DECODE_FAILED', `cannot decode image: ${message.split('\n')[0]}`, { cause: error });
  }
}
