// The Pull streams open on this instance: one session per stream, holding the
// worker's identity and a queue of messages to push to it. The API handler only
// iterates a session's queue; the dispatcher decides what goes in it.
import { create } from "@bufbuild/protobuf";
import { AsyncQueue } from "../../common/async-queue.js";
import { PullResponseSchema, type PullResponse } from "../../gen/jobserv/v1/worker_pb.js";
import type { Gate } from "./worker-gate.js";

export interface WorkerIdentity {
  readonly name: string;
  readonly tags: readonly string[];
  readonly concurrency: number;
}

export class WorkerSession {
  readonly queue = new AsyncQueue<PullResponse>();
  /** Claims for one session never overlap (so it never gets more than its free slots). */
  serving = false;
  /** Another claim was asked for while one was running. */
  serveAgain = false;
  /** Bumped by every claim, so a pass knows its slot counts may be stale. */
  claims = 0;
  /**
   * Set once the worker's reconnection is reconciled (runs it no longer has
   * handled): a session is served only then, or an assignment made to it
   * meanwhile would look like one it reconnected without, and be queued again.
   */
  reconciled = false;
  /** Whether it takes new runs (disk guard, surges), as of the last lease sweep. */
  gate: Gate = { idle: "" };
  /** Whether a lease sweep has read its worker's row since it opened. */
  rowRead = false;
  constructor(readonly worker: WorkerIdentity) {}
  get closed(): boolean {
    return this.queue.isClosed;
  }
}

export class ConnectedWorkers {
  private readonly sessions = new Set<WorkerSession>();
  /** The same sessions by worker name (a worker may hold more than one stream briefly). */
  private readonly named = new Map<string, Set<WorkerSession>>();
  /** Workers whose last stream here closed since the lease sweep last asked (`takeGone`). */
  private gone = new Set<string>();
  /** Sessions opened since the lease sweep last asked (`takeOpened`). */
  private opened: WorkerSession[] = [];

  add(worker: WorkerIdentity): WorkerSession {
    const session = new WorkerSession(worker);
    this.sessions.add(session);
    let mine = this.named.get(worker.name);
    if (!mine) this.named.set(worker.name, (mine = new Set()));
    mine.add(session);
    this.opened.push(session);
    return session;
  }

  /** The sessions opened since the last call (some may have closed since). */
  takeOpened(): WorkerSession[] {
    const opened = this.opened;
    this.opened = [];
    return opened;
  }

  remove(session: WorkerSession): void {
    session.queue.close();
    this.sessions.delete(session);
    const mine = this.named.get(session.worker.name);
    mine?.delete(session);
    if (mine?.size === 0) {
      this.named.delete(session.worker.name);
      this.gone.add(session.worker.name);
    }
  }

  /** The workers whose last stream here closed since the last call, and that have none open here now. */
  takeGone(): string[] {
    const gone = [...this.gone].filter((name) => !this.named.has(name));
    this.gone = new Set();
    return gone;
  }

  /**
   * Open sessions, rotated by `start` so no worker is always served first.
   * One array, filled in place (the dispatcher asks every poll, and an
   * instance may hold tens of thousands of idle streams).
   */
  list(start = 0): WorkerSession[] {
    let n = 0;
    for (const s of this.sessions) if (!s.closed) n++;
    const out = new Array<WorkerSession>(n);
    const k = n ? start % n : 0;
    let i = 0;
    for (const s of this.sessions) {
      if (s.closed) continue;
      out[i < k ? n - k + i : i - k] = s;
      i++;
    }
    return out;
  }

  byName(name: string): WorkerSession[] {
    return [...(this.named.get(name) ?? [])].filter((s) => !s.closed);
  }

  /** Pushes a Cancel of `runId` to the streams of `worker` open here. */
  sendCancel(runId: number, worker: string, reason = "cancelled"): void {
    for (const s of this.byName(worker)) {
      s.queue.push(create(PullResponseSchema, { action: { case: "cancel", value: { runId: BigInt(runId), reason } } }));
    }
  }

  get size(): number {
    return this.sessions.size;
  }

  closeAll(): void {
    for (const s of this.sessions) this.remove(s);
  }
}
