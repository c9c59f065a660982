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
import { appendChunkAt, logSize, readChunks } from "../store/log-chunks.js";
import type { ArchivedLogReader } from "./log-archive.js";

export interface LogStoreConfig {
  /** How often a follower re-reads when nothing woke it (appends on other instances). */
  pollMs: number;
  /** Called with the number of new bytes each append committed (for the log-bytes metric). */
  onAppended?: (bytes: number) => void;
  /** Reads bytes that moved to artifact storage (needed once any log was moved). */
  archive?: ArchivedLogReader;
}

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
    for (;;) {
      const committed = await logSize(this.store.db, runId);
      if (committed === undefined) throw new Error(`run ${runId} vanished`);
      if (offset > committed) throw new LogGapError(committed, offset);
      const end = offset + data.length;
      if (end <= committed) return committed;
      const fresh = data.subarray(committed - offset);
      if (await appendChunkAt(this.store.db, runId, committed, fresh)) {
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
    while (!signal.aborted) {
      // Ask before reading: bytes appended before completion are then surely read.
      const done = follow ? await isDone() : true;
      let progressed = true;
      while (progressed) {
        progressed = false;
        for (const chunk of await readChunks(this.store.db, runId, offset)) {
          if (chunk.archived) {
            if (!this.config.archive) throw new Error(`log of run ${runId} was moved to artifact storage, which this server does not read`);
            for await (const data of this.config.archive.read(runId, offset, chunk.end)) {
              yield { offset, data };
              offset += data.length;
            }
            progressed = true;
            continue;
          }
          const data = chunk.data.subarray(offset - chunk.start);
          if (data.length === 0) continue;
          yield { offset, data };
          offset += data.length;
          progressed = true;
        }
      }
      if (done) return;
      await this.waitForAppend(runId, signal);
    }
  }

  private waitForAppend(runId: number, signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const key = String(runId);
      const finish = () => {
        clearTimeout(timer);
        this.appended.off(key, finish);
        signal.removeEventListener("abort", finish);
        resolve();
      };
      const timer = setTimeout(finish, this.config.pollMs);
      this.appended.on(key, finish);
      signal.addEventListener("abort", finish);
    });
  }

  /** Appends `text` at the end of a run's log (the server's own notes, e.g. why a run failed). */
  async note(runId: number, text: string): Promise<void> {
    const data = Buffer.from(text);
    for (;;) {
      const committed = await logSize(this.store.db, runId);
      if (committed === undefined) return; // the run is gone
      // At the end as it is now: a worker's append racing it moves the end, and the note follows.
      if (await appendChunkAt(this.store.db, runId, committed, data)) {
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
