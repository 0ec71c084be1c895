/**
 * A worker's images per second while it has work, for the API to size jobs with (heartbeats carry
 * it). Only time with at least one job in flight counts, so idle time between batches does not
 * dilute it.
 *
 * Busy time is cut into windows (at least WINDOW_MS (250 ms) of busy time and WINDOW_IMAGES images each).
 * The first windows are dropped, one per ONNX session the worker runs: a fresh worker's first
 * batches pay for each session's first run (kernel selection, allocator growth, a GPU provider's compile): a meter that
 * kept that time reported 5 img/s after a MobileNetV2 worker's first 64 images, for a worker that
 * drained 30+, so the API cut its jobs to 1 image.
 *
 * The first rate reported is pooled over the windows after the warm-up until they span
 * FIRST_RATE_BUSY_MS (all their images ÷ all their busy time), not read off one window: images
 * finish a micro-batch at a time, so a window holds 16, 32 or 48 images in 260-345 ms, and single
 * windows of a worker that drains 110 img/s read 46 to 185. A first rate taken from one of them
 * (44.5 img/s once, after the bench's 128-image warm-up) gave a 2,000-image batch 7 images per
 * job instead of 16. Later windows feed a decaying average (each new window weighs
 * NEW_WINDOW_WEIGHT), so a worker that got slower or faster reports its new rate within a few
 * windows. Until the first rate is pooled the meter says nothing, and the API uses its assumed rate.
 */
/** Short enough that a fast model's first 100 images give a rate, long enough to span a batch run. */
const WINDOW_MS = 250;
/** Fewer images than this in a window say little about a rate (one short batch). */
const WINDOW_IMAGES = 8;
const NEW_WINDOW_WEIGHT = 0.3;
/** Busy time the first rate is pooled over: at 110 img/s, 14 micro-batches of 16, so one more or less is ±7 %. */
const FIRST_RATE_BUSY_MS = 2_000;

export class BusyRateMeter {
  private active = 0;
  private busySince = 0;
  /** The open window: busy time of its finished spans, and images finished in it. */
  private windowBusyMs = 0;
  private windowImages = 0;
  private closedWindows = 0;
  /** Windows after the warm-up, before the first rate: their images and busy time together. */
  private pooledImages = 0;
  private pooledBusyMs = 0;
  private average: number | undefined;

  /**
   * `warmupWindows`: windows to drop, one per session. With two sessions and one dropped window, a
   * 2 × 1 MobileNetV2 worker reported 9-14 img/s after its warm-up, for a worker that drains 100+.
   */
  constructor(
    private readonly now: () => number = () => performance.now(),
    private readonly warmupWindows = 1,
  ) {}

  jobStarted(): void {
    if (this.active++ === 0) this.busySince = this.now();
  }

  jobEnded(): void {
    if (this.active === 0) return;
    if (--this.active === 0) this.windowBusyMs += this.now() - this.busySince;
    this.closeWindowIfFull();
  }

  imagesDone(count: number): void {
    if (!(count > 0)) return;
    this.windowImages += count;
    this.closeWindowIfFull();
  }

  /** Undefined until the windows after the warm-up span FIRST_RATE_BUSY_MS. */
  imagesPerSecond(): number | undefined {
    return this.average === undefined ? undefined : Math.round(this.average * 100) / 100;
  }

  private closeWindowIfFull(): void {
    const now = this.now();
    const busyMs = this.windowBusyMs + (this.active > 0 ? now - this.busySince : 0);
    if (busyMs < WINDOW_MS || this.windowImages < WINDOW_IMAGES) return;
    if (++this.closedWindows > this.warmupWindows) this.addWindow(this.windowImages, busyMs);
    this.windowBusyMs = 0;
    this.windowImages = 0;
    // A span still running goes on in the next window from here.
    if (this.active > 0) this.busySince = now;
  }

  private addWindow(images: number, busyMs: number): void {
    if (this.average === undefined) {
      this.pooledImages += images;
      this.pooledBusyMs += busyMs;
      if (this.pooledBusyMs >= FIRST_RATE_BUSY_MS) this.average = (this.pooledImages / this.pooledBusyMs) * 1000;
      return;
    }
    const rate = (images / busyMs) * 1000;
    this.average = this.average * (1 - NEW_WINDOW_WEIGHT) + rate * NEW_WINDOW_WEIGHT;
  }
}
