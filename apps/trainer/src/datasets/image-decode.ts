/**
 * Image files to uint8 RGB pixels at a fixed square size, the way torchvision's evaluation
 * transform does it (`Resize(size)` on the shorter side, then `CenterCrop(size)`), so a data set
 * decoded here matches what the paper's models saw.
 */
import sharp from 'sharp';
import { type ConfinedFiles, isMissing } from './confined-files.ts';
import { DatasetFormatError } from './dataset-format-error.ts';

export const IMAGE_CHANNELS = 3;

/**
 * Decodes one JPEG or PNG (anything libvips reads) to `size × size × 3` uint8, row-major RGB.
 * Alpha is dropped (not composited), grayscale is expanded to three equal channels, CMYK and
 * other colour spaces are converted to sRGB. EXIF orientation is ignored, as PIL's `convert('RGB')`
 * ignores it. A file that is missing, truncated or not an image throws DatasetFormatError, and so
 * does one that leads outside `within` (sharp is given the bytes, never a path to open itself).
 */
export async function decodeImage(
  file: string,
  size: number,
  within: ConfinedFiles,
): Promise<Uint8Array> {
  if (!Number.isInteger(size) || size < 1) {
    throw new RangeError(`image size must be a positive integer, got ${size}`);
  }
  let bytes: Buffer;
  try {
    bytes = await within.readFile(file);
  } catch (error) {
    if (error instanceof DatasetFormatError) throw error;
    const code = error instanceof Error && 'code' in error ? String(error.code) : String(error);
    throw new DatasetFormatError(
      file,
      undefined,
      isMissing(error) ? 'image file not found' : `cannot read image (${code})`,
    );
  }
  let decoded: { data: Buffer; info: sharp.OutputInfo };
  try {
    decoded = await sharp(bytes)
      // 'cover' scales the shorter side to `size` and crops the longer one around the centre.
      .resize(size, size, { fit: 'cover', position: 'centre' })
      .removeAlpha()
      .toColourspace('srgb')
      .raw()
      .toBuffer({ resolveWithObject: true });
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new DatasetFormatError(file, undefined, `cannot decode image: ${reason}`);
  }
  const { data, info } = decoded;
  if (info.channels !== IMAGE_CHANNELS || info.width !== size || info.height !== size) {
    throw new DatasetFormatError(
      file,
      undefined,
      `decoded to ${info.width}×${info.height}×${info.channels}, expected ${size}×${size}×${IMAGE_CHANNELS}`,
    );
  }
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

export interface DecodeImagesOptions {
  /**
   * Images decoded at once. Each sharp call already uses libvips worker threads, so a few in
   * flight keep the cores busy without queueing thousands of decodes (and their file handles).
   */
  concurrency?: number;
  /** Called after each image with the number decoded so far and the total. */
  onProgress?: (done: number, total: number) => void;
}

/**
 * Decodes `files` in order into one NHWC buffer (`files.length × size × size × 3`); image i
 * starts at byte `i × size × size × 3`. The first file that fails rejects the whole call and
 * stops further decodes. Every file must lie inside `within`.
 */
export async function decodeImages(
  files: readonly string[],
  size: number,
  within: ConfinedFiles,
  options: DecodeImagesOptions = {},
): Promise<Uint8Array> {
  const concurrency = options.concurrency ?? 4;
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new RangeError(`concurrency must be a positive integer, got ${concurrency}`);
  }
  const perImage = size * size * IMAGE_CHANNELS;
  const pixels = new Uint8Array(files.length * perImage);
  let next = 0;
  let done = 0;
  let failed = false;

  const worker = async (): Promise<void> => {
    while (!failed && next < files.length) {
      const i = next++;
      const file = files[i];
      if (file === undefined) return;
      try {
        pixels.set(await decodeImage(file, size, within), i * perImage);
      } catch (error) {
        failed = true;
        throw error;
      }
      done++;
      options.onProgress?.(done, files.length);
    }
  };

  const workers: Promise<void>[] = [];
  for (let w = 0; w < Math.min(concurrency, files.length); w++) workers.push(worker());
  await Promise.all(workers);
  return pixels;
}
