// Names and ids of runs and builds for the lifecycle's events, cached: they
// never change once a run or build exists, so an instance reads each at most
// once (none for runs it queued itself), and misses asked at the same time
// share one query. Bounded: the oldest entries are forgotten first.
import { BatchedReads } from "../store/coalesce.js";
import type { Store } from "../store/db.js";
import { buildIdentities, runIdentities } from "../store/status-events.js";
import type { BuildIdentity, RunIdentity } from "./lifecycle-events.js";

/** Values by key: cached (bounded, the oldest forgotten first), misses asked together read in one query. */
class CachedLookup<V> {
  private readonly cache = new Map<number, V>();
  private readonly reads: BatchedReads<number, V | undefined>;

  constructor(read: (keys: number[]) => Promise<Map<number, V>>, private readonly max: number) {
    this.reads = new BatchedReads(read, undefined);
  }

  async get(key: number): Promise<V | undefined> {
    const hit = this.cache.get(key);
    if (hit) return hit;
    const value = await this.reads.get(key);
    if (value) this.set(key, value);
    return value;
  }

  set(key: number, value: V): void {
    this.cache.set(key, value);
    if (this.cache.size > this.max) this.cache.delete(this.cache.keys().next().value!);
  }
}

export class Identities {
  private readonly runs: CachedLookup<RunIdentity>;
  private readonly builds: CachedLookup<BuildIdentity>;

  constructor(store: Store, max = 50_000) {
    this.runs = new CachedLookup((ids) => runIdentities(store.db, ids), max);
    this.builds = new CachedLookup((ids) => buildIdentities(store.db, ids), max);
  }

  /** Undefined when the run no longer exists (its project was deleted). */
  run(runId: number): Promise<RunIdentity | undefined> {
    return this.runs.get(runId);
  }

  build(buildId: number): Promise<BuildIdentity | undefined> {
    return this.builds.get(buildId);
  }

  rememberRun(identity: RunIdentity): void {
    this.runs.set(identity.runId, identity);
  }

  rememberBuild(identity: BuildIdentity): void {
    this.builds.set(identity.buildId, identity);
  }
}
