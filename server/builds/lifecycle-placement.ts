// Placement: a new build's runs claimed for idle workers connected to this
// instance inside the trigger's own transaction, so an idle worker gets a run
// with one commit (not the trigger's commit, a wake, then a claim's commit);
// and a worker's slot served again as soon as its run's end has committed.
// The scheduler offers the workers and delivers what they won; the claim is
// the store's compare-and-set, as every claim (exactly once on any number of
// instances), and the events are the lifecycle's as for any claim.
import type { ClaimedRunRow } from "../store/run-claims.js";

/** Offered by the dispatcher (main.ts wires it with `Lifecycle.placeNewRunsWith`). */
export interface Placement {
  /**
   * Workers that take runs of some of `hostTags` now, each held (no other
   * claim for it starts) until `deliver` or `release`; undefined for none.
   */
  offer(hostTags: readonly string[]): PlacementOffer | undefined;
  /**
   * Run `runId` of `worker` ended (its change committed): its slot may take
   * another run at once, before the end's event is recorded and published.
   */
  freed(worker: string, runId: number): void;
}

export interface PlacementOffer {
  readonly workers: readonly { name: string; patterns: readonly string[]; concurrency: number }[];
  /** After commit: the runs each worker won (in `workers` order) go to it; the holds end. */
  deliver(claimed: readonly ClaimedRunRow[][]): void;
  /** The transaction failed: the holds end. */
  release(): void;
}
