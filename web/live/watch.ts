// A watch stream kept open while the tab is visible: reopened after errors
// and server restarts (with back-off), a fresh snapshot each time. The
// session ending sends the person to sign in; a missing build ends the watch.
// A server that answers UNIMPLEMENTED (an instance older than the watch RPCs,
// e.g. during a rolling upgrade) is polled instead, once a second.
import { Code, codeOf, isAbort, messageOf, signInAgain } from "../core/api.js";
import { notice } from "../core/chrome.js";
import { sleep, whileVisible } from "../core/visibility.js";

export type LiveMode = "watch" | "poll";

export interface WatchHandlers<T> {
  /** The latest state, after every change. */
  onChange(state: T): void;
  /** An error to show; `final` when the watch gave up (not found, no access). */
  onError(e: unknown, final: boolean): void;
  onMode?(mode: LiveMode): void;
}

/**
 * Runs `stream` (which folds each message into the state it reports) while
 * the tab is visible; `poll` reads the whole state once, for servers without
 * the watch. Returns stop().
 */
export function keepWatching<T>(stream: (signal: AbortSignal) => AsyncIterable<T>, poll: (signal: AbortSignal) => Promise<T>, h: WatchHandlers<T>): () => void {
  return whileVisible(async (signal) => {
    let backoff = 500;
    let mode: LiveMode = "watch";
    while (!signal.aborted) {
      try {
        if (mode === "watch") {
          for await (const state of stream(signal)) {
            backoff = 500;
            h.onChange(state);
          }
        } else {
          h.onChange(await poll(signal));
          await sleep(1000, signal);
          continue;
        }
      } catch (e) {
        if (signal.aborted || isAbort(e)) return;
        const code = codeOf(e);
        if (code === Code.Unimplemented && mode === "watch") {
          mode = "poll";
          h.onMode?.(mode);
          continue;
        }
        if (code === Code.Unauthenticated) return signInAgain();
        if (code === Code.NotFound || code === Code.PermissionDenied || code === Code.InvalidArgument) return h.onError(e, true);
        h.onError(e, false);
      }
      await sleep(backoff, signal);
      backoff = Math.min(backoff * 2, 10_000);
    }
  });
}

/**
 * Handlers that show a watch the way every page does: `onChange` with the
 * new state, errors in `problem` (cleared by the next change), the mode in
 * `live`'s data-live attribute ("watch" or "poll").
 */
export function shownIn<T>(problem: HTMLElement, live: HTMLElement, onChange: (state: T) => void): WatchHandlers<T> {
  live.dataset["live"] = "watch";
  return {
    onChange(state) {
      problem.replaceChildren();
      onChange(state);
    },
    onError(e, final) {
      problem.replaceChildren(notice("error", final ? messageOf(e) : `${messageOf(e)} (reconnecting)`));
    },
    onMode(mode) {
      live.dataset["live"] = mode;
    },
  };
}
