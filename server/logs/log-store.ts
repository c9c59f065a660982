// Console-log bytes of runs: idempotent appends at an offset, notes appended
// at the end, and a live tail any instance can serve. Appends on this instance
// wake its tailers at once, and so does a run's end (it listens to the run
// lifecycle); tailers also re-read on a short timer to see appends made on
// other instances. Bytes of a completed log moved to artifact storage (a
// marker row where the chunks were) are read through the archive (log-archive.ts).
import { EventEmitter } from "node:events";
import { Status } from "../../gen/jobserv/v1/status_pb.js";
import type { LifecycleEvent, LifecycleListener } from "../builds/lifecycle-events.js";
import { LogGapError } from "../errors.js";
import type { Store } from "../store/db.js";
import { appendChunkAt } from "../store/log-appends.js";
import { logSize, readChunks } from "../store/log-chunks.js";
import type { ArchivedLogReader } from "./log-archive.js";

export interface LogStoreConfig {
  /** How often a follower re-reads when nothing woke it (appends on other instances). */
  pollMs: number;
  /** Called with the number of new bytes each append committed (for the log-bytes metric). */
  onAppended?: (bytes: number) => void;
  /** Reads bytes that moved to artifact storage (needed once any log was moved). */
  archive?: ArchivedLogReader;
}

/** Chunks per read; a read that returns fewer reached the end. */
const READ_CHUNKS = 64;

export interface TailItem { offset: number; data: Uint8Array }

export class LogStore implements LifecycleListener {
  private readonly appended = new EventEmitter();

  constructor(private readonly store: Store, private readonly config: LogStoreConfig = { pollMs: 200 }) {
    this.appended.setMaxListeners(0);
  }

  /**
   * Appends `data` at `offset`. Bytes below the committed length are taken as
   * a resend and not written twice; an offset beyond it throws LogGapError.
   * Returns the committed length afterwards.
   */
  async append(runId: number, offset: number, data: Uint8Array): Promise<number> {
    // The usual append is in order: try it at `offset` at once (the guarded
    // UPDATE checks the length), reading the length only when it was not.
    if (data.length && await appendChunkAt(this.store, runId, offset, data)) {
      this.config.onAppended?.(data.length);
      this.appended.emit(String(runId));
      return offset + data.length;
    }
    for (;;) {
      const committed = await logSize(this.store.db, runId);
      if (committed === undefined) throw new Error(`run ${runId} vanished`);
      if (offset > committed) throw new LogGapError(committed, offset);
      const end = offset + data.length;
      if (end <= committed) return committed;
      const fresh = data.subarray(committed - offset);
      if (await appendChunkAt(this.store, runId, committed, fresh)) {
        this.config.onAppended?.(fresh.length);
        this.appended.emit(String(runId));
        return end;
      }
      // Another append won the race: re-read the committed length and retry.
    }
  }

  /**
   * Yields the log from `from`. With `follow`, keeps going until `isDone()`
   * says the run is complete and every byte was yielded, or `signal` aborts.
   */
  async *tail(runId: number, from: number, follow: boolean, isDone: () => Promise<boolean>, signal: AbortSignal): AsyncGenerator<TailItem> {
    let offset = from;
    // Listen for the whole tail: an append that lands while we read is not
    // missed (it would otherwise wait for the poll timer).
    const wake = this.waker(runId, signal);
    try {
      while (!signal.aborted) {
        wake.woken = false;
        // Ask before reading: bytes appended before completion are then surely read.
        const done = follow ? await isDone() : true;
        for (;;) {
          const chunks = await readChunks(this.store.db, runId, offset, READ_CHUNKS);
          for (const chunk of chunks) {
            if (chunk.archived) {
              if (!this.config.archive) throw new Error(`log of run ${runId} was moved to artifact storage, which this server does not read`);
              for await (const data of this.config.archive.read(runId, offset, chunk.end)) {
                yield { offset, data };
                offset += data.length;
              }
              continue;
            }
            const data = chunk.data.subarray(offset - chunk.start);
            if (data.length === 0) continue;
            yield { offset, data };
            offset += data.length;
          }
          // A short page is the end of what this read saw: no second read to learn that.
          if (chunks.length < READ_CHUNKS) break;
        }
        if (done) return;
        if (!wake.woken) await wake.wait();
      }
    } finally {
      wake.close();
    }
  }

  /** Wakes on appends to `runId` (or abort), remembering one that came while nobody waited; else after pollMs. */
  private waker(runId: number, signal: AbortSignal) {
    const key = String(runId);
    let resolve: (() => void) | undefined;
    let timer: NodeJS.Timeout | undefined;
    const w = {
      woken: false,
      wait: () => new Promise<void>((r) => {
        resolve = r;
        timer = setTimeout(fire, this.config.pollMs);
      }),
      close: () => {
        clearTimeout(timer);
        this.appended.off(key, fire);
        signal.removeEventListener("abort", fire);
      },
    };
    const fire = () => {
      w.woken = true;
      clearTimeout(timer);
      const r = resolve;
      resolve = undefined;
      r?.();
    };
    this.appended.on(key, fire);
    signal.addEventListener("abort", fire);
    return w;
  }

  /** Appends `text` at the end of a run's log (the server's own notes, e.g. why a run failed). */
  async note(runId: number, text: string): Promise<void> {
    const data = Buffer.from(text);
    for (;;) {
      const committed = await logSize(this.store.db, runId);
      if (committed === undefined) return; // the run is gone
      // At the end as it is now: a worker's append racing it moves the end, and the note follows.
      if (await appendChunkAt(this.store, runId, committed, data)) {
        this.config.onAppended?.(data.length);
        this.appended.emit(String(runId));
        return;
      }
    }
  }

  /** A run that completed ends its followers' tails (once they read every byte). */
  onLifecycleEvent(e: LifecycleEvent): void {
    if (e.kind === "run" && (e.status === Status.PASSED || e.status === Status.FAILED)) this.notify(e.runId);
  }

  /** Wakes followers of a run (e.g. it completed). */
  notify(runId: number): void {
    this.appended.emit(String(runId));
  }
}
