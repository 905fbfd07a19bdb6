/** setTimeout's longest delay (about 24.8 days); longer deadlines re-arm in steps. */
const MAX_DELAY_MS = 2 ** 31 - 1;

/**
 * Calls `onExpire` once `ms` have passed, unless cancelled first. Unref'd: a pending deadline
 * never keeps the process alive on its own (the job's worker does while it runs).
 */
export class Deadline {
  private timer: NodeJS.Timeout | null = null;
  private readonly at: number;

  constructor(
    ms: number,
    private readonly onExpire: () => void,
  ) {
    this.at = Date.now() + ms;
    this.arm();
  }

  cancel(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private arm(): void {
    const left = this.at - Date.now();
    if (left <= 0) {
      this.timer = null;
      this.onExpire();
      return;
    }
    this.timer = setTimeout(() => this.arm(), Math.min(left, MAX_DELAY_MS));
    this.timer.unref();
  }
}
