// Keep-alive Pings for every open Pull stream from one timer. The streams are
// spread over SLOTS slots; every period/SLOTS the streams of the next slot get
// a Ping, so each stream hears one at least every `periodMs` and no tick pings
// them all at once. Instead of a timer and a closure per stream (thousands of
// idle workers), one timer that runs only while streams are open; and one
// frozen Ping message for all of them (a lean stream encodes and frames it
// once, and writes that one Buffer to every stream). A ping is one write per
// stream at Node's own cost (bench/support/h2-ping-floor.ts), so the period
// is what sets idle CPU: 14-16 us of CPU per ping over HTTP/2.
import { create } from "@bufbuild/protobuf";
import { PingSchema, PullResponseSchema, type PullResponse } from "../../gen/jobserv/v1/worker_pb.js";
import type { WorkerSession } from "../scheduler/connected-workers.js";

const SLOTS = 16;

export class PingWheel {
  private readonly slots: Set<WorkerSession>[] = Array.from({ length: SLOTS }, () => new Set());
  private readonly slotOf = new Map<WorkerSession, number>();
  private cursor = 0;
  private hand = 0;
  private timer: NodeJS.Timeout | undefined;
  /** When the hand's next slot is due (performance.now()). */
  private due: number | undefined;

  constructor(private readonly periodMs: number) {}

  /** Pings `session` now (the stream is open), then on its slot's turn until `remove`. */
  add(session: WorkerSession): void {
    ping(session);
    const slot = this.cursor++ % SLOTS;
    this.slots[slot]!.add(session);
    this.slotOf.set(session, slot);
    if (!this.timer) {
      this.due = performance.now() + this.periodMs / SLOTS;
      this.timer = setInterval(() => this.tick(), this.periodMs / SLOTS);
      this.timer.unref();
    }
  }

  remove(session: WorkerSession): void {
    const slot = this.slotOf.get(session);
    if (slot === undefined) return;
    this.slotOf.delete(session);
    this.slots[slot]!.delete(session);
    if (!this.slotOf.size) {
      clearInterval(this.timer);
      this.timer = undefined;
      this.due = undefined;
    }
  }

  get size(): number {
    return this.slotOf.size;
  }

  /** Turns the hand as far as the clock says (a late timer catches up), pinging each slot it passes. */
  private tick(): void {
    const now = performance.now();
    const slotMs = this.periodMs / SLOTS;
    this.due ??= now;
    let turns = 0;
    while (this.due <= now && turns < SLOTS) {
      for (const session of this.slots[this.hand]!) ping(session);
      this.hand = (this.hand + 1) % SLOTS;
      this.due += slotMs;
      turns++;
    }
    if (this.due <= now) this.due = now + slotMs; // a whole period late: every slot was pinged, start afresh
  }
}

const PING: PullResponse = deepFreeze(create(PullResponseSchema, { action: { case: "ping", value: create(PingSchema) } }));

function ping(session: WorkerSession): void {
  session.queue.push(PING);
}

function deepFreeze<T extends object>(o: T): T {
  for (const v of Object.values(o)) if (v !== null && typeof v === "object") deepFreeze(v as object);
  return Object.freeze(o);
}
