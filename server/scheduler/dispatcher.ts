// The dispatcher: whenever runs may be waiting (a run queued on this
// instance, a worker connecting, a slot freeing, or the periodic poll that
// notices work queued on other instances), it claims runs for the workers
// connected here and pushes each as an Assignment on that worker's Pull
// stream. It listens to the run lifecycle: QUEUED wakes it, a run's end
// serves its worker's freed slot, CANCELLING pushes a Cancel. It also offers
// idle workers to a trigger, whose transaction claims runs for them
// (builds/lifecycle-placement.ts), and delivers what they won.
import { create, fromJsonString } from "@bufbuild/protobuf";
import { RunDefinitionSchema } from "../../gen/jobserv/v1/run_definition_pb.js";
import { Status } from "../../gen/jobserv/v1/status_pb.js";
import { PullResponseSchema } from "../../gen/jobserv/v1/worker_pb.js";
import type { Lifecycle } from "../builds/lifecycle.js";
import type { LifecycleEvent, LifecycleListener } from "../builds/lifecycle-events.js";
import type { Placement, PlacementOffer } from "../builds/lifecycle-placement.js";
import type { SecretCipher } from "../secrets/cipher.js";
import type { Store } from "../store/db.js";
import { BatchedReads } from "../store/coalesce.js";
import { activeRunsByWorker, cancellingRuns, queuedHostTags } from "../store/runs.js";
import { claimRuns, type ClaimedRun } from "./claim.js";
import { hostTagMatches } from "./host-tag.js";
import { ConnectedWorkers, type WorkerSession } from "./connected-workers.js";
import type { Logger } from "../logger.js";

export interface DispatcherConfig {
  /** Re-check for runs queued by other instances this often while workers are connected. */
  pollMs: number;
  /** Where this instance serves its CLI package (RunDefinition.cli_package_url). */
  cliPackageUrl?: () => string;
  log: Logger;
}

