/**
 * A worker's images per second while it has work, for the API to size jobs with (heartbeats carry
 * it). Only time with at least one job in flight counts, so idle time between batches does not
 * dilute it.
 *
 * Busy time is cut into windows (at least WINDOW_MS (250 ms) of busy time and WINDOW_IMAGES images each).
 * The first windows are dropped, one per ONNX session the worker runs: a fresh worker's first
 * batches pay for each session's first run (kernel selection, allocator growth, a GPU provider's compile): a meter that
 * kept that time reported 5 img/s after a MobileNetV2 worker's first 64 images, for a worker that
 * drained 30+, so the API cut its jobs to 1 image. Later windows feed a decaying
 * average (each new window weighs NEW_WINDOW_WEIGHT), so a worker that got slower or faster
 * reports its new rate within a few windows. Until one window after the warm-up has closed the
 * meter says nothing, and the API uses its assumed rate.
 */
/** Short enough that a fast model's first 100 images give a rate, long enough to span a batch run. */
const WINDOW_MS = 250;
/** Fewer images than this in a window say little about a rate (one short batch). */
const WINDOW_IMAGES = 8;
const NEW_WINDOW_WEIGHT = 0.3;

export class BusyRateMeter {
  private active = 0;
  private busySince = 0;
  /** The open window: busy time of its finished spans, and images finished in it. */
  private windowBusyMs = 0;
  private windowImages = 0;
  private closedWindows = 0;
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

  /** Undefined until a window after the warm-up has closed. */
  imagesPerSecond(): number | undefined {
    return this.average === undefined ? undefined : Math.round(this.average * 100) / 100;
  }

  private closeWindowIfFull(): void {
    const now = this.now();
    const busyMs = this.windowBusyMs + (this.active > 0 ? now - this.busySince : 0);
    if (busyMs < WINDOW_MS || this.windowImages < WINDOW_IMAGES) return;
    const rate = (this.windowImages / busyMs) * 1000;
    if (++this.closedWindows > this.warmupWindows) {
      this.average = this.average === undefined ? rate : this.average * (1 - NEW_WINDOW_WEIGHT) + rate * NEW_WINDOW_WEIGHT;
    }
    this.windowBusyMs = 0;
    this.windowImages = 0;
    // A span still running goes on in the next window from here.
    if (this.active > 0) this.busySince = now;
  }
}
