// Moves completed runs' console logs out of the SQL store into artifact
// storage (`<project>/<build>/<run>/console.log`), and reads them back for
// the log store. A move copies the log's bytes into a storage object, then in
// one transaction replaces the chunk rows it copied by a marker row covering
// them; a reader that finds the marker where chunks were continues from the
// object at its offset, so a log being moved while read is never cut. A log
// moves once: the object is never rewritten while readers may stream it.
// Bytes appended later (a note after the delay; notes normally land within
// milliseconds of completion) stay chunks after the marker. Moves are
// scheduled after completion (the delay lets late notes land) and a sweep
// catches runs nobody moved (an instance died, logs older than this feature).
import { Status } from "../../gen/jobserv/v1/status_pb.js";
import type { LifecycleEvent, LifecycleListener } from "../builds/lifecycle-events.js";
import type { Logger } from "../logger.js";
import { artifactKey, type ArtifactStorage } from "../artifacts/storage.js";
import type { Store } from "../store/db.js";
import { runKeyParts } from "../store/artifacts.js";
import { readChunks, replaceWithMarker, runsWithStoredLogs } from "../store/log-chunks.js";
import { findRunById } from "../store/runs.js";

export interface LogArchiveConfig {
  /** How long after completion a run's log moves. */
  delayMs: number;
  /** How often the sweep looks for completed logs still in the store. */
  sweepMs: number;
  log: Pick<Logger, "warn" | "info">;
  now?: () => number;
}

/** What the log store needs to read archived bytes. */
export interface ArchivedLogReader {
  /** Bytes [from, to) of run `runId`'s archived log; throws if storage holds fewer. */
  read(runId: number, from: number, to: number): AsyncIterable<Uint8Array>;
}

export class LogArchive implements ArchivedLogReader, LifecycleListener {
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly moving = new Set<Promise<unknown>>();
  private sweeper: NodeJS.Timeout | undefined;
  private sweeping = false;

  constructor(private readonly store: Store, private readonly storage: ArtifactStorage, private readonly config: LogArchiveConfig) {}

  async *read(runId: number, from: number, to: number): AsyncIterable<Uint8Array> {
    const key = await this.keyOf(runId);
    const object = key === undefined ? undefined : await this.storage.get(key, from);
    if (!object || object.size < to) {
      object?.body.destroy();
      throw new Error(`archived log of run ${runId}: storage object ${key ?? "?"} has ${object?.size ?? "no"} bytes, the store says ${to}`);
    }
    let offset = from;
    try {
      for await (const buf of object.body as AsyncIterable<Buffer>) {
        const take = buf.subarray(0, to - offset);
        if (take.length) yield take;
        offset += take.length;
        if (offset >= to) break;
      }
    } finally {
      object.body.destroy();
    }
  }

  /**
   * Moves run `runId`'s log if the run is complete and has bytes in the
   * store. Returns false when there was nothing to move or the run changed
   * meanwhile (rerun, another mover): nothing is lost either way.
   */
  async move(runId: number): Promise<boolean> {
    const run = await findRunById(this.store.db, runId);
    if (!run || run.completed_at === null || Number(run.log_size) === 0) return false;
    const end = Number(run.log_size);
    const first = (await readChunks(this.store.db, runId, 0, 1))[0];
    if (!first || first.archived) return false; // moved already
    const key = await this.keyOf(runId);
    if (key === undefined) return false;
    let rows = 0;
    const store = this.store;
    const body = async function* (): AsyncIterable<Uint8Array> {
      let offset = 0;
      while (offset < end) {
        const chunks = await readChunks(store.db, runId, offset);
        if (!chunks.length || chunks[0]!.start !== offset || chunks.some((c) => c.archived)) throw new Changed();
        for (const c of chunks) {
          if (c.start >= end) break;
          rows++;
          yield c.data;
          offset = c.end;
        }
      }
    };
    let stored: number;
    try {
      stored = (await this.storage.put(key, body(), { maxBytes: end })).size;
    } catch (e) {
      if (e instanceof Changed) return false; // rerun or moved meanwhile
      throw e;
    }
    if (stored !== end) throw new Error(`log of run ${runId}: stored ${stored} bytes, expected ${end}`);
    return replaceWithMarker(this.store.db, runId, end, rows, Number(run.completed_at));
  }

  /** Moves the run's log after the configured delay (errors are logged; the sweep retries). */
  /** A run that completed: its log moves after the delay. */
  onLifecycleEvent(e: LifecycleEvent): void {
    if (e.kind === "run" && (e.status === Status.PASSED || e.status === Status.FAILED)) this.schedule(e.runId);
  }

  schedule(runId: number): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      this.track(this.move(runId));
    }, this.config.delayMs);
    this.timers.add(timer);
  }

  /** Starts the sweep: completed logs older than the delay that are still in the store. */
  start(): void {
    const tick = () => {
      this.sweeper = setTimeout(() => { void this.sweep().finally(() => { if (this.sweeper) tick(); }); }, this.config.sweepMs);
    };
    tick();
  }

  /** One sweep pass; resolves with the number of logs it moved. */
  async sweep(): Promise<number> {
    if (this.sweeping) return 0;
    this.sweeping = true;
    let moved = 0;
    try {
      const now = (this.config.now ?? Date.now)();
      for (const runId of await runsWithStoredLogs(this.store.db, now - this.config.delayMs, 20)) {
        if (await this.track(this.move(runId))) moved++;
      }
    } catch (e) {
      this.config.log.warn({ err: e }, "log archive sweep failed; next sweep retries");
    } finally {
      this.sweeping = false;
    }
    return moved;
  }

  /** Stops scheduling and sweeping; waits for moves in flight. */
  async stop(): Promise<void> {
    clearTimeout(this.sweeper);
    this.sweeper = undefined;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    await Promise.allSettled([...this.moving]);
  }

  private track(move: Promise<boolean>): Promise<boolean> {
    const logged = move.catch((e: unknown) => {
      this.config.log.warn({ err: e }, "moving a completed log to storage failed; the sweep retries");
      return false;
    });
    this.moving.add(logged);
    void logged.finally(() => this.moving.delete(logged));
    return logged;
  }

  private async keyOf(runId: number): Promise<string | undefined> {
    const parts = await runKeyParts(this.store.db, runId);
    return parts && artifactKey(parts.project, parts.build, parts.run, "console.log");
  }
}

/** The run's chunks changed while being copied (rerun, another mover): the copy is abandoned. */
class Changed extends Error {}
