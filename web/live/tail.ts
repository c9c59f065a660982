// A run's console log into a LogBuffer through RunService.TailLog: the whole
// log, then (follow) new bytes as they are appended, until the run is
// complete. Resumes at the bytes already received after an error or while
// the tab was hidden; a complete log is read once. A large log arrives
// faster than it is taken in: every 30 ms of work the loop lets the browser
// paint and handle input, so the first lines show at once and the tab stays
// responsive while the rest streams in.
import type { Status } from "../../gen/jobserv/v1/status_pb.js";
import { api, Code, codeOf, isAbort, signInAgain } from "../core/api.js";
import { sleep, whileVisible } from "../core/visibility.js";
import type { LogBuffer } from "../log/log-buffer.js";

export interface TailHandlers {
  /** New bytes are in the buffer. */
  onData(): void;
  /** Every byte is in: the run is complete (followed: with its final status). */
  onEnd(finalStatus?: Status): void;
  onError(e: unknown): void;
}

export function tailLog(ref: { project: string; buildNumber: number; run: string }, buffer: LogBuffer, follow: boolean, h: TailHandlers): () => void {
  let done = false;
  const stop = whileVisible(async (signal) => {
    let backoff = 500;
    while (!signal.aborted && !done) {
      try {
        let slice = performance.now();
        for await (const msg of api.runs.tailLog({ ref, offset: BigInt(buffer.size), follow }, { signal })) {
          if (performance.now() - slice > 30) {
            await yieldToBrowser();
            slice = performance.now();
          }
          const skip = buffer.size - Number(msg.offset); // bytes we already have (a resumed stream)
          if (msg.data.length > skip && skip >= 0) {
            buffer.append(skip ? msg.data.subarray(skip) : msg.data);
            h.onData();
          }
          if (msg.finalStatus) {
            done = true;
            h.onEnd(msg.finalStatus);
          }
          backoff = 500;
        }
        if (!follow && !done) {
          done = true;
          h.onEnd();
        }
      } catch (e) {
        if (signal.aborted || isAbort(e)) return;
        if (codeOf(e) === Code.Unauthenticated) return signInAgain();
        if (codeOf(e) === Code.NotFound) return h.onError(e);
        h.onError(e);
        await sleep(backoff, signal);
        backoff = Math.min(backoff * 2, 10_000);
      }
    }
  });
  return stop;
}

/** Resolves after the browser had a chance to render and handle events (a macrotask, not a microtask). */
function yieldToBrowser(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}
