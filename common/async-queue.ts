// A tiny unbounded async queue: push() from anywhere, consume with for-await.
// close() ends the iteration after the queued items are drained.
export class AsyncQueue<T> implements AsyncIterable<T> {
  private items: T[] = [];
  private waiter: (() => void) | undefined;
  private closed = false;

  push(item: T): boolean {
    if (this.closed) return false;
    this.items.push(item);
    this.waiter?.();
    return true;
  }

  close(): void {
    this.closed = true;
    this.waiter?.();
  }

  get isClosed(): boolean {
    return this.closed;
  }

  async *[Symbol.asyncIterator](): AsyncIterator<T> {
    for (;;) {
      const item = this.items.shift();
      if (item !== undefined) { yield item; continue; }
      if (this.closed) return;
      await new Promise<void>((resolve) => { this.waiter = resolve; });
      this.waiter = undefined;
    }
  }
}
