// A tiny unbounded async queue: push() from anywhere, consume with for-await.
// close() ends the iteration after the queued items are drained. Or, with no
// iterator (and none of its promises) at all: deliverTo() hands each item to a
// callback as it is pushed.
export class AsyncQueue<T> implements AsyncIterable<T> {
  private items: T[] = [];
  private waiter: (() => void) | undefined;
  private closed = false;
  private sink: ((item: T) => void) | undefined;
  private onClose: (() => void) | undefined;

  push(item: T): boolean {
    if (this.closed) return false;
    if (this.sink) this.sink(item);
    else this.items.push(item);
    this.waiter?.();
    return true;
  }

  close(): void {
    this.closed = true;
    this.waiter?.();
    const onClose = this.onClose;
    this.onClose = undefined;
    onClose?.();
  }

  /**
   * From now on, items go to `sink` as they are pushed (those queued first, at
   * once), never to an iterator; `onClose` runs once, when the queue closes.
   */
  deliverTo(sink: (item: T) => void, onClose: () => void): void {
    this.sink = sink;
    this.onClose = onClose;
    const queued = this.items;
    this.items = [];
    for (const item of queued) sink(item);
    if (this.closed) this.close();
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
