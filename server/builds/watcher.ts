// One watch stream's queue: the latest change of each run or build not yet
// sent (a slow reader gets the newest state, never an ever-growing backlog),
// and a ping after `pingMs` without a message so proxies keep the stream.
import type { BuildRow, RunRow } from "../store/database.js";

export type WatchChange = { kind: "build"; build: BuildRow } | { kind: "run"; run: RunRow } | { kind: "ping" };

export class Watcher implements AsyncIterable<WatchChange> {
  /** The first batch this watcher takes (earlier ones are in its snapshot). */
  minBatch = Number.MAX_SAFE_INTEGER;
  private readonly changes = new Map<string, WatchChange>();
  private wake: (() => void) | undefined;
  private closed = false;

  constructor(private readonly pingMs: number, private readonly signal: AbortSignal, private readonly onClose: () => void) {
    signal.addEventListener("abort", this.abort);
  }

  /** Whether the watch ended (the caller went away, or the server closes). */
  get isClosed(): boolean {
    return this.closed;
  }

  offer(key: string, change: WatchChange): void {
    this.changes.delete(key); // the latest goes last
    this.changes.set(key, change);
    this.wake?.();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.signal.removeEventListener("abort", this.abort);
    this.onClose();
    this.wake?.();
  }

  private readonly abort = () => this.close();

  async *[Symbol.asyncIterator](): AsyncGenerator<WatchChange> {
    try {
      while (!this.closed) {
        if (this.changes.size) {
          const batch = [...this.changes.values()];
          this.changes.clear();
          yield* batch;
          continue;
        }
        let timer: NodeJS.Timeout | undefined;
        const idle = await new Promise<boolean>((resolve) => {
          this.wake = () => resolve(false);
          timer = setTimeout(() => resolve(true), this.pingMs);
        });
        clearTimeout(timer);
        this.wake = undefined;
        if (idle && !this.closed) yield { kind: "ping" };
      }
    } finally {
      this.close();
    }
  }
}
