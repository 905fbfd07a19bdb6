/** A batch's answer: its status and the exact body sent (so a retry gets the same bytes). */
export interface StoredAnswer {
  readonly status: number;
  readonly body: string;
  /** Every value is a number or null: digits that LZ matching barely shrinks, so gzip uses Huffman coding alone. */
  readonly numeric?: boolean;
}

interface Entry {
  /** Identifies the request body, so a different batch reusing an id is told apart from a retry. */
  readonly fingerprint: string;
  answer: StoredAnswer | null;
  readonly done: Promise<StoredAnswer>;
}

export type Lookup =
  | { kind: 'absent' }
  | { kind: 'conflict' }
  | { kind: 'pending'; done: Promise<StoredAnswer> }
  | { kind: 'answered'; answer: StoredAnswer };

/**
 * Recent batches by key (function, caller, batch id), least recently used dropped first: a retried
 * batch gets its stored answer instead of running again, and an async batch is found by its polls.
 */
export class BatchCache {
  private readonly entries = new Map<string, Entry>();

  constructor(readonly capacity: number) {}

  get size(): number {
    return this.entries.size;
  }

  lookup(key: string, fingerprint?: string): Lookup {
    const entry = this.entries.get(key);
    if (!entry) return { kind: 'absent' };
    if (fingerprint !== undefined && entry.fingerprint !== fingerprint) return { kind: 'conflict' };
    this.entries.delete(key);
    this.entries.set(key, entry);
    return entry.answer ? { kind: 'answered', answer: entry.answer } : { kind: 'pending', done: entry.done };
  }

  /**
   * Records work in progress and, once settled, its answer, whatever its status: a poll of an async
   * batch that failed must learn why. (A POST retry of a failed batch runs it again: the caller decides.)
   */
  track(key: string, fingerprint: string, work: Promise<StoredAnswer>): void {
    const entry: Entry = { fingerprint, answer: null, done: work };
    this.entries.set(key, entry);
    work.then(
      (answer) => (entry.answer = answer),
      () => {
        if (this.entries.get(key) === entry) this.entries.delete(key);
      },
    );
    for (const oldest of this.entries.keys()) {
      if (this.entries.size <= this.capacity) break;
      this.entries.delete(oldest);
    }
  }
}
