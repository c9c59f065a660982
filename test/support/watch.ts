// Reads a watch stream (WatchBuild, WatchBuilds) in the background, keeping
// every message with the time it arrived, and lets a test wait for the first
// message (from some index on) that matches, with a deadline: a signal, not a sleep.
/** `at`: performance.now() when it arrived; `wallAt`: Date.now() then (to compare with server timestamps). */
export interface Received<T> { msg: T; at: number; wallAt: number }

export interface StreamReader<T> {
  readonly received: Received<T>[];
  /** The first message at index >= `from` matching `pred`; rejects after `ms` or when the stream ends without one. */
  next(pred: (msg: T) => boolean, ms?: number, from?: number): Promise<Received<T>>;
  /** Stops reading (cancels the call). */
  stop(): void;
  /** Resolves when the stream ended (rejects with its error, if it failed). */
  readonly ended: Promise<void>;
}

export function readStream<T>(open: (signal: AbortSignal) => AsyncIterable<T>): StreamReader<T> {
  const abort = new AbortController();
  const received: Received<T>[] = [];
  let waiters: { pred: (m: T) => boolean; from: number; resolve: (r: Received<T>) => void; reject: (e: Error) => void }[] = [];
  let done: Error | undefined;
  const settle = () => {
    waiters = waiters.filter((w) => {
      const hit = received.find((r, i) => i >= w.from && w.pred(r.msg));
      if (hit) { w.resolve(hit); return false; }
      if (done) { w.reject(done); return false; }
      return true;
    });
  };
  const ended = (async () => {
    try {
      for await (const msg of open(abort.signal)) {
        received.push({ msg, at: performance.now(), wallAt: Date.now() });
        settle();
      }
      done = new Error("the stream ended");
    } catch (e) {
      done = e as Error;
      if (!abort.signal.aborted) throw e;
    } finally {
      settle();
    }
  })();
  ended.catch(() => {});
  return {
    received,
    ended,
    stop: () => abort.abort(),
    next(pred, ms = 10_000, from = 0) {
      return new Promise<Received<T>>((resolve, reject) => {
        const timer = setTimeout(() => { waiters = waiters.filter((w) => w.resolve !== done_); reject(new Error(`no matching message within ${ms} ms (${received.length} received: ${received.map((r) => JSON.stringify(r.msg, (_k, v: unknown) => typeof v === "bigint" ? String(v) : v)).join("\n")})`)); }, ms);
        const done_ = (r: Received<T>) => { clearTimeout(timer); resolve(r); };
        waiters.push({ pred, from, resolve: done_, reject: (e) => { clearTimeout(timer); reject(e); } });
        settle();
      });
    },
  };
}

/** p-th percentile (0..100) of `values`, nearest rank. */
export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}
