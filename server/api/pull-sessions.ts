// Opening a worker's Pull stream, however it is answered (Connect's handler
// in worker-service.ts, or the lean stream main.ts wires to http/lean-stream.ts):
// the caller authenticated, enlisted and naming itself, its session added to
// the connected workers with its claimable tags and gate, pinged at once and
// then by the one ping wheel (every JOBSERV_WORKER_PING_MS, 20 s by default),
// and its reconnection reconciled (runs it no longer has handled) before the
// dispatcher serves it.
import type { PullRequest, PullResponse } from "../../gen/jobserv/v1/worker_pb.js";
import { PermissionDeniedError } from "../errors.js";
import { claimableTags } from "../scheduler/claimable-tags.js";
import type { WorkerSession } from "../scheduler/connected-workers.js";
import { findWorker } from "../store/workers.js";
import type { ApiDeps } from "./deps.js";
import { PingWheel } from "./ping-wheel.js";
import type { RequestHeaders } from "./worker-auth.js";

export interface OpenPull {
  readonly session: WorkerSession;
  /** Ends the session (idempotent): off the ping wheel and the connected workers, its queue closed. */
  readonly close: () => void;
  /** Settles once the reconnection is reconciled and the dispatcher woken; rejects if reconciling failed. */
  readonly reconciled: Promise<void>;
}

/** The sending side of a lean Pull stream. */
export interface PullSink {
  send(message: PullResponse): boolean;
  end(error?: unknown): void;
}

export class PullSessions {
  private readonly pings: PingWheel;

  /** `pingMs`: how often each open stream gets a keep-alive Ping (JOBSERV_WORKER_PING_MS). */
  constructor(private readonly deps: ApiDeps, pingMs: number) {
    this.pings = new PingWheel(pingMs);
  }

  async open(req: PullRequest, call: RequestHeaders): Promise<OpenPull> {
    const { deps, pings } = this;
    const worker = await deps.workerAuth.authenticate(call);
    if (req.workerName && req.workerName !== worker.name) throw new PermissionDeniedError("worker_name does not match the authenticated worker");
    if (!worker.enlisted) throw new PermissionDeniedError(`worker "${worker.name}" is not enlisted yet`);
    // The reported tags the worker may claim runs for: those also allowed, if an admin restricted it (read fresh, not cached).
    const grant = await findWorker(deps.store.db, worker.name);
    if (!grant) throw new PermissionDeniedError(`worker "${worker.name}" is not registered`);
    const tags = claimableTags(grant);
    const gate = await deps.leases.gateOf(grant, tags);
    const session = deps.dispatcher.workers.add({ name: worker.name, tags, concurrency: worker.concurrency });
    session.gate = gate;
    const close = () => { pings.remove(session); deps.dispatcher.workers.remove(session); };
    // The first Ping (sent at once) tells the worker (and any proxy) that the stream is open.
    pings.add(session);
    const reconciled = (async () => {
      await deps.leases.reconcile(worker.name, req.activeRunIds.map(Number));
      session.reconciled = true;
      deps.dispatcher.wake();
    })();
    return { session, close, reconciled };
  }

  /**
   * A Pull answered by a lean stream: the session's messages go to `sink` as
   * they are queued, its end (the server stopping) ends the stream OK, and a
   * failed reconcile ends it with the error. The returned close ends the session.
   */
  async stream(req: PullRequest, call: RequestHeaders, sink: PullSink): Promise<{ close(): void }> {
    const pull = await this.open(req, call);
    pull.session.queue.deliverTo((m) => { sink.send(m); }, () => sink.end());
    try {
      await pull.reconciled;
    } catch (e) {
      sink.end(e);
      pull.close();
    }
    return pull;
  }
}
