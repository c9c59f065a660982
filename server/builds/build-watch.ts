// The watch streams' source: changes of one build (its state and its runs')
// or of a project's builds, from this instance's lifecycle at once and from
// other instances through the status-event tail (which runs only while
// somebody watches). Events of many watchers are served together: each batch
// reads the current rows of what changed once (so several changes close
// together arrive as the latest state) and hands them to every watcher of
// them. A watcher starts with a snapshot read after it registered; batches
// that started before that read are not handed to it (the snapshot has their
// changes), later ones are. Each batch reads after its events committed and
// batches run one at a time, so a watcher always ends at the latest state.
import { UnavailableError } from "../errors.js";
import type { Logger } from "../logger.js";
import type { BuildRow, RunRow } from "../store/database.js";
import type { Store } from "../store/db.js";
import { buildsByIds } from "../store/builds.js";
import { runsByIds } from "../store/runs.js";
import { EventTail, TAIL_DEFAULTS } from "./event-tail.js";
import type { LifecycleEvent, LifecycleListener } from "./lifecycle-events.js";
import { Watcher, type WatchChange } from "./watcher.js";

export interface BuildWatchConfig {
  /** Poll of the status-event rows while somebody watches (at most 100 ms for delivery within 250 ms). */
  pollMs: number;
  /** Idle time after which a watcher gets a ping. */
  pingMs: number;
  log: Logger;
}

export interface Watch<T> {
  snapshot: T;
  changes: AsyncIterable<WatchChange>;
}

export type WatchTarget = { buildId: number } | { projectId: number };

export class BuildWatches implements LifecycleListener {
  private readonly byBuild = new Map<number, Set<Watcher>>();
  private readonly byProject = new Map<number, Set<Watcher>>();
  private count = 0;
  private readonly tail: EventTail;
  /** Event ids this instance published while watched, so the tail does not hand them on again. */
  private readonly published = { run: new Set<number>(), build: new Set<number>() };
  private pending = new Map<string, LifecycleEvent>();
  private batches = 0;
  private flushing = false;
  private closed = false;

  constructor(private readonly store: Store, private readonly config: BuildWatchConfig) {
    this.tail = new EventTail(store, (events) => this.accept(events, "tail"), { ...TAIL_DEFAULTS, pollMs: config.pollMs, log: config.log });
  }

  onLifecycleEvent(e: LifecycleEvent): void {
    if (this.count) this.accept([e], "local");
  }

  /**
   * Registers a watcher of `target`, then reads its snapshot (`read`); the
   * changes follow until `signal` aborts. Rejects (and registers nothing) if
   * the store cannot be read.
   */
  async watch<T>(target: WatchTarget, signal: AbortSignal, read: () => Promise<T>): Promise<Watch<T>> {
    if (this.closed) throw new UnavailableError("this server is shutting down; watch again (another instance answers)");
    if (signal.aborted) throw new UnavailableError("the watch was cancelled");
    const watcher = new Watcher(this.config.pingMs, signal, () => this.remove(target, watcher));
    this.add(target, watcher);
    try {
      await this.tail.start();
      watcher.minBatch = this.batches + 1;
      return { snapshot: await read(), changes: watcher };
    } catch (e) {
      watcher.close();
      throw e;
    }
  }

  /** Ends every watch (server shutdown) and stops the tail. */
  async close(): Promise<void> {
    this.closed = true;
    for (const set of [...this.byBuild.values(), ...this.byProject.values()]) for (const w of set) w.close();
    await this.tail.stop();
  }

  private add(target: WatchTarget, w: Watcher): void {
    const [map, key] = "buildId" in target ? [this.byBuild, target.buildId] : [this.byProject, target.projectId];
    let set = map.get(key);
    if (!set) map.set(key, set = new Set());
    set.add(w);
    this.count++;
  }

  private remove(target: WatchTarget, w: Watcher): void {
    const [map, key] = "buildId" in target ? [this.byBuild, target.buildId] : [this.byProject, target.projectId];
    const set = map.get(key);
    if (!set?.delete(w)) return;
    if (!set.size) map.delete(key);
    if (--this.count === 0) {
      void this.tail.stop();
      this.published.run.clear();
      this.published.build.clear();
      this.pending.clear();
    }
  }

  private accept(events: readonly LifecycleEvent[], source: "local" | "tail"): void {
    for (const e of events) {
      const ids = this.published[e.kind];
      if (source === "tail" && ids.delete(e.eventId)) continue; // served when it was published here
      const watched = this.byBuild.has(e.buildId) || (e.kind === "build" && this.byProject.has(e.projectId));
      if (!watched) continue;
      if (source === "local") {
        ids.add(e.eventId);
        if (ids.size > 10_000) ids.delete(ids.values().next().value!); // ids the tail never reaches (published before it started)
      }
      this.pending.set(e.kind === "run" ? `r${e.runId}` : `b${e.buildId}`, e);
    }
    if (this.pending.size && !this.flushing) void this.flush();
  }

  /** Serves pending changes in batches, one at a time: a batch reads rows after every event in it arrived. */
  private async flush(): Promise<void> {
    this.flushing = true;
    try {
      while (this.pending.size && this.count) {
        const batch = this.pending;
        this.pending = new Map();
        const seq = ++this.batches;
        const events = [...batch.values()];
        let runs: RunRow[];
        let builds: BuildRow[];
        try {
          [runs, builds] = await Promise.all([
            runsByIds(this.store.db, events.flatMap((e) => (e.kind === "run" ? [e.runId] : []))),
            buildsByIds(this.store.db, events.flatMap((e) => (e.kind === "build" ? [e.buildId] : []))),
          ]);
        } catch (e) {
          this.config.log.warn({ err: e }, "build watch: reading changed rows failed; retrying");
          for (const [k, v] of batch) if (!this.pending.has(k)) this.pending.set(k, v);
          await new Promise((r) => setTimeout(r, this.config.pollMs));
          continue;
        }
        for (const run of runs) this.offer(this.byBuild.get(run.build_id), seq, `r${run.id}`, { kind: "run", run });
        for (const build of builds) {
          const change: WatchChange = { kind: "build", build };
          this.offer(this.byBuild.get(build.id), seq, `b${build.id}`, change);
          this.offer(this.byProject.get(build.project_id), seq, `b${build.id}`, change);
        }
      }
    } finally {
      this.flushing = false;
    }
  }

  private offer(watchers: Set<Watcher> | undefined, seq: number, key: string, change: WatchChange): void {
    for (const w of watchers ?? []) if (seq >= w.minBatch) w.offer(key, change);
  }
}
