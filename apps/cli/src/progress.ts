/**
 * One progress line: done/total, images/s, ETA and failures. On a terminal it redraws in place;
 * elsewhere (CI logs) it prints a line at most every 10 % so long runs never look hung.
 */
export class ProgressLine {
  private readonly started = Date.now();
  private lastPrintedTenth = -1;

  /** `alreadyDone`: images finished before this line started (watching a running batch), left out of the rate. */
  constructor(
    private readonly label: string,
    private readonly total: number,
    private readonly out: NodeJS.WriteStream = process.stderr,
    private readonly alreadyDone = 0,
  ) {}

  update(done: number, failed = 0): void {
    const elapsed = (Date.now() - this.started) / 1000;
    const rate = elapsed > 0 ? Math.max(0, done - this.alreadyDone) / elapsed : 0;
    const eta = rate > 0 ? (this.total - done) / rate : Infinity;
    const width = 24;
    const filled = Math.round((done / Math.max(1, this.total)) * width);
    const bar = `${'#'.repeat(filled)}${'-'.repeat(width - filled)}`;
    const text = `${this.label} [${bar}] ${done}/${this.total}  ${rate.toFixed(1)} img/s  ETA ${Number.isFinite(eta) ? `${eta.toFixed(1)}s` : '?'}${failed ? `  failed ${failed}` : ''}`;
    if (this.out.isTTY) {
      this.out.write(`\r${text}\x1b[K`);
    } else {
      const tenth = Math.floor((done / Math.max(1, this.total)) * 10);
      if (tenth !== this.lastPrintedTenth) {
        this.lastPrintedTenth = tenth;
        this.out.write(`${text}\n`);
      }
    }
  }

  finish(): void {
    if (this.out.isTTY) this.out.write('\n');
  }
}
