// Names and ids of runs and builds for the lifecycle's events, cached: they
// never change once a run or build exists, so an instance reads each at most
// once (none for runs it queued itself), and misses asked at the same time
// share one query. Bounded: the oldest entries are forgotten first.
import { BatchedReads } from "../store/coalesce.js";
import type { Store } from "../store/db.js";
import { buildIdentities, runIdentities } from "../store/status-events.js";
import type { BuildIdentity, RunIdentity } from "./lifecycle-events.js";

class BoundedMap<K, V> {
  private readonly map = new Map<K, V>();
  constructor(private readonly max: number) {}
  get(key: K): V | undefined { return this.map.get(key); }
  set(key: K, value: V): void {
    this.map.set(key, value);
    if (this.map.size > this.max) this.map.delete(this.map.keys().next().value!);
  }
}

export class Identities {
  private readonly runs: BoundedMap<number, RunIdentity>;
  private readonly builds: BoundedMap<number, BuildIdentity>;
  private readonly runReads: BatchedReads<number, RunIdentity | undefined>;
  private readonly buildReads: BatchedReads<number, BuildIdentity | undefined>;

  constructor(store: Store, max = 50_000) {
    this.runs = new BoundedMap(max);
    this.builds = new BoundedMap(max);
    this.runReads = new BatchedReads((ids) => runIdentities(store.db, ids), undefined);
    this.buildReads = new BatchedReads((ids) => buildIdentities(store.db, ids), undefined);
  }

  /** Undefined when the run no longer exists (its project was deleted). */
  async run(runId: number): Promise<RunIdentity | undefined> {
    const hit = this.runs.get(runId);
    if (hit) return hit;
    const read = await this.runReads.get(runId);
    if (read) this.rememberRun(read);
    return read;
  }

  async build(buildId: number): Promise<BuildIdentity | undefined> {
    const hit = this.builds.get(buildId);
    if (hit) return hit;
    const read = await this.buildReads.get(buildId);
    if (read) this.rememberBuild(read);
    return read;
  }

  rememberRun(identity: RunIdentity): void {
    this.runs.set(identity.runId, identity);
  }

  rememberBuild(identity: BuildIdentity): void {
    this.builds.set(identity.buildId, identity);
  }
}
