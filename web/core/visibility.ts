// Live work only while someone looks: streams are closed while the tab is
// hidden and opened again when it is shown. Over HTTP/1.1 a browser keeps at
// most six connections per server, shared by all its tabs; background tabs
// holding streams would soon starve the visible one (and cost the server).
export function whileVisible(start: (signal: AbortSignal) => unknown): () => void {
  let current: AbortController | undefined;
  const run = () => {
    if (current || document.visibilityState === "hidden") return;
    current = new AbortController();
    void start(current.signal);
  };
  const pause = () => {
    current?.abort();
    current = undefined;
  };
  const onChange = () => (document.visibilityState === "hidden" ? pause() : run());
  document.addEventListener("visibilitychange", onChange);
  run();
  return () => {
    document.removeEventListener("visibilitychange", onChange);
    pause();
  };
}

/** Calls `fn` now and every `ms` while the tab is visible (a refresh of data no stream carries). */
export function everyWhileVisible(ms: number, fn: (signal: AbortSignal) => Promise<void>): () => void {
  return whileVisible(async (signal) => {
    while (!signal.aborted) {
      await fn(signal).catch(() => {});
      await sleep(ms, signal);
    }
  });
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(done, ms);
    signal?.addEventListener("abort", done, { once: true });
    function done() {
      clearTimeout(t);
      resolve();
    }
  });
}
