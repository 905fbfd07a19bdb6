/**
 * The scheduler's time source and its one timer. The system clock's timer is unref'd, so
 * scheduled tasks never keep a process alive on their own; tests inject a ManualClock and move
 * time forward instead of sleeping.
 */
export interface Clock {
  now(): number;
  /** Calls `fn` once at (or soon after) epoch ms `at`; returns a cancel function. */
  at(at: number, fn: () => void): () => void;
}

/** Node's setTimeout caps delays at 2^31-1 ms; longer waits re-arm. */
const MAX_DELAY = 2 ** 31 - 1;

export const systemClock: Clock = {
  now: () => Date.now(),
  at(at, fn) {
    let timer: NodeJS.Timeout;
    const arm = (): void => {
      const delay = at - Date.now();
      timer = setTimeout(delay > MAX_DELAY ? arm : fn, Math.max(0, Math.min(delay, MAX_DELAY)));
      timer.unref();
    };
    arm();
    return () => clearTimeout(timer);
  },
};

/** A clock that moves only when told to; due callbacks run in time order as it passes them. */
export class ManualClock implements Clock {
  private timers: { at: number; fn: () => void; seq: number }[] = [];
  private seq = 0;

  constructor(private time: number) {}

  now(): number {
    return this.time;
  }

  at(at: number, fn: () => void): () => void {
    const timer = { at, fn, seq: this.seq++ };
    this.timers.push(timer);
    return () => {
      this.timers = this.timers.filter((t) => t !== timer);
    };
  }

  /** Moves to `to` (epoch ms), firing each due timer at its own time. */
  set(to: number): void {
    for (;;) {
      const due = this.timers.filter((t) => t.at <= to).sort((a, b) => a.at - b.at || a.seq - b.seq)[0];
      if (!due) break;
      this.timers = this.timers.filter((t) => t !== due);
      this.time = Math.max(this.time, due.at);
      due.fn();
    }
    this.time = Math.max(this.time, to);
  }

  advance(ms: number): void {
    this.set(this.time + ms);
  }

  /** How many callbacks wait (tests check what a scheduler keeps armed). */
  pending(): number {
    return this.timers.length;
  }
}
