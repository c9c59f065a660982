// Surges (JobServ's _check_queue): a host-tag pattern is in surge while its
// queued runs exceed what the online regular workers matching it take at
// `ratio` runs per slot; surge-only workers take runs only of patterns in
// surge. One instance at a time evaluates (the "surge-monitor" lease), so
// the surges table is the one truth every instance reads. A surge ends once
// it is no longer needed, but not before `holdMs` after it started
// (anti-flapping, JobServ's 5 minutes). Starts and ends are logged and sent
// to the listeners (notification, metrics).
import { randomUUID } from "node:crypto";
import type { Logger } from "../logger.js";
import type { Store } from "../store/db.js";
import { acquireLease } from "../store/forges.js";
import { endSurge, listSurges, queuedByHostTag, regularWorkersOnline, startSurge, updateSurge } from "../store/surges.js";
import { claimableTags } from "./claimable-tags.js";
import { hostTagMatches } from "./host-tag.js";

export interface SurgeConfig {
  /** Runs per regular worker slot before a surge (JobServ's SURGE_SUPPORT_RATIO). */
  ratio: number;
  checkMs: number;
  holdMs: number;
  /** A worker not heard from this long is offline. */
  leaseMs: number;
}

export interface SurgeEvent {
  hostTag: string;
  kind: "start" | "end";
  queued: number;
  capacity: number;
  time: number;
}

export type SurgeListener = (e: SurgeEvent) => void | Promise<void>;

const LEASE = "surge-monitor";

export class SurgeMonitor {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> = Promise.resolve();
  private readonly holder = randomUUID();
  private readonly listeners: SurgeListener[] = [];

  constructor(private readonly deps: { store: Store; now: () => number; log: Logger }, private readonly config: SurgeConfig) {}

  subscribe(listener: SurgeListener): void {
    this.listeners.push(listener);
  }

  start(): void {
    this.timer = setInterval(() => {
      this.running = this.tick().then(() => {}, (e: unknown) => { this.deps.log.warn({ err: e }, "surge check failed"); });
    }, this.config.checkMs);
    this.timer.unref();
  }

  stop(): Promise<void> {
    clearInterval(this.timer);
    return this.running;
  }

  /** One evaluation, if this instance holds the lease; returns the changes it made. */
  async tick(): Promise<SurgeEvent[]> {
    const { store, log } = this.deps;
    const now = this.deps.now();
    if (!await acquireLease(store.db, LEASE, this.holder, now, Math.max(15_000, 3 * this.config.checkMs))) return [];
    const [queued, current] = await Promise.all([queuedByHostTag(store.db), listSurges(store.db)]);
    // The online workers matter only to what is queued (thousands of idle workers, nothing queued: not read).
    const workers = queued.size ? await regularWorkersOnline(store.db, now - this.config.leaseMs) : [];
    const regular = workers.map((w) => ({ name: w.name, tags: claimableTags(w), concurrency: w.concurrency }));
    const events: SurgeEvent[] = [];
    const active = new Map(current.map((s) => [s.host_tag, s]));
    for (const [hostTag, count] of queued) {
      const capacity = this.config.ratio * regular.filter((w) => hostTagMatches(hostTag, w)).reduce((n, w) => n + w.concurrency, 0);
      const needed = count > capacity;
      const row = active.get(hostTag);
      active.delete(hostTag);
      if (needed && !row) {
        await startSurge(store.db, { host_tag: hostTag, started_at: now, queued: count, capacity });
        events.push({ hostTag, kind: "start", queued: count, capacity, time: now });
      } else if (row && (needed || now - row.started_at < this.config.holdMs)) {
        await updateSurge(store.db, hostTag, count, capacity);
      } else if (row) {
        await endSurge(store.db, hostTag);
        events.push({ hostTag, kind: "end", queued: count, capacity, time: now });
      }
    }
    // Surges of patterns with nothing queued any more.
    for (const row of active.values()) {
      if (now - row.started_at < this.config.holdMs) { await updateSurge(store.db, row.host_tag, 0, row.capacity); continue; }
      await endSurge(store.db, row.host_tag);
      events.push({ hostTag: row.host_tag, kind: "end", queued: 0, capacity: row.capacity, time: now });
    }
    for (const e of events) {
      log.info({ hostTag: e.hostTag, queued: e.queued, capacity: e.capacity }, e.kind === "start" ? "surge started" : "surge ended");
      for (const l of this.listeners) {
        void Promise.resolve().then(() => l(e)).catch((err: unknown) => log.warn({ err, hostTag: e.hostTag }, "surge listener failed"));
      }
    }
    return events;
  }
}