export class Dispatcher implements LifecycleListener, Placement {
  readonly workers = new ConnectedWorkers();
  private passing = false;
  /** A run was queued on this instance since the last pass began. */
  private queuedHere = false;
  private again = false;
  private rotation = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly store: Store, private readonly lifecycle: Lifecycle, private readonly cipher: SecretCipher, private readonly now: () => number,
    private readonly config: DispatcherConfig) {}

  onLifecycleEvent(e: LifecycleEvent): void {
    // A synchronous project's next build may start once one completes.
    if (e.kind === "build" && (e.status === Status.PASSED || e.status === Status.FAILED)) this.wake();
    if (e.kind !== "run") return;
    if (e.status === Status.QUEUED) {
      // A run its trigger placed is RUNNING already: no pass to serve it.
      if (this.placed.delete(e.runId)) return;
      this.queuedHere = true;
      this.wake();
    }
    else if ((e.status === Status.PASSED || e.status === Status.FAILED) && e.worker) {
      if (!this.servedEarly.delete(e.runId)) this.wakeWorker(e.worker);
    }
    else if (e.status === Status.CANCELLING && e.worker) this.cancel(e.runId, e.worker);
  }

  start(): void {
    this.timer = setInterval(() => {
      if (!this.workers.size) return;
      this.wake();
      this.resendCancels().catch((e: unknown) => this.config.log.warn({ err: e }, "cancel poll failed"));
    }, this.config.pollMs);
    this.timer.unref();
  }

  private readonly cancelsSent = new Map<number, number>();

  /**
   * A cancel requested on another instance reaches a worker connected here
   * through this poll: CANCELLING runs of connected workers get a Cancel,
   * repeated every few seconds until the worker reports the run's end.
   */
  private async resendCancels(): Promise<void> {
    // CANCELLING runs are few (an index on status finds them); filtering by the
    // workers connected here in memory keeps a 10 000-name IN list out of a query
    // made every poll.
    const all = await cancellingRuns(this.store.db);
    const rows = all.filter((r) => r.worker_name !== null && this.workers.byName(r.worker_name).length > 0);
    const now = this.now();
    for (const id of this.cancelsSent.keys()) if (!rows.some((r) => r.id === id)) this.cancelsSent.delete(id);
    for (const r of rows) {
      if ((this.cancelsSent.get(r.id) ?? 0) > now - 5_000) continue;
      this.cancelsSent.set(r.id, now);
      this.cancel(r.id, r.worker_name!);
    }
  }

  /** Closes every stream; resolves when passes and claims in flight have finished. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    this.workers.closeAll();
    await Promise.all([...this.inFlight]);
  }

  private stopped = false;
  private readonly inFlight = new Set<Promise<void>>();

  private track(work: Promise<void>): void {
    this.inFlight.add(work);
    void work.finally(() => this.inFlight.delete(work));
  }

  /** Asks for a dispatch pass; passes never overlap, requests during one cause another. */
  wake(): void {
    if (this.passing) { this.again = true; return; }
    if (this.stopped) return;
    this.passing = true;
    this.track((async () => {
      try {
        do {
          this.again = false;
          await this.pass();
        } while (this.again);
      } catch (e) {
        // The store may be briefly unreachable; the next wake or poll retries.
        this.config.log.warn({ err: e }, "dispatch pass failed");
      } finally {
        this.passing = false;
      }
    })());
  }

  /** Pushes a Cancel to the sessions of `worker` open on this instance. */
  cancel(runId: number, worker: string, reason = "cancelled"): void {
    this.workers.sendCancel(runId, worker, reason);
  }

  private async pass(): Promise<void> {
    if (!this.workers.size) return;
    // A run queued here: both reads at once (one round trip before the claim,
    // not two). A poll pass reads the busy counts, and lists the sessions
    // (50 000 of them on a big instance, every poll), only when something is
    // queued. Each session's claim count is noted before the busy read, so a
    // count read while it claimed is not trusted.
    const queuedHere = this.queuedHere;
    this.queuedHere = false;
    let listed = queuedHere ? this.listSessions() : undefined;
    const busyRead = listed ? activeRunsByWorker(this.store.db, listed.names) : undefined;
    busyRead?.catch(() => {});
    const queuedTags = await queuedHostTags(this.store.db);
    this.queued = { tags: queuedTags, at: performance.now() };
    if (!queuedTags.length) return;
    listed ??= this.listSessions();
    const { sessions, seen, names } = listed;
    const busy = await (busyRead ?? activeRunsByWorker(this.store.db, names));
    // Served together: their claims go in one batch (run-claims.ts), in rotation order.
    await Promise.all(sessions.map((session, i) => {
      const known = session.claims === seen[i] ? busy.get(session.worker.name) ?? 0 : undefined;
      if (known !== undefined && known >= session.worker.concurrency) return;
      if (session.gate.idle || !session.reconciled) return;
      return this.serve(session, known, queuedTags);
    }));
  }

  /** The sessions in rotation order, with each one's claim count now and its worker's name. */
  private listSessions(): { sessions: WorkerSession[]; seen: number[]; names: string[] } {
    const sessions = this.workers.list(this.rotation++);
    return { sessions, seen: sessions.map((s) => s.claims), names: sessions.map((s) => s.worker.name) };
  }

  /**
   * Host-tag patterns of queued runs as last read (every pass re-reads them).
   * Serving a freed slot reuses them: a pattern queued on this instance since
   * woke a pass, one queued elsewhere is seen by the next poll pass as it would
   * be anyway, and a pattern that ran dry is dropped when a claim comes back short.
   */
  private queued: { tags: readonly string[]; at: number } | undefined;
  private tagsRead: Promise<readonly string[]> | undefined;
  /** Busy slots of workers; serves asking at once share one grouped count. */
  private readonly activeCounts = new BatchedReads<string, number>((names) => activeRunsByWorker(this.store.db, names), 0, true);

  private currentQueuedTags(): Promise<readonly string[]> {
    if (this.queued && performance.now() - this.queued.at < 10 * this.config.pollMs) return Promise.resolve(this.queued.tags);
    this.tagsRead ??= queuedHostTags(this.store.db)
      .then((tags) => { this.queued = { tags, at: performance.now() }; return tags; })
      .finally(() => { this.tagsRead = undefined; });
    return this.tagsRead;
  }

  /** Runs a trigger's transaction claimed and `offer` delivered, before their QUEUED events are published. */
  private readonly placed = new Set<number>();

  /** Runs whose end already served their worker's slot (`freed`): their end's event need not again. */
  private readonly servedEarly = new Set<number>();

  /** A run of `worker` ended (committed) on this instance: its slot is served now, not once the end's event is recorded. */
  freed(worker: string, runId: number): void {
    if (this.servedEarly.size > 10_000) this.servedEarly.clear(); // ends whose events failed to record
    this.servedEarly.add(runId);
    this.wakeWorker(worker);
  }

  /** A slot of `worker` freed on this instance: serve it at once instead of waiting for a pass. */
  wakeWorker(worker: string): void {
    for (const session of this.workers.byName(worker)) this.wakeSession(session);
  }

  /**
   * Sessions that take runs of some of `hostTags` now (at most one per run),
   * held as if being served until the trigger's transaction has claimed for
   * them: `deliver` pushes what each won, then serves it again if asked meanwhile.
   */
  offer(hostTags: readonly string[]): PlacementOffer | undefined {
    if (this.stopped || !this.workers.size || !hostTags.length) return undefined;
    const tags = [...new Set(hostTags)];
    const held: { session: WorkerSession; patterns: string[] }[] = [];
    const names = new Set<string>();
    for (const session of this.workers.list(this.rotation++)) {
      if (held.length >= hostTags.length) break;
      // One session per worker: its free slots are counted by name.
      if (session.serving || session.gate.idle || !session.reconciled || names.has(session.worker.name)) continue;
      const surge = session.gate.surgeTags;
      const patterns = tags.filter((p) => hostTagMatches(p, session.worker) && (!surge || surge.includes(p)));
      if (!patterns.length) continue;
      session.serving = true;
      names.add(session.worker.name);
      held.push({ session, patterns });
    }
    if (!held.length) return undefined;
    const release = (session: WorkerSession) => {
      session.serving = false;
      session.claims++;
      if (session.serveAgain) this.wakeSession(session);
    };
    return {
      workers: held.map((h) => ({ name: h.session.worker.name, patterns: h.patterns, concurrency: h.session.worker.concurrency })),
      deliver: (claimed) => held.forEach(({ session }, i) => {
        const won = claimed[i] ?? [];
        if (!won.length) return release(session);
        if (this.placed.size > 10_000) this.placed.clear(); // bounded, should their events never come
        for (const c of won) this.placed.add(c.id);
        this.track(this.deliver(session, won)
          .catch((e: unknown) => this.config.log.warn({ err: e, worker: session.worker.name }, "dispatch failed"))
          .finally(() => release(session)));
      }),
      release: () => { for (const h of held) release(h.session); },
    };
  }

  private wakeSession(session: WorkerSession): void {
    if (!this.stopped) this.track(this.serve(session).catch((e: unknown) => this.config.log.warn({ err: e, worker: session.worker.name }, "dispatch failed")));
  }

  /** Claims runs for one session up to its free slots and delivers them; never overlaps itself. */
  private async serve(session: WorkerSession, busyKnown?: number, queuedTags?: readonly string[]): Promise<void> {
    if (session.serving) { session.serveAgain = true; return; }
    session.serving = true;
    try {
      let busy = busyKnown;
      do {
        session.serveAgain = false;
        if (session.closed || session.gate.idle || !session.reconciled) return;
        busy ??= await this.activeCounts.get(session.worker.name);
        const free = session.worker.concurrency - busy;
        busy = undefined;
        if (free <= 0) continue;
        let tags = queuedTags ?? await this.currentQueuedTags();
        // A surge-only worker takes runs only of the host-tag patterns in surge.
        if (session.gate.surgeTags) tags = tags.filter((p) => session.gate.surgeTags!.includes(p));
        const claimed = await claimRuns(this.store, this.lifecycle, session.worker, free, tags);
        queuedTags = undefined;
        if (claimed.length < free && this.queued) {
          // Nothing more queued for this worker's patterns (but rows being claimed right now).
          this.queued = { ...this.queued, tags: this.queued.tags.filter((p) => !hostTagMatches(p, session.worker)) };
        }
        session.claims++;
        if (claimed.length) await this.deliver(session, claimed);
      } while (session.serveAgain);
    } finally {
      session.serving = false;
    }
  }

  /** Pushes the claimed runs to the worker first, then records the events: assignment latency comes first. */
  private async deliver(session: WorkerSession, claimed: ClaimedRun[]): Promise<void> {
    const worker = session.worker.name;
    const delivered: ClaimedRun[] = [];
    for (const c of claimed) {
      const definition = fromJsonString(RunDefinitionSchema, c.definitionJson);
      definition.runId = BigInt(c.id);
      definition.secrets = this.cipher.openMap(c.secretsEnc);
      definition.env["H_WORKER"] = worker;
      definition.cliPackageUrl = this.config.cliPackageUrl?.() ?? "";
      const pushed = session.queue.push(create(PullResponseSchema, { action: { case: "assignment", value: { definition, runToken: c.token } } }));
      if (pushed) delivered.push(c);
      else await this.lifecycle.undelivered(c, worker);
    }
    await this.lifecycle.assigned(worker, delivered);
  }
}
