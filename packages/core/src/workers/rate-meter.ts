/**
 * A worker's images per second while it has work: images finished ÷ time with at least one job
 * in flight. Idle time does not dilute it, so it is the rate the API can plan job sizes with
 * (heartbeats carry it). Old work fades: past HALF_LIFE_MS of busy time both sums are halved.
 */
const HALF_LIFE_MS = 60_000;
/** Fewer images than this say little about a rate (a warm-up, one short batch). */
const MIN_IMAGES = 8;

export class BusyRateMeter {
  private active = 0;
  private busySince = 0;
  private busyMs = 0;
  private images = 0;

  constructor(private readonly now: () => number = () => performance.now()) {}

  jobStarted(): void {
    if (this.active++ === 0) this.busySince = this.now();
  }

  jobEnded(): void {
    if (this.active === 0) return;
    if (--this.active === 0) this.busyMs += this.now() - this.busySince;
    this.decay();
  }

  imagesDone(count: number): void {
    this.images += count;
  }

  /** Undefined until enough images were seen. */
  imagesPerSecond(): number | undefined {
    const busy = this.busyMs + (this.active > 0 ? this.now() - this.busySince : 0);
    if (this.images < MIN_IMAGES || busy <= 0) return undefined;
    return Math.round((this.images / busy) * 1000 * 100) / 100;
  }

  private decay(): void {
    if (this.busyMs <= 2 * HALF_LIFE_MS) return;
    this.busyMs /= 2;
    this.images /= 2;
  }
}
