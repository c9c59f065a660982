// The run lifecycle's events: one per committed status change of a run or a
// build, published once, after commit, on the instance that made the change.
// Each carries what listeners need without reading the store again: the
// status-event row's id, names and ids of project, build and run, status,
// worker, message, time and trigger type. A listener that throws or rejects
// is logged and affects neither the change nor other listeners.
import type { Status } from "../../gen/jobserv/v1/status_pb.js";
import type { Logger } from "../logger.js";

/** What identifies a build; never changes once the build exists. */
export interface BuildIdentity {
  buildId: number;
  buildNumber: number;
  projectId: number;
  project: string;
  /** The type of the trigger that created the build ("" for builds from before it was recorded). */
  triggerType: string;
}

/** What identifies a run; never changes once the run exists. */
export interface RunIdentity extends BuildIdentity {
  runId: number;
  run: string;
  /** The run's own trigger type (a chained `simple` trigger may take its parent's). */
  triggerType: string;
}

export interface RunLifecycleEvent extends RunIdentity {
  kind: "run";
  /** The id of the run_events row recording this change. */
  eventId: number;
  status: Status;
  /** The worker involved: the one holding the run, or (back to QUEUED after a lost assignment) the one that lost it. */
  worker: string | null;
  message: string;
  /** When the change was made (ms since the epoch). */
  time: number;
  /** Assignments only (QUEUED -> RUNNING on a worker): when the run was queued. */
  queuedAt?: number;
}

export interface BuildLifecycleEvent extends BuildIdentity {
  kind: "build";
  /** The id of the build_events row recording this change. */
  eventId: number;
  status: Status;
  time: number;
}

export type LifecycleEvent = RunLifecycleEvent | BuildLifecycleEvent;

export interface LifecycleListener {
  onLifecycleEvent(event: LifecycleEvent): void | Promise<void>;
}

/** The one subscription point: listeners get every event in publication order. */
export class LifecycleEvents {
  private readonly listeners = new Set<LifecycleListener>();

  constructor(private readonly log: Logger) {}

  /** Returns the function that unsubscribes `listener`. */
  subscribe(listener: LifecycleListener): () => void {
    this.listeners.add(listener);
    return () => { this.listeners.delete(listener); };
  }

  publish(events: readonly LifecycleEvent[]): void {
    for (const event of events) {
      for (const listener of this.listeners) {
        try {
          const done = listener.onLifecycleEvent(event);
          if (done) done.catch((e: unknown) => this.log.error({ err: e, event: describe(event) }, "lifecycle listener failed"));
        } catch (e) {
          this.log.error({ err: e, event: describe(event) }, "lifecycle listener failed");
        }
      }
    }
  }
}

function describe(e: LifecycleEvent): string {
  return e.kind === "run" ? `run ${e.project}#${e.buildNumber}/${e.run} -> ${e.status}` : `build ${e.project}#${e.buildNumber} -> ${e.status}`;
}
